"""Every fact declares the reason clients translate by, one of its own, written out rather
than taken from its class name, and graphql/ERRORS.md lists them all (the file's equality
with the code is checked in tests/platform/test_consistency.py)."""

from __future__ import annotations

from collections import Counter

from market.api.graphql.catalog.inputs import ValueRequired
from market.api.graphql.ids import MalformedId
from market.api.graphql.limits import QueryTooCostly
from market.api.graphql.reasons import document, facts, params
from market.kernel.pagination import InvalidCursor
from market.search.errors import RadiusOutOfRange


def test_every_fact_declares_its_own_reason() -> None:
    undeclared = [f"{f.__module__}.{f.__name__}" for f in facts() if "reason" not in vars(f)]

    assert undeclared == []


def test_no_two_facts_share_a_reason() -> None:
    counts = Counter(fact.reason for fact in facts())

    assert [reason for reason, n in counts.items() if n > 1] == []


def test_the_document_lists_every_reason_with_its_parameters() -> None:
    text = document()

    for fact in facts():
        names = ", ".join(f"`{name}`" for name in params(fact))
        assert f"| `{fact.reason}` | {fact.kind.value} | {names} |" in text


def test_facts_are_found_wherever_they_are_defined() -> None:
    found = set(facts())

    assert {ValueRequired, MalformedId, QueryTooCostly, InvalidCursor} <= found


def test_the_parameters_are_the_placeholders_of_the_message() -> None:
    assert params(RadiusOutOfRange) == ["min", "max"]
    assert RadiusOutOfRange(0.1, 250).message == "Search within 0.1 to 250 km."
    assert RadiusOutOfRange(0.1, 250).params == {"min": 0.1, "max": 250}
