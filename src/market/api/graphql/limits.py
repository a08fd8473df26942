"""What one GraphQL request may ask of the server: depth, aliases and cost, each measured in
one pass over the document, and validation done once per normalised document.

A fragment is measured once and its measure reused wherever it is spread, so a document of
fragments that each spread the previous one twice (the measure doubles per level) costs a
few microseconds per fragment to measure, and is refused for its cost, not executed.

The cost is an upper bound of the values an answer holds:
- every selected field costs 1, plus what is selected below it;
- a connection's `first` multiplies its `nodes`: the number written in the query; a
  variable counts as the largest page (its value is not known when the document is
  validated, and validation is cached per document); absent, the field's default page;
- any other list of objects counts as `LIST_SIZE` items;
- aliases add: a field asked twice under two names costs twice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    is_composite_type,
    print_ast,
)
from graphql.language.visitor import SKIP, VisitorAction
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from market.kernel.errors import InvalidInput
from market.kernel.pagination import DEFAULT_PAGE_SIZE

# What a list of objects without a page size counts as: an intake list, a facet's values.
LIST_SIZE = 10


class QueryTooDeep(InvalidInput):
    reason = "QueryTooDeep"
    message = "The query nests {depth} levels deep; at most {max} are allowed."

    def __init__(self, depth: int, limit: int) -> None:
        super().__init__(depth=depth, max=limit)


class TooManyAliases(InvalidInput):
    reason = "TooManyAliases"
    message = "The query uses {aliases} aliases; at most {max} are allowed."

    def __init__(self, aliases: int, limit: int) -> None:
        super().__init__(aliases=aliases, max=limit)


class QueryTooCostly(InvalidInput):
    reason = "QueryTooCostly"
    message = (
        "The query costs {cost}, more than the budget of {budget}: ask for smaller pages "
        "(first), fewer fields or fewer aliases."
    )

    def __init__(self, cost: int, budget: int) -> None:
        super().__init__(cost=cost, budget=budget)


class QueryTimedOut(InvalidInput):
    reason = "QueryTimedOut"
    message = (
        "The query took longer than {seconds:g} seconds and was stopped: ask for smaller "
        "pages (first) or fewer fields."
    )

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds=seconds)


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_cost: int
    # What a `first` given by a variable counts as.
    max_page_size: int


@dataclass(frozen=True, slots=True)
class Measure:
    """A selection's measure. `per_item` is the cost of the `nodes` it selects, which the
    enclosing connection multiplies by its page size."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    per_item: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.cost + other.cost,
            self.per_item + other.per_item,
        )


_NOTHING = Measure()


