"""The executor's direct path for plain fields (leaves, objects and lists of objects)
answers exactly as graphql-core's own path does: the same values, the same nulls, and the
same errors at the same paths, also when fields below are awaited."""

from __future__ import annotations

import asyncio
import enum
from datetime import date
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from market.api.graphql.execution import Executor
from market.api.graphql.schema import new_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    price: int
    colours: list[Colour]
    due: date | None
    tags: list[str] | None
    label: str  # non-null, but some items hold None: an error on either path
    score: float

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


def _item(**fields: Any) -> Item:
    defaults: dict[str, Any] = {
        "name": "B1 avond",
        "price": 294_400,
        "colours": [Colour.RED, Colour.BLUE],
        "due": date(2027, 1, 4),
        "tags": None,
        "label": "ok",
        "score": 4.5,
    }
    return Item(**{**defaults, **fields})


@strawberry.type
class Box:
    """Objects in objects and lists of them, one of which breaks a non-null field."""

    label: str
    first: Item
    items: list[Item]
    maybe: Item | None


def _box(broken: bool) -> Box:
    last = _item(label=None) if broken else _item(name="last")
    return Box(label="box", first=_item(), items=[_item(), last], maybe=None)


@strawberry.type
class Leaf:
    n: int

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        if self.n == 2:
            raise ValueError("two")
        return self.n * 10

    @strawberry.field
    async def maybe_later(self) -> int | None:
        await asyncio.sleep(0)
        if self.n == 3:
            raise ValueError("three")
        return self.n


@strawberry.type
class Branch:
    """Plain object and list fields over objects whose fields are awaited, some failing."""

    top: Leaf
    leaves: list[Leaf]
    loose: list[Leaf | None] | None


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self) -> list[Box | None]:
        return [_box(broken=False), _box(broken=True)]

    @strawberry.field
    def box(self) -> Box:
        return _box(broken=False)

    @strawberry.field
    def branches(self) -> list[Branch | None]:
        return [
            Branch(top=Leaf(n=1), leaves=[Leaf(n=1), Leaf(n=3)], loose=[Leaf(n=2), None]),
            Branch(top=Leaf(n=2), leaves=[], loose=None),
            Branch(top=Leaf(n=4), leaves=[Leaf(n=2)], loose=[]),
        ]

    @strawberry.field
    def item(self) -> Item:
        return _item()

    @strawberry.field
    def items(self) -> list[Item | None]:
        return [
            _item(),
            _item(tags=["evening"], due=None),
            _item(label=None),  # null for a non-null field
            _item(price=2**40),  # beyond GraphQL's Int
            _item(colours=["green"]),  # not a Colour
            _item(score=float("nan")),  # no GraphQL Float
            _item(label=7, price=True),  # not a str, not an int: coerced on either path
        ]


QUERY = """
{
  items {
    __typename name price colours due tags label score
    shout(times: 2)
    ... on Item { again: name }
  }
}
"""


BOXES = """
{
  boxes {
    label
    first { name colours label }
    items { __typename name label again: name }
    maybe { name }
  }
}
"""


BRANCHES = """
{
  branches {
    top { n later maybeLater }
    leaves { n later maybeLater }
    loose { n later }
  }
}
"""


async def _run(executor: type[Executor] | None, query: str = QUERY) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    result = await schema.execute(query)
    return {
        "data": result.data,
        "errors": sorted((str(error.path), error.message) for error in result.errors or []),
    }


async def test_plain_fields_answer_as_graphql_core_does() -> None:
    direct, reference = await _run(Executor), await _run(None)

    assert direct == reference
    first, second, *failed = direct["data"]["items"]
    assert first == {
        "__typename": "Item",
        "name": "B1 avond",
        "price": 294_400,
        "colours": ["RED", "BLUE"],
        "due": "2027-01-04",
        "tags": None,
        "label": "ok",
        "score": 4.5,
        "shout": "B1 AVONDB1 AVOND",
        "again": "B1 avond",
    }
    *failed, coerced = failed
    assert (second["tags"], second["due"]) == (["evening"], None)
    assert failed == [None, None, None, None]
    assert (coerced["label"], coerced["price"], type(coerced["price"])) == ("7", 1, int)
    assert [path for path, _ in direct["errors"]] == [
        "['items', 2, 'label']",
        "['items', 3, 'price']",
        "['items', 4, 'colours', 0]",
        "['items', 5, 'score']",
    ]


