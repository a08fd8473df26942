"""The Meilisearch backend's translation of the search contract into Meilisearch's
documented syntax: filter expressions, sort rules, facet conditions and the index settings
kept in search/. (No Meilisearch server runs here: these pin the strings it would get.)"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from market.catalog.models import Format, Level, Route, ScheduleKind
from market.search.criteria import CourseSearch, FacetField, Near, PriceBand, SearchSort
from market.search.documents import day_number
from market.search.meilisearch import (
    filters_for,
    fixed_facet_options,
    load_settings,
    quoted,
    sort_for,
    synonym_groups,
    synonym_map,
)

SEARCH_DIR = Path(__file__).resolve().parents[2] / "search"
TODAY = day_number(date(2026, 12, 1))  # 20788
CERTIFIED = f"(certification_valid_from <= {TODAY} AND certification_valid_until >= {TODAY})"


def test_day_numbers_count_days_since_1970() -> None:
    assert day_number(date(1970, 1, 1)) == 0
    assert TODAY == 20788


def test_every_search_shares_bookability_and_the_route_rules() -> None:
    filters = filters_for(CourseSearch(certified_only=False), TODAY)

    assert filters.expression() == [
        f"(continuous = true OR starts_on >= {TODAY})",
        f'(route != "z" OR {CERTIFIED})',
        '(route != "onderwijs" OR diploma_recognised = true)',
    ]


def test_each_filter_in_meilisearch_syntax() -> None:
    criteria = CourseSearch(
        query="avondles",
        routes=(Route.B1, Route.Z),
        levels=(Level.A2,),
        region_codes=("AM18",),
        municipality_codes=("GM0363", "GM0344"),
        near=Near(latitude=52.37, longitude=4.9, radius_km=12.5),
        min_price_cents=100_000,
        max_price_cents=400_000,
        price_bands=(PriceBand.FROM_2500_TO_5000,),
        max_price_per_hour_cents=1_500,
        schedule_kinds=(ScheduleKind.DAYTIME, ScheduleKind.EVENING),
        evening=True,
        weekend=True,
        formats=(Format.CLASSROOM,),
        online=True,
        max_wait_weeks=2,
        starts_before=date(2027, 1, 1),
        certified_only=True,
        contracted_by="GM0363",
    )

    filters = filters_for(criteria, TODAY)

    assert filters.shared[3:] == (
        'municipality_code IN ["GM0363", "GM0344"]',
        "_geoRadius(52.37, 4.9, 12500)",
        "price_cents >= 100000",
        "price_cents <= 400000",
        "price_per_hour_cents <= 1500",
        # At most two weeks: the expected start within 14 days of today.
        f"((continuous = true AND delay_days <= 14) OR "
        f"(continuous = false AND expected_start <= {TODAY + 14}))",
        # Strictly before 1 January 2027: on or before 31 December 2026 (day 20818).
        "((continuous = true AND delay_days <= 30) OR "
        "(continuous = false AND expected_start <= 20818))",
    )
    assert filters.owned == {
        FacetField.ROUTE: ('route IN ["b1", "z"]',),
        FacetField.LEVEL: ('level IN ["a2"]',),
        FacetField.REGION: ('region_code IN ["AM18"]',),
        FacetField.SCHEDULE_KIND: (
            'schedule_kinds IN ["daytime", "evening"]',
            'schedule_kinds = "evening"',
            'schedule_kinds = "weekend"',
        ),
        FacetField.FORMAT: ('format IN ["classroom"]', 'format IN ["online", "blended"]'),
        FacetField.CERTIFICATION: (CERTIFIED,),
        FacetField.PRICE_BAND: ('price_band IN ["2500_5000"]',),
        # Its own facet counts the other municipalities without it.
        FacetField.CONTRACTED_BY: ('contracted_by = "GM0363"',),
    }


def test_a_facet_is_counted_without_its_own_filters() -> None:
    filters = filters_for(CourseSearch(routes=(Route.B1,), levels=(Level.B1,)), TODAY)

    by_route = filters.expression(without=FacetField.ROUTE, extra='route = "z"')

    assert 'route IN ["b1"]' not in by_route
    assert by_route[-3:] == ['level IN ["b1"]', CERTIFIED, 'route = "z"']


def test_fixed_facet_values_and_their_conditions() -> None:
    options = fixed_facet_options(TODAY)

    assert [(o.field.value, o.value, o.condition) for o in options] == [
        ("route", "B1", 'route = "b1"'),
        ("route", "ONDERWIJS", 'route = "onderwijs"'),
        ("route", "Z", 'route = "z"'),
        ("level", "A1", 'level = "a1"'),
        ("level", "A2", 'level = "a2"'),
        ("level", "B1", 'level = "b1"'),
        ("level", "B2", 'level = "b2"'),
        ("schedule_kind", "DAYTIME", 'schedule_kinds = "daytime"'),
        ("schedule_kind", "EVENING", 'schedule_kinds = "evening"'),
        ("schedule_kind", "WEEKEND", 'schedule_kinds = "weekend"'),
        ("format", "CLASSROOM", 'format = "classroom"'),
        ("format", "ONLINE", 'format = "online"'),
        ("format", "BLENDED", 'format = "blended"'),
        ("certification", "CERTIFIED", CERTIFIED),
        ("certification", "UNCERTIFIED", f"NOT {CERTIFIED}"),
        ("price_band", "UNDER_2500", 'price_band = "under_2500"'),
        ("price_band", "FROM_2500_TO_5000", 'price_band = "2500_5000"'),
        ("price_band", "FROM_5000_TO_7500", 'price_band = "5000_7500"'),
        ("price_band", "FROM_7500_TO_10000", 'price_band = "7500_10000"'),
        ("price_band", "FROM_10000", 'price_band = "10000_up"'),
    ]


def test_values_are_quoted_and_escaped() -> None:
    assert quoted('GM0363" OR route = "z') == '"GM0363\\" OR route = \\"z"'
    assert quoted("back\\slash") == '"back\\\\slash"'


NEAR = Near(latitude=52.1, longitude=5.12, radius_km=10)


@pytest.mark.parametrize(
    ("sort", "query", "expected"),
    [
        (SearchSort.RELEVANCE, None, ["expected_start:asc", "price_cents:asc", "course_id:asc"]),
        (SearchSort.RELEVANCE, "knm", None),
        (SearchSort.PRICE, "knm", ["price_cents:asc", "course_id:asc"]),
        (SearchSort.PRICE_PER_HOUR, None, ["price_per_hour_cents:asc", "course_id:asc"]),
        (
            SearchSort.SOONEST_START,
            None,
            ["expected_start:asc", "price_cents:asc", "course_id:asc"],
        ),
        (
            SearchSort.SHORTEST_WAIT,
            None,
            ["expected_start:asc", "price_cents:asc", "course_id:asc"],
        ),
        (SearchSort.DISTANCE, None, ["_geoPoint(52.1, 5.12):asc", "course_id:asc"]),
        (
            SearchSort.RATING,
            None,
            ["rating_score:desc", "star_rating:desc", "course_id:asc"],
        ),
    ],
)
def test_sorts(sort: SearchSort, query: str | None, expected: list[str] | None) -> None:
    assert sort_for(CourseSearch(query=query, sort=sort, near=NEAR)) == expected


def test_synonym_groups_are_read_one_per_line(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("# a comment\n\nAvondles, avondlessen ,avondcursus\nalone\n", "utf-8")

    groups = synonym_groups(path)

    assert groups == [["avondles", "avondlessen", "avondcursus"]]
    assert synonym_map(groups) == {
        "avondcursus": ["avondles", "avondlessen"],
        "avondles": ["avondcursus", "avondlessen"],
        "avondlessen": ["avondcursus", "avondles"],
    }


def test_the_shipped_settings() -> None:
    settings = load_settings(SEARCH_DIR)

    # Sorting decides first; text relevance orders what the sort leaves tied.
    assert settings.ranking_rules == [
        "sort",
        "words",
        "typo",
        "proximity",
        "attribute",
        "exactness",
    ]
    assert settings.distinct_attribute == "course_id"
    synonyms = settings.synonyms or {}
    for a, b in [
        ("avondles", "avondlessen"),
        ("avondles", "avondcursus"),
        ("nt2", "nederlands als tweede taal"),
        ("inburgering", "inburgeringscursus"),
        ("knm", "kennis van de nederlandse maatschappij"),
        ("weekend", "zaterdag"),
        ("weekend", "zondag"),
    ]:
        assert b in synonyms[a]
        assert a in synonyms[b]
    stop_words = set(settings.stop_words or ())
    assert {"het", "voor", "met"} <= stop_words
    # A stop word inside a multi-word synonym would break that synonym's phrase.
    phrases = {word for term in synonyms if " " in term for word in term.split()}
    assert not stop_words & phrases


def test_every_attribute_the_queries_use_is_filterable_or_sortable() -> None:
    settings = load_settings(SEARCH_DIR)
    criteria = CourseSearch(
        routes=(Route.B1,),
        levels=(Level.B1,),
        region_codes=("AM18",),
        municipality_codes=("GM0363",),
        near=NEAR,
        min_price_cents=1,
        price_bands=(PriceBand.UNDER_2500,),
        max_price_per_hour_cents=1,
        schedule_kinds=(ScheduleKind.EVENING,),
        formats=(Format.ONLINE,),
        max_wait_weeks=1,
        starts_before=date(2027, 1, 1),
        contracted_by="GM0363",
    )
    text = " ".join(
        filters_for(criteria, TODAY).expression()
        + [o.condition for o in fixed_facet_options(TODAY)]
    )
    used = set(re.findall(r"([a-z_]+) (?:IN|=|!=|<=|>=|<|>) ", text)) | {"_geo"}
    assert used <= set(settings.filterable_attributes or ())
    sorted_on = {
        rule.split(":")[0].split("(")[0]
        for sort in SearchSort
        for rule in sort_for(CourseSearch(sort=sort, near=NEAR)) or ()
    }
    assert sorted_on - {"_geoPoint"} <= set(settings.sortable_attributes or ())
    assert "_geo" in (settings.sortable_attributes or ())
