"""What the API's scalars accept beyond their format: every input value is checked here, at
the edge, before a resolver or the database sees it.

graphql-core already refuses what a scalar cannot represent (an Int beyond 32 bits, a
Float that is not finite, a Date that is not ISO 8601). This refuses what parses but the
platform cannot store or mean:

- text (String, ID, any value sent as a string) holding a character PostgreSQL cannot
  store (NUL) or nobody types: the other C0 controls except tab, line feed and carriage
  return; and unpaired surrogates, which JSON lets through (`"\\ud800"`) but UTF-8 cannot
  encode;
- a Date or DateTime outside 1900-01-01..2200-12-31: no course, intake or certificate
  lies beyond, and dates far beyond overflow the arithmetic the search does on them;
- a Time with a UTC offset: lesson times are local (Europe/Amsterdam) wall-clock times.

GraphQL's own String, ID, Int, Float and Boolean are reserved (graphql-core refuses to
redefine them), so these checks are not scalar overrides but one pass over the values by
the type each is given to: a validation rule over the document's literals (cached with
the document's validation) and a walk over the operation's variables before execution.
Each refusal is a BAD_USER_INPUT with a stable reason, naming the argument or input field.
Domain limits (a price, a radius, a page size) stay with the domains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

from graphql import (
    BREAK,
    SKIP,
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    Node,
    ObjectFieldNode,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_operation_ast,
    type_from_ast,
    visit,
)
from strawberry.extensions import SchemaExtension

from market.kernel.errors import InvalidInput

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)

# C0 controls but tab, line feed and carriage return; and surrogates, which in a Python
# string only ever stand unpaired.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class UnstorableCharacter(InvalidInput):
    reason = "UnstorableCharacter"
    message = (
        "Text may not contain control characters (other than tab and line breaks) "
        "or unpaired surrogates."
    )


class DateOutOfRange(InvalidInput):
    reason = "DateOutOfRange"
    message = "Give a date from {min} to {max}."

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(field=field, min=EARLIEST_DATE.isoformat(), max=LATEST_DATE.isoformat())


class TimeWithOffset(InvalidInput):
    reason = "TimeWithOffset"
    message = "Give a local time without a UTC offset, e.g. 18:30:00."


Refusal = type[InvalidInput]


def _within_dates(value: Any) -> Refusal | None:
    day = value.date() if isinstance(value, datetime) else value
    return None if EARLIEST_DATE <= day <= LATEST_DATE else DateOutOfRange


def _local_time(value: Any) -> Refusal | None:
    return TimeWithOffset if isinstance(value, time) and value.tzinfo is not None else None


# By scalar name, a rule over the value the scalar parsed (so exactly its formats count).
_PARSED_RULES: dict[str, Callable[[Any], Refusal | None]] = {
    "Date": _within_dates,
    "DateTime": _within_dates,
    "Time": _local_time,
}


def refusal(type_: GraphQLNamedType | None, text: str) -> Refusal | None:
    """Why text given for a value of `type_` is refused; None when it is not."""
    if _UNSTORABLE.search(text):
        return UnstorableCharacter
    if not isinstance(type_, GraphQLScalarType) or type_.name not in _PARSED_RULES:
        return None
    try:
        parsed = type_.parse_value(text)
    except (GraphQLError, ValueError, TypeError, OverflowError):
        return None  # not of the type at all: graphql-core's coercion says so
    return _PARSED_RULES[type_.name](parsed)


class StorableLiterals(ValidationRule):
    """Refuses a string literal in the document that `refusal` refuses."""

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: list[Any]
    ) -> None:
        refused = refusal(get_named_type(self.context.get_input_type()), node.value)
        if refused is not None:
            error = refused(field=_field_of([*ancestors, parent]))
            self.report_error(GraphQLError(error.message, node, original_error=error))


def _field_of(ancestors: list[Node | Any]) -> str | None:
    """The input field, argument or variable a value is given for (a list's items are
    given for the list's field), from its ancestors, its parent last."""
    for node in reversed(ancestors):
        if isinstance(node, (ArgumentNode, ObjectFieldNode)):
            return node.name.value
        if isinstance(node, VariableDefinitionNode):
            return node.variable.name.value
    return None


def check_variables(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> None:
    """Raises the refusal of a text among the operation's variables, naming the input field
    it is in, or else the argument the variable is given for. Variables the operation does
    not declare are never used, so never checked."""
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in variables:
            continue
        declared = type_from_ast(schema, definition.type)
        for type_, text, field in _texts(variables[name], declared, None):
            refused = refusal(get_named_type(type_), text)
            if refused is not None:
                raise refused(field=field or _use_of(document, name))


def _use_of(document: DocumentNode, variable: str) -> str:
    """The argument or input field a variable is first given for (its own name if none:
    graphql-core refuses an unused variable before this is asked)."""
    use = _VariableUse(variable)
    visit(document, use)
    return use.field or variable


class _VariableUse(Visitor):
    def __init__(self, variable: str) -> None:
        super().__init__()
        self.variable = variable
        self.field: str | None = None

    def enter_variable_definition(self, *_: Any) -> Any:
        return SKIP  # the declaration, not a use

    def enter_variable(
        self, node: VariableNode, _key: Any, parent: Any, _path: Any, ancestors: list[Any]
    ) -> Any:
        if node.name.value != self.variable:
            return None
        self.field = _field_of([*ancestors, parent])
        return BREAK


def _texts(
    value: Any, type_: GraphQLType | None, field: str | None
) -> Iterator[tuple[Any, str, str | None]]:
    """Every string in a variable's value with the type it is given for and the input field
    it is in (None at the top). Without recursion: a value nested a thousand deep must not
    exhaust the stack."""
    pending: list[tuple[Any, GraphQLType | None, str | None]] = [(value, type_, field)]
    while pending:
        value, type_, field = pending.pop()
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(value, str):
            # Given for a list type too: coercion takes a single value as its one item.
            yield type_, value, field
        elif isinstance(value, list):
            item = type_.of_type if isinstance(type_, GraphQLList) else type_
            pending.extend((element, item, field) for element in value)
        elif isinstance(value, dict):
            fields = type_.fields if isinstance(type_, GraphQLInputObjectType) else {}
            for key, element in value.items():
                known = fields.get(key)
                pending.append((element, known.type if known else None, key))


class InputEdge(SchemaExtension):
    """Applies the checks above to every operation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # A class of its own, not one per request: the validation cache keys on the rules.
        context.validation_rules = (*context.validation_rules, StorableLiterals)
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.variables and document is not None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                check_variables(context.schema._schema, document, operation, context.variables)
        yield
