"""A faster path through graphql-core's executor for the plain parts of a response.

A search page is about 700 fields, nearly all plain attributes (a title, a price, a date)
of some 120 objects. graphql-core treats each field as a full resolution: a path, a
resolve-info object, argument parsing, two awaitable checks and a nested completion for
the non-null wrapper; and each object passes through several layers of dispatch. That was
most of the CPU a search cost in Python. Here:

- a field Strawberry itself calls *basic* (no resolver, no field extensions, no
  arguments: its value is the source's attribute) whose type is a scalar or enum, or a
  list of them, is read directly and coerced by the same `coerce_output_value` the
  executor would call (an enum member's name by one lookup);
- an object with no runtime type check and no `@defer` below it goes straight to its
  fields; and a basic field holding such an object, or a list of them (a hit's course,
  a page's hits, an intake list), is read directly and its objects' fields executed at
  once, with the executor's own error handling at the same paths;
- an object whose selection is plain all the way down (a search page: its hits, their
  courses, providers and intakes, the facets) is answered by one function built once per
  request for that selection: no paths, no per-field dispatch.

A field with a resolver always takes graphql-core's own path: its resolver runs, whatever
the source holds. Everything else takes that path too, and so does any basic field whose
value would be an error (null for a non-null field, an attribute that raises, a value its
scalar refuses): the readers then refuse (`_Refused`) and the full path reports it exactly
as it always would. Reading an attribute twice is harmless, which is what makes that
fallback safe. Only that refusal sends a field back: any other exception here is a bug of
this module and surfaces as one.

Middleware (a schema extension's `resolve`) must see every field, so with any the whole
of this is off; tests/api/test_graphql_execution.py checks that the served schema has none.
"""

from __future__ import annotations

import asyncio
import math
import operator
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLBoolean,
    GraphQLError,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    OperationType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from market.api.graphql.limits import QueryTimedOut

Reader = Callable[[Any], Any]


class _Refused(Exception):
    """The value is not a plain one (or reading it raised): let graphql-core's full path
    handle (and report) it."""


class _Nested:
    """A basic field whose value is an object, or a list of objects (`item` set), of a
    type with no runtime type check: read directly, its objects' fields executed at once."""

    __slots__ = ("get", "item", "object_type", "type_")

    def __init__(
        self,
        get: Reader,
        type_: GraphQLOutputType,
        object_type: GraphQLObjectType,
        item: GraphQLOutputType | None,
    ) -> None:
        self.get, self.type_, self.object_type, self.item = get, type_, object_type, item

    def built(self, build: Reader) -> Reader:
        """Reads the field and answers its object(s) by `build`, refusing whatever
        `_nested` would leave to the full path."""
        non_null = isinstance(self.type_, GraphQLNonNull)
        if self.item is None:
            whole = _answer(build, non_null)
        else:
            item_of = _answer(build, isinstance(self.item, GraphQLNonNull))

            def items(value: Any) -> list[Any]:
                if type(value) not in (list, tuple):  # anything else: the full path
                    raise _Refused
                return [item_of(item) for item in value]

            whole = _answer(items, non_null)
        get = self.get

        def read(source: Any) -> Any:
            try:
                value = get(source)
            except Exception as error:  # the source's own failure: the full path reports it
                raise _Refused from error
            return whole(value)

        return read


def _answer(build: Reader, non_null: bool) -> Reader:
    """A value answered by `build`; a null as null where allowed; anything else refused."""

    def answer(value: Any) -> Any:
        if value is None or value is Undefined:
            if non_null:
                raise _Refused
            return None
        if isinstance(value, Exception):
            raise _Refused
        return build(value)

    return answer


def _object_of(readers: tuple[tuple[str, Reader], ...]) -> Reader:
    def build(source: Any) -> dict[str, Any]:
        return {name: read(source) for name, read in readers}

    return build


# Per selection: each response key with its reader (None: the full path), and the fields
# that take the full path.
_Plan = tuple[list[tuple[str, "Reader | _Nested | None"]], GroupedFieldSet]
_REFUSED = object()  # a nested field's value the full path must handle (and report)


