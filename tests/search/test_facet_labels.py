"""Facet labels come from one place (market.search.labels, translated in the `labels`
catalogs), in the language the request accepts (Dutch by default), with their stable keys
beside them."""

from __future__ import annotations

from typing import Any

import pytest

from market.catalog.models import Format, Route, ScheduleKind
from market.catalog.policies import SUPPORT_LANGUAGES
from market.db.database import Database
from market.kernel.i18n import Language, negotiate
from market.search.criteria import Certification, FacetField, PriceBand
from market.search.labels import (
    FACET_LABELS,
    facet_label,
    label_key,
    support_language_options,
)
from tests.support.catalog import add_listed_course, add_provider
from tests.support.graphql import GraphQLClient

FACETS = "{ searchCourses { facets { field values { value label labelKey } } } }"

FIXED_VALUES = {
    FacetField.ROUTE: Route,
    FacetField.SCHEDULE_KIND: ScheduleKind,
    FacetField.FORMAT: Format,
    FacetField.CERTIFICATION: Certification,
    FacetField.PRICE_BAND: PriceBand,
}


def test_every_fixed_facet_value_is_worded_in_every_language() -> None:
    keys = {label_key(field, m.name) for field, values in FIXED_VALUES.items() for m in values}
    keys |= {label_key(FacetField.SUPPORT_LANGUAGE, code) for code in SUPPORT_LANGUAGES}

    assert set(FACET_LABELS) == keys
    # (Each in every language: tests/platform/test_catalogs.py.)
    assert facet_label("route.B1", Language.AR, named="B1") == "مسار B1"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", Language.NL),
        ("en", Language.EN),
        ("en-GB,en;q=0.9", Language.EN),
        ("de-DE, en;q=0.5, nl;q=0.4", Language.EN),
        ("nl;q=0.3, en;q=0.8", Language.EN),
        ("en;q=0, nl", Language.NL),
        ("fr, de", Language.NL),
        ("*", Language.NL),
        ("en;q=nonsense, nl", Language.NL),
        ("EN-us", Language.EN),
        ("ti-ER, ar;q=0.9", Language.TI),
        ("fa, ar-SY;q=0.5, tr;q=0.4", Language.AR),
    ],
)
def test_the_language_is_the_most_wanted_one_spoken_here(header: str, language: Language) -> None:
    assert negotiate(header) is language


async def facets(gql: GraphQLClient, language: str | None) -> dict[str, list[dict[str, Any]]]:
    data = (await gql(FACETS, language=language)).ok()["searchCourses"]
    return {facet["field"]: facet["values"] for facet in data["facets"]}


async def test_labels_answer_in_the_accepted_language_with_their_keys(
    db: Database, gql: GraphQLClient
) -> None:
    await add_listed_course(db, await add_provider(db))

    dutch = await facets(gql, None)
    english = await facets(gql, "en-GB,en;q=0.9,nl;q=0.8")

    assert dutch["ROUTE"] == [{"value": "B1", "label": "B1-route", "labelKey": "route.B1"}]
    assert english["ROUTE"] == [{"value": "B1", "label": "B1 route", "labelKey": "route.B1"}]
    assert english["SUPPORT_LANGUAGE"] == [
        {"value": "en", "label": "English", "labelKey": "support_language.en"}
    ]
    assert english["FORMAT"] == [
        {"value": "CLASSROOM", "label": "In a classroom", "labelKey": "format.CLASSROOM"}
    ]
    # Names and codes are the same in every language.
    assert english["REGION"] == dutch["REGION"]
    level = {"value": "B1", "label": "B1", "labelKey": "level.B1"}
    assert english["LEVEL"] == dutch["LEVEL"] == [level]
    assert dutch["REGION"][0]["labelKey"] == f"region.{dutch['REGION'][0]['value']}"


def test_the_support_languages_a_page_offers_are_every_listed_one_by_its_name() -> None:
    dutch = support_language_options(Language.NL)
    english = support_language_options(Language.EN)

    assert sorted(code for code, _ in dutch) == sorted(SUPPORT_LANGUAGES)
    assert dutch[:3] == [("am", "Amhaars"), ("ar", "Arabisch"), ("bg", "Bulgaars")]
    assert ("uk", "Oekraïens") in dutch
    assert english[:3] == [("am", "Amharic"), ("ar", "Arabic"), ("bg", "Bulgarian")]
    assert ("prs", "Dari") in english
