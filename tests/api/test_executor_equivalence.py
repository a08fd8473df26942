"""The executor's direct path (api/graphql/execution.py) answers every query exactly as
graphql-core's own executor does, on the real schema and a seeded catalog.

Two apps serve the same database: the one `create_app` builds, and the same app whose
schema runs Strawberry's default execution context (graphql-core's executor, no direct
path). Each query is sent to both, by the same actor, and the two bodies must be equal:
the data, and every error's message, path, locations and extensions. The corpus is

- every query document the test suite sends (found in the tests' sources, so a test added
  later is covered too), with variables taken from `VARIABLES` by name, and the
  benchmark's eight searches: the search page is what the direct path is for;
- queries generated over the schema by hypothesis-graphql, one root field at a time, with
  arguments naming the seeded rows.

Queries only: a mutation run twice would not meet the same database twice.
"""

from __future__ import annotations

import ast
import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from litestar.testing import AsyncTestClient
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import market.app
from market.api.graphql import ids
from market.api.graphql.schema import MarketSchema, build_schema, new_schema
from market.catalog.models import CourseStatus, Format, Level, Route, ScheduleKind, Stream
from market.db.database import Database
from market.identity.models import Organisation, OrganisationKind
from market.settings import Settings
from tests.bench import searches
from tests.support import actors
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today

TESTS = Path(__file__).parents[1]
SCHEMA = graphql.build_schema(build_schema().as_str())

# The seeded rows, by fixed ids so that variables and generated arguments can name them.
SCHOOL, OTHER_SCHOOL = uuid.UUID(int=1), uuid.UUID(int=2)
B1_EVENING, ONLINE_A2, Z_ROUTE, ONDERWIJS, DRAFT, FULL = (uuid.UUID(int=n) for n in range(11, 17))
AMSTERDAM, UTRECHT = uuid.UUID(int=21), uuid.UUID(int=22)
UNKNOWN = uuid.UUID(int=99)
COURSE_IDS = [ids.encode("Course", c) for c in (B1_EVENING, ONLINE_A2, Z_ROUTE, ONDERWIJS, DRAFT)]
KNOWN_IDS = [
    *COURSE_IDS,
    ids.encode("Provider", SCHOOL),
    ids.encode("Provider", OTHER_SCHOOL),
    ids.encode("Location", AMSTERDAM),
    ids.encode("Course", UNKNOWN),
]

# The values a query's variables take, by the variable's name: each query runs with every
# combination. A query whose variable is not named here fails the test, so that a new one
# is given values rather than skipped.
VARIABLES: dict[str, list[Any]] = {
    "id": [ids.encode("Provider", SCHOOL), COURSE_IDS[0], ids.encode("Course", UNKNOWN)],
    "ids": [COURSE_IDS[:3], [COURSE_IDS[0], ids.encode("Course", UNKNOWN)]],
    "query": ["nederlands", None],
    "q": ["nederlands", "taalles"],
    "filter": [
        {"routes": ["B1", "Z"]},
        {"near": {"postcode": "1011 AB", "radiusKm": 60}, "levels": ["A1", "B1"]},
    ],
    "sort": ["PRICE", "DISTANCE"],
    "first": [2],
    "n": [3],
    "after": [None],
    "region": ["AM18", None],
    "postcode": ["3511 AB"],
    "loan": [150_000],
    # A draft of another provider, another type's id and a missing one answer null alike.
    "course": [COURSE_IDS[4], ids.encode("Provider", SCHOOL)],
    "provider": [ids.encode("Provider", OTHER_SCHOOL), ids.encode("Provider", UNKNOWN)],
    "known": [COURSE_IDS[0]],
    # intakeBookings: an intake nothing has (NOT_FOUND alike on both).
    "i": [ids.encode("Intake", UNKNOWN)],
    "max": [None, 11],
    # lotMarket: the seeded school's route in its region, and any level.
    "route": ["B1"],
    "regions": [["AM18"]],
    "level": ["B1", None],
    "stream": [None],
}