class Executor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Middleware (a schema extension's `resolve`) must see every field: no shortcut then.
        self._readers = None if manager and manager.middlewares else _readers_of(self.schema)
        # By the selection's identity, which the executor's own memo keeps alive.
        self._plans: dict[int, tuple[GroupedFieldSet, _Plan]] = {}
        # Likewise: the selection's one function, None when not plain all the way down or
        # when some value under it was not plain (so that a list of such objects tries once).
        self._builds: dict[int, tuple[GroupedFieldSet, Reader | None]] = {}

    @property
    def direct(self) -> bool:
        """Whether plain fields take the direct path (no middleware to see them)."""
        return self._readers is not None

    # Seconds a query may run before it is stopped; None: no limit (see within_budget).
    time_budget: float | None = None

    @classmethod
    def within_budget(cls, seconds: float) -> type[Executor]:
        """The executor stopping a query that runs past `seconds`. A mutation always runs to
        its end: stopping it could leave its commit's outcome unknown to its client."""
        return type(cls.__name__, (cls,), {"time_budget": seconds})

    def execute_operation(self, serially: bool | None = None) -> Any:
        result = super().execute_operation(serially)
        seconds = self.time_budget
        if (
            seconds is None
            or not self.is_awaitable(result)
            or self.operation.operation is not OperationType.QUERY
        ):
            return result

        async def within_budget() -> Any:
            try:
                async with asyncio.timeout(seconds):
                    return await result
            except TimeoutError:
                stopped = QueryTimedOut(seconds)
                self.collected_errors.add(
                    GraphQLError(stopped.message, original_error=stopped), None
                )
                return self.build_response(None)

        return within_budget()

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if self._readers is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        if position_context is None:
            build = self._build(parent_type, grouped_field_set)
            if build is not None:
                try:
                    return build(source_value)
                except _Refused:
                    # A value below is not plain: the path below finds it and reports it.
                    self._builds[id(grouped_field_set)] = (grouped_field_set, None)
        order, rest = self._plan(parent_type, grouped_field_set)
        # Every key in the query's order; the full path's values replace the placeholders.
        results: dict[str, Any] = {}
        refused: list[str] = []
        pending: dict[str, Any] = {}
        try:
            for name, read in order:
                results[name] = None
                if read is None:
                    continue
                if isinstance(read, _Nested):
                    completed = self._nested(
                        read, grouped_field_set[name], Path(path, name, parent_type.name),
                        source_value, position_context,
                    )  # fmt: skip
                    if completed is _REFUSED:
                        refused.append(name)
                    elif self.is_awaitable(completed):
                        pending[name] = completed
                    else:
                        results[name] = completed
                    continue
                try:
                    results[name] = read(source_value)
                except _Refused:
                    refused.append(name)
            if refused:
                rest = {name: grouped_field_set[name] for name in [*rest, *refused]}
            others = (
                super().execute_fields(parent_type, source_value, path, rest, position_context)
                if rest
                else {}
            )
        except Exception:
            # A null bubbling up: settle what siblings started, as graphql-core does.
            if pending:
                self.settle_in_background(list(pending.values()))
            raise
        if not pending and isinstance(others, dict):
            results.update(others)
            return results

        async def merged() -> dict[str, Any]:
            if isinstance(others, dict):
                results.update(others)
                full_path = []
            else:
                full_path = [others]
            awaited = await gather_with_cancel(*pending.values(), *full_path)
            results.update(zip(pending, awaited, strict=False))  # the nested fields first
            if full_path:
                results.update(awaited[-1])
            return results

        return merged()

    def _nested(
        self,
        read: _Nested,
        field_details_list: FieldDetailsList,
        path: Path,
        source: Any,
        position_context: Any,
    ) -> Any:
        """The completed value of a nested field, as graphql-core's execute_field and
        complete_list_value would give it; _REFUSED for anything they must handle."""
        if position_context is not None or any(
            details.node.directives for details in field_details_list
        ):
            return _REFUSED
        try:
            value = read.get(source)
        except Exception:  # the source's own failure: the full path reports it
            return _REFUSED
        if value is None or value is Undefined:
            return _REFUSED if isinstance(read.type_, GraphQLNonNull) else None
        if read.item is None:
            items = [value]
        elif isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
            return _REFUSED
        else:
            items = list(value)
        item_non_null = isinstance(read.item, GraphQLNonNull)
        if any(isinstance(item, Exception) or (item is None and item_non_null) for item in items):
            return _REFUSED
        fields = self._subfields(read.object_type, field_details_list)
        if fields is None:
            return _REFUSED
        if read.item is None:
            return self._completed(
                read.object_type, read.type_, value, path, field_details_list, fields
            )
        completed: list[Any] = []
        try:
            for i, item in enumerate(items):
                completed.append(
                    None
                    if item is None
                    else self._completed(
                        read.object_type, read.item, item, path.add_key(i, None),
                        field_details_list, fields,
                    )
                )  # fmt: skip
        except Exception as raw_error:
            started = [item for item in completed if self.is_awaitable(item)]
            if started:
                self.settle_in_background(started)
            self.handle_field_error(raw_error, read.type_, field_details_list, path)
            return None
        waiting = [i for i, item in enumerate(completed) if self.is_awaitable(item)]
        if not waiting:
            return completed

        async def awaited() -> list[Any] | None:
            try:
                values = await gather_with_cancel(*(completed[i] for i in waiting))
            except Exception as raw_error:
                self.handle_field_error(raw_error, read.type_, field_details_list, path)
                return None
            for i, item in zip(waiting, values, strict=True):
                completed[i] = item
            return completed

        return awaited()

    def _completed(
        self,
        object_type: GraphQLObjectType,
        type_: GraphQLOutputType,
        value: Any,
        path: Path,
        field_details_list: FieldDetailsList,
        fields: GroupedFieldSet,
    ) -> Any:
        """An object's fields executed, with execute_field's error handling for a value of
        `type_` at `path` (complete_list_item_value's for a list item): an error under a
        non-null type goes on up, else it is recorded and the value is null."""
        try:
            completed = self.execute_fields(object_type, value, path, fields, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, type_, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def awaited() -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, type_, field_details_list, path)
                return None

        return awaited()

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # An object (a hit, its course, an intake) with no runtime type check and no @defer
        # below it goes straight to its fields, past graphql-core's layers of dispatch.
        object_type = return_type
        if isinstance(object_type, GraphQLNonNull):
            object_type = object_type.of_type
        if (
            isinstance(object_type, GraphQLObjectType)
            and object_type.is_type_of is None
            and position_context is None
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            fields = self._subfields(object_type, field_details_list)
            if fields is not None:
                return self.execute_fields(object_type, result, path, fields, None)
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _subfields(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> GroupedFieldSet | None:
        """The object's selected fields; None with @defer below (graphql-core's own path)."""
        collected = self.collect_subfields(object_type, field_details_list)
        return None if collected.new_defer_usages else collected.grouped_field_set

    def _build(
        self, object_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Reader | None:
        """The function answering the selection at once; None if it is not plain."""
        known = self._builds.get(id(grouped_field_set))
        if known is not None:
            return known[1]
        build = self._compiled(object_type, grouped_field_set)
        self._builds[id(grouped_field_set)] = (grouped_field_set, build)
        return build

    def _compiled(
        self, object_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> Reader | None:
        assert self._readers is not None
        readers: list[tuple[str, Reader]] = []
        for name, field_details_list in grouped_field_set.items():
            read = self._readers.get(
                self.schema, object_type, field_details_list[0].node.name.value
            )
            if isinstance(read, _Nested):
                if any(details.node.directives for details in field_details_list):
                    return None
                fields = self._subfields(read.object_type, field_details_list)
                inner = None if fields is None else self._build(read.object_type, fields)
                if inner is None:
                    return None
                read = read.built(inner)
            elif read is None:
                return None
            readers.append((name, read))
        return _object_of(tuple(readers))

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> _Plan:
        known = self._plans.get(id(grouped_field_set))
        if known is not None:
            return known[1]
        assert self._readers is not None
        order: list[tuple[str, Reader | _Nested | None]] = []
        rest: GroupedFieldSet = {}
        for name, field_details_list in grouped_field_set.items():
            read = self._readers.get(
                self.schema, parent_type, field_details_list[0].node.name.value
            )
            order.append((name, read))
            if read is None:
                rest[name] = field_details_list
        plan = (order, rest)
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan


class _Readers:
    """How to read each field of a schema directly (None: it takes the full path). Holds no
    reference to the schema, so that the schema's entry in `_readers` can go with it."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], Reader | _Nested | None] = {}

    def get(
        self, schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str
    ) -> Reader | _Nested | None:
        key = (parent_type.name, name)
        if key not in self.known:
            self.known[key] = _plain_reader(schema, parent_type, name)
        return self.known[key]


_readers: weakref.WeakKeyDictionary[GraphQLSchema, _Readers] = weakref.WeakKeyDictionary()


def _readers_of(schema: GraphQLSchema) -> _Readers:
    readers = _readers.get(schema)
    if readers is None:
        readers = _readers[schema] = _Readers()
    return readers


def _plain_reader(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str
) -> Reader | _Nested | None:
    if name == "__typename":
        return lambda _source: parent_type.name
    field_def = schema.get_field(parent_type, name)
    if field_def is None or field_def.args:
        return None
    definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    get = _getter(definition)
    if get is None:
        return None
    type_ = field_def.type
    nested = _nested_of(type_, get)
    if nested is not None:
        return nested
    # The common case in one function: a non-null scalar or enum.
    if isinstance(type_, GraphQLNonNull) and is_leaf_type(type_.of_type):
        return _non_null(_leaf(type_.of_type, get))
    complete = _completer(type_)
    if complete is None:
        return None

    def read(source: Any) -> Any:
        try:
            value = get(source)
        except Exception as error:  # the source's own failure: the full path reports it
            raise _Refused from error
        return complete(value)

    return read


def _getter(definition: StrawberryField) -> Reader | None:
    """How to read the field's value from its source; None if only its resolver can."""
    if definition.base_resolver is not None:
        return None
    attribute, resolve = definition.python_name, definition.default_resolver
    if resolve is getattr:
        return operator.attrgetter(attribute)
    return lambda source: resolve(source, attribute)


def _nested_of(type_: GraphQLOutputType, get: Reader) -> _Nested | None:
    """A field of an object type, or a list of one, whose objects need no runtime type check;
    None for other types."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    item = inner.of_type if isinstance(inner, GraphQLList) else None
    named = item if item is not None else inner
    if isinstance(named, GraphQLNonNull):
        named = named.of_type
    if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
        return _Nested(get, type_, named, item)
    return None


def _completer(type_: GraphQLOutputType) -> Reader | None:
    """How to complete a value of a leaf type, or of a list of them; None for other types."""
    if isinstance(type_, GraphQLNonNull):
        inner = _completer(type_.of_type)
        return None if inner is None else _non_null(inner)
    if isinstance(type_, GraphQLList):
        item = _completer(type_.of_type)
        return None if item is None else _list_of(item)
    if is_leaf_type(type_):
        return _leaf(type_)
    return None


def _non_null(inner: Reader) -> Reader:
    def complete(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _Refused
        return completed

    return complete


def _list_of(item: Reader) -> Reader:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, (str, bytes, dict)):
            raise _Refused
        try:
            return [item(element) for element in value]
        except _Refused:
            raise
        except Exception as error:  # not iterable: the full path reports it
            raise _Refused from error

    return complete


def _leaf(type_: GraphQLLeafType, get: Reader | None = None) -> Reader:
    """Coerces a value, or (with `get`) the value `get` reads from a source."""
    coerce = _enum_names(type_) if isinstance(type_, CustomGraphQLEnumType) else None
    coerce = coerce or type_.coerce_output_value
    plain = _PLAIN.get(type_)

    def complete(value: Any) -> Any:
        try:
            if get is not None:
                value = get(value)
            if plain is not None and plain(value):
                return value
            if value is None or value is Undefined:
                return None
            coerced = coerce(value)
        except Exception as error:  # the source's or the scalar's: the full path reports it
            raise _Refused from error
        if coerced is None or coerced is Undefined:
            raise _Refused
        return coerced

    return complete


# Values the standard scalars return unchanged, told by one check (their coercion tries the
# conversions one by one): a str, a bool, an int within 32 bits, a finite float.
_PLAIN: dict[GraphQLLeafType, Reader] = {
    GraphQLString: lambda value: type(value) is str,
    GraphQLID: lambda value: type(value) is str,
    GraphQLBoolean: lambda value: type(value) is bool,
    GraphQLInt: lambda value: type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT,
    GraphQLFloat: lambda value: type(value) is float and math.isfinite(value),
}


def _enum_names(type_: CustomGraphQLEnumType) -> Reader:
    """A Python enum member's GraphQL name by one lookup (Strawberry's own coercion searches
    the enum's values one by one); any other value takes Strawberry's way."""
    names = {value.value: name for name, value in type_.values.items()}
    enum, coerce = type_.wrapped_cls, type_.coerce_output_value

    def name_of(value: Any) -> Any:
        if isinstance(value, enum):
            name = names.get(value.value)
            if name is not None:
                return name
        return coerce(value)

    return name_of