class _Measurer:
    """Measures the operations of one document; each fragment once."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, max_page_size: int):
        self.schema = schema
        self.max_page_size = max_page_size
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, Measure] = {}

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        root = self.schema.get_root_type(operation.operation)
        return _NOTHING if root is None else self.selections(operation.selection_set, root)

    def selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLCompositeType | None
    ) -> Measure:
        total = _NOTHING
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> Measure:
        known = self.measured.get(name)
        if known is not None:
            return known
        # Unknown fragments and cycles are other rules' errors: measured as nothing here.
        self.measured[name] = _NOTHING
        definition = self.fragments.get(name)
        if definition is not None:
            condition = self._type(definition.type_condition.name.value)
            self.measured[name] = self.selections(definition.selection_set, condition)
        return self.measured[name]

    def field(self, node: FieldNode, parent: GraphQLCompositeType | None) -> Measure:
        definition = self.schema.get_field(parent, node.name.value) if parent is not None else None
        type_ = definition.type if definition is not None else None
        named = get_named_type(type_) if type_ is not None else None
        below = self.selections(
            node.selection_set,
            named if is_composite_type(named) else None,
        )
        inner = below.cost + self._page_size(node, definition) * below.per_item
        depth = below.depth + 1 if node.selection_set else 0
        aliases = below.aliases + (1 if node.alias else 0)
        if node.selection_set and type_ is not None and _is_list(type_):
            if node.name.value == "nodes":
                return Measure(depth, aliases, 1, inner)
            return Measure(depth, aliases, 1 + LIST_SIZE * inner)
        return Measure(depth, aliases, 1 + inner)

    def _page_size(self, node: FieldNode, definition: GraphQLField | None) -> int:
        if definition is None or "first" not in definition.args:
            return 1
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = argument.value
                # A number too long to be an Int is refused by its coercion; not read here.
                if isinstance(value, IntValueNode) and len(value.value) <= 10:
                    return max(int(value.value), 0)
                return self.max_page_size
        default = definition.args["first"].default_value
        return default if isinstance(default, int) else DEFAULT_PAGE_SIZE

    def _type(self, name: str) -> GraphQLCompositeType | None:
        type_ = self.schema.get_type(name)
        return type_ if is_composite_type(type_) else None


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def measure(schema: GraphQLSchema, document: DocumentNode, max_page_size: int) -> list[Measure]:
    """Each operation's measure, in the document's order."""
    measurer = _Measurer(schema, document, max_page_size)
    return [
        measurer.operation(definition)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def limits_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule refusing operations beyond the limits, each with a typed error."""

    class LimitsRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> VisitorAction:
            context: ValidationContext = self.context
            for found in measure(context.schema, node, limits.max_page_size):
                if found.depth > limits.max_depth:
                    self._refuse(QueryTooDeep(found.depth, limits.max_depth))
                if found.aliases > limits.max_aliases:
                    self._refuse(TooManyAliases(found.aliases, limits.max_aliases))
                if found.cost > limits.max_cost:
                    self._refuse(QueryTooCostly(found.cost, limits.max_cost))
            return SKIP

        def _refuse(self, error: InvalidInput) -> None:
            self.report_error(GraphQLError(error.message, original_error=error))

    return LimitsRule


class ValidationCache:
    """Validation results by normalised document (printed without comments and spacing),
    so that no text variant of a document is validated twice, shared by every request of
    one schema. A document is first looked up by identity: a repeated query text comes back
    from the parser cache as the same document, and is not printed again."""

    def __init__(self, rules: Sequence[type[ASTValidationRule]], maxsize: int = 1000) -> None:
        # Added to each request's own (graphql-core's specified rules).
        self.rules = tuple(rules)
        self.maxsize = maxsize
        # How many documents were validated (not found in the cache), for tests and figures.
        self.validated = 0
        self._by_text: OrderedDict[tuple[Any, str], list[GraphQLError]] = OrderedDict()
        # id -> (document, rules, errors): the document is kept so that its id is not reused.
        self._by_document: OrderedDict[int, tuple[DocumentNode, Any, list[GraphQLError]]] = (
            OrderedDict()
        )

    def errors(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        rules = (*rules, *self.rules)
        known = self._by_document.get(id(document))
        if known is not None and known[1] == rules:
            self._by_document.move_to_end(id(document))
            return known[2]
        key = (rules, print_ast(document))
        errors = self._by_text.get(key)
        if errors is None:
            errors = validate_document(schema, document, rules)
            self.validated += 1
        _remember(self._by_text, key, errors, self.maxsize)
        _remember(self._by_document, id(document), (document, rules, errors), self.maxsize)
        return errors

    def extension(self) -> Callable[[], SchemaExtension]:
        """A factory of the schema extension that validates through this cache."""
        cache = self

        class CachedValidation(SchemaExtension):
            def on_validate(self) -> Iterator[None]:
                context = self.execution_context
                assert context.graphql_document is not None
                context.pre_execution_errors = cache.errors(
                    context.schema._schema, context.graphql_document, context.validation_rules
                )
                yield

        return CachedValidation


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, maxsize: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    if len(cache) > maxsize:
        cache.popitem(last=False)