def _suite_queries() -> Iterator[tuple[str, str]]:
    """Every query document written out in the test suite's sources, with where it is:
    string literals that parse as query operations valid against the schema."""
    seen: set[str] = set()
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            if "{" not in text or text in seen:
                continue
            try:
                document = graphql.parse(text)
            except graphql.GraphQLError:
                continue
            operations = _operations(document)
            if (
                len(operations) == 1
                and operations[0].operation is graphql.OperationType.QUERY
                and not graphql.validate(SCHEMA, document)
            ):
                seen.add(text)
                yield f"{path.relative_to(TESTS)}:{node.lineno}", text


def _operations(document: graphql.DocumentNode) -> list[graphql.OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]


def _variable_sets(text: str) -> list[dict[str, Any]]:
    [operation] = _operations(graphql.parse(text))
    names = [v.variable.name.value for v in operation.variable_definitions or ()]
    missing = [name for name in names if name not in VARIABLES]
    assert not missing, f"give VARIABLES values for ${', $'.join(missing)} (in {text!r})"
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(VARIABLES[name] for name in names))
    ]


def _named_operations() -> list[tuple[str, str, dict[str, Any]]]:
    cases = [
        (where, text, variables)
        for where, text in _suite_queries()
        for variables in _variable_sets(text)
    ]
    cases += [
        (f"bench {search.name}", searches.SEARCH, search.variables)
        for search in searches.searches(today())
    ]
    return cases


def _reference_schema(settings: Settings | None = None) -> MarketSchema:
    schema = new_schema(settings)
    schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    return schema


# Members whose value is the moment the answer was made: never equal in two answers.
MOMENTS = {"exportedAt"}


def _timeless(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<now>" if k in MOMENTS else _timeless(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_timeless(item) for item in value]
    return value


class Pair:
    """The app as served and the same app on graphql-core's own executor, and the actors
    who ask."""

    def __init__(
        self, fast: AsyncTestClient[Any], reference: AsyncTestClient[Any], tokens: dict[str, str]
    ) -> None:
        self.fast, self.reference, self.tokens = fast, reference, tokens

    async def ask(
        self, query: str, variables: dict[str, Any], who: str
    ) -> tuple[tuple[int, Any], tuple[int, Any]]:
        token = self.tokens.get(who)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables}
        fast = await self.fast.post("/graphql", json=body, headers=headers)
        reference = await self.reference.post("/graphql", json=body, headers=headers)
        return (
            (fast.status_code, _timeless(fast.json())),
            (reference.status_code, _timeless(reference.json())),
        )


async def _seed(db: Database) -> None:
    """Two providers (one certified, with diploma recognition), courses of every route
    and format, dated, continuous and full intakes, a draft only its owner sees."""
    async with db.transaction() as session:
        session.add(Organisation(id=SCHOOL, kind=OrganisationKind.PROVIDER, name="Taalhuis"))
        session.add(Organisation(id=OTHER_SCHOOL, kind=OrganisationKind.PROVIDER, name="Leerpad"))
    await add_provider(db, SCHOOL, diploma_recognition=True)
    await add_provider(db, OTHER_SCHOOL, certified=False)
    await add_location(db, SCHOOL, id=AMSTERDAM)
    await add_location(
        db, SCHOOL, id=UTRECHT, postcode="3511 AB", municipality_code="GM0344",
        latitude=52.09, longitude=5.12,
    )  # fmt: skip
    soon, later = today() + timedelta(days=10), today() + timedelta(weeks=9)
    await add_course(
        db, SCHOOL, id=B1_EVENING, title="Nederlands B1 avond",
        schedule_kinds=[ScheduleKind.EVENING, ScheduleKind.WEEKEND], price_cents=294_400,
    )  # fmt: skip
    await add_intake(db, B1_EVENING, AMSTERDAM, starts_on=soon)
    await add_intake(db, B1_EVENING, UTRECHT, seats_taken=4)
    await add_course(
        db, SCHOOL, id=ONLINE_A2, title="Nederlands A2 online", target_level=Level.A2,
        format=Format.ONLINE, price_cents=150_000, support_languages=["ar", "ti"],
    )  # fmt: skip
    await add_intake(db, ONLINE_A2, starts_on=later)
    await add_course(
        db, SCHOOL, id=Z_ROUTE, title="Z-route", route=Route.Z, target_level=Level.A1,
        total_hours=1000, language_hours=800,
    )  # fmt: skip
    await add_intake(db, Z_ROUTE, UTRECHT, starts_on=later)
    await add_course(
        db, OTHER_SCHOOL, id=ONDERWIJS, title="Schakeljaar hbo", route=Route.ONDERWIJS,
        stream=Stream.HBO, target_level=Level.B2, format=Format.BLENDED,
    )  # fmt: skip
    await add_intake(db, ONDERWIJS, starts_on=soon)
    await add_course(db, SCHOOL, id=DRAFT, status=CourseStatus.DRAFT)
    await add_course(db, OTHER_SCHOOL, id=FULL, title="Nederlands B1 vol")
    await add_intake(db, FULL, seat_capacity=8, seats_taken=8, waitlist_weeks=6)