@pytest.mark.parametrize(
    ("query", "full_path"),
    [
        ("{ item { name shout } }", ["item", "shout"]),
        ("{ item { colours shout } }", ["item", "shout"]),
        ("{ item { due shout } }", ["item", "shout"]),
        ("{ box { first { name } items { name } maybe { name } } }", ["box"]),
    ],
)
async def test_plain_fields_are_read_without_the_full_path(
    query: str, full_path: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The point of the direct path: a plain field (a leaf, an object, a list of objects)
    never builds a resolve info; only fields with resolvers do."""
    built: list[str] = []
    original = Executor.build_resolve_info

    def counting(self: Executor, field_def: Any, nodes: Any, parent: Any, path: Any) -> Any:
        built.append(nodes[0].name.value)
        return original(self, field_def, nodes, parent, path)

    monkeypatch.setattr(Executor, "build_resolve_info", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=Executor)

    result = await schema.execute(query)

    assert (result.errors, result.data is not None) == (None, True)
    assert built == full_path


async def test_a_plain_selection_is_answered_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain all the way down (a search page): one call answers the box with its items,
    not one per object; a value that is not plain below sends it field by field."""
    calls: list[str] = []
    original = Executor.execute_fields

    def counting(self: Executor, parent_type: Any, *args: Any) -> Any:
        calls.append(parent_type.name)
        return original(self, parent_type, *args)

    monkeypatch.setattr(Executor, "execute_fields", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=Executor)

    result = await schema.execute("{ box { label first { name } items { name colours } } }")

    assert result.errors is None
    assert result.data == {
        "box": {
            "label": "box",
            "first": {"name": "B1 avond"},
            "items": [
                {"name": "B1 avond", "colours": ["RED", "BLUE"]},
                {"name": "last", "colours": ["RED", "BLUE"]},
            ],
        }
    }
    assert calls == ["Query", "Box"]

    calls.clear()
    await schema.execute("{ boxes { first { name } items { label } } }")
    # The whole box at once; the broken one field by field: its first item, its two items.
    assert calls == ["Query", "Box", "Box", "Item", "Item", "Item"]


class Watch(SchemaExtension):
    """An extension with a resolve hook: graphql-core middleware, which sees every field."""

    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        self.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_a_resolve_extension_still_sees_every_field() -> None:
    seen = Watch.seen = []
    schema = strawberry.Schema(query=Query, execution_context_class=Executor, extensions=[Watch])

    result = await schema.execute("{ item { name colours } }")

    assert result.data == {"item": {"name": "B1 avond", "colours": ["RED", "BLUE"]}}
    assert seen == ["item", "name", "colours"]


async def test_objects_and_lists_of_them_answer_as_graphql_core_does() -> None:
    direct, reference = await _run(Executor, BOXES), await _run(None, BOXES)

    assert direct == reference
    whole, broken = direct["data"]["boxes"]
    assert [item["name"] for item in whole["items"]] == ["B1 avond", "last"]
    assert (whole["first"]["colours"], whole["maybe"]) == (["RED", "BLUE"], None)
    # A null in a non-null field inside a list of non-null items nulls the whole box.
    assert broken is None
    [(path, message)] = direct["errors"]
    assert path == "['boxes', 1, 'items', 1, 'label']"
    assert message == "Cannot return null for non-nullable field Item.label."


async def test_awaited_fields_below_plain_objects_answer_as_graphql_core_does() -> None:
    direct, reference = await _run(Executor, BRANCHES), await _run(None, BRANCHES)

    assert direct == reference
    first, second, third = direct["data"]["branches"]
    assert first == {
        "top": {"n": 1, "later": 10, "maybeLater": 1},
        "leaves": [
            {"n": 1, "later": 10, "maybeLater": 1},
            {"n": 3, "later": 30, "maybeLater": None},
        ],
        "loose": [None, None],
    }
    # A failing non-null field under a non-null object, and in a list of non-null items.
    assert (second, third) == (None, None)
    assert [path for path, _ in direct["errors"]] == [
        "['branches', 0, 'leaves', 1, 'maybeLater']",
        "['branches', 0, 'loose', 0, 'later']",
        "['branches', 1, 'top', 'later']",
        "['branches', 2, 'leaves', 0, 'later']",
    ]


async def _runs_direct(schema: strawberry.Schema) -> bool:
    """Whether the schema's executor takes the direct path for an operation."""
    executors: list[Executor] = []

    class Recording(schema.execution_context_class):  # type: ignore[name-defined,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            executors.append(self)

    schema.execution_context_class = Recording
    result = await schema.execute("{ __typename }")
    assert result.errors is None, result.errors
    [executor] = executors
    return executor.direct


async def test_the_served_schema_takes_the_direct_path() -> None:
    """Middleware turns the direct path off for every field of every request (it must see
    them all): a search page then costs some 4.5 ms more CPU, with nothing to say so."""
    assert await _runs_direct(new_schema()), (
        "the served schema has an extension with a `resolve` hook (graphql-core "
        "middleware), which turns execution.Executor's direct path off for every request: "
        "do that work elsewhere (a field extension, the operation's hooks) or accept and "
        "measure the cost, then change this test"
    )


async def test_a_resolve_extension_on_the_served_schema_is_noticed() -> None:
    schema = new_schema()
    schema.extensions = [*schema.extensions, Watch]

    assert not await _runs_direct(schema)