@pytest.fixture
async def pair(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Pair]:
    await _seed(db)
    tokens = {
        "learner": (await actors.learner(db)).token,
        "owner": (await actors.provider_staff(db, SCHOOL)).token,
        "admin": (await actors.platform_admin(db)).token,
    }
    fast_app = market.app.create_app(settings)
    with monkeypatch.context() as patched:
        patched.setattr(market.app, "build_schema", _reference_schema)
        reference_app = market.app.create_app(settings)
    async with AsyncTestClient(fast_app) as fast, AsyncTestClient(reference_app) as reference:
        yield Pair(fast, reference, tokens)


WHO = ["anonymous", "learner", "owner", "admin"]


async def test_the_suites_queries_answer_alike_on_both_executors(pair: Pair) -> None:
    cases = _named_operations()
    hits = 0
    for (where, query, variables), who in itertools.product(cases, WHO):
        fast, reference = await pair.ask(query, variables, who)

        assert fast == reference, f"{where} as {who} with {variables}"
        data = fast[1].get("data") or {}
        hits += len((data.get("searchCourses") or {}).get("nodes") or [])
    # Not a corpus of empty answers: the search pages found the seeded courses.
    assert len(cases) > 60
    assert hits > 100


# Arguments for generated queries: the seeded rows' ids (and unknown and malformed ones),
# texts a filter knows, numbers around the page limits, dates around the intakes.
SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "ID": st.sampled_from([*KNOWN_IDS, "not an id"]).map(nodes.String),
    "String": st.sampled_from(
        ["nederlands", "avond", "AM18", "GM0363", "GM0344", "1011 AB", "3511 AB", "", "x"]
    ).map(nodes.String),
    "Int": st.sampled_from([0, 1, 2, 5, 20, 100, 101, 6, 1500, 300_000, -1]).map(nodes.Int),
    "Float": st.sampled_from([0.5, 5.0, 25.0, 60.0, 300.0]).map(nodes.Float),
    "Date": st.integers(-30, 120).map(
        lambda days: nodes.String((today() + timedelta(days=days)).isoformat())
    ),
    "DateTime": st.just(nodes.String("2027-01-04T09:00:00+00:00")),
    "Time": st.just(nodes.String("18:30:00")),
    "JSON": st.just(nodes.String('{"a": 1}')),
}
assert SCHEMA.query_type is not None
_query_fields = sorted(SCHEMA.query_type.fields)
GENERATED = st.sampled_from(_query_fields).flatmap(
    lambda field: st.one_of(
        queries(SCHEMA, fields=[field], custom_scalars=SCALARS),
        queries(SCHEMA, fields=[field], custom_scalars=SCALARS, allow_null=False),
    )
)


@settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(query=GENERATED, who=st.sampled_from(WHO))
async def test_generated_queries_answer_alike_on_both_executors(
    pair: Pair, query: str, who: str
) -> None:
    fast, reference = await pair.ask(query, {}, who)

    assert fast == reference
