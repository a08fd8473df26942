"""The search contract for `supportLanguages`: the contract catalog with the languages its
courses' staff speak, on every engine (Meilisearch too when MARKET_MEILISEARCH_URL is set:
the engine indexes this module's catalog, languages included)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from market.catalog.models import Course, Route
from market.db.database import Database
from market.kernel.errors import InvalidInput
from market.search.backend import SearchBackend
from market.search.criteria import CourseSearch, Facet, FacetField
from market.search.postgres import PostgresSearch
from market.search.service import NearPostcode
from tests.search.contract import conftest
from tests.search.contract.conftest import Catalog
from tests.search.contract.test_contract import chosen, names, run

LANGUAGES = {
    "dagles": ["ar", "ti"],
    "avondles": ["ti"],
    "online": ["uk"],
    "z": [],
    "schakel": ["en"],
    "goedkoop": ["ti", "tr"],  # uncertified: listed only without certifiedOnly
}


@pytest.fixture
async def catalog(db: Database) -> Catalog:
    """The contract catalog (conftest.build), its courses' languages changed afterwards:
    the search rows follow the catalog's update."""
    built = await conftest.build(db)
    async with db.transaction() as session:
        for name, languages in LANGUAGES.items():
            await session.execute(
                update(Course)
                .where(Course.id == built.courses[name])
                .values(support_languages=languages)
            )
    return built


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (CourseSearch(support_languages=("ti",)), ["dagles", "avondles"]),
        (
            CourseSearch(support_languages=("ti",), certified_only=False),
            ["dagles", "avondles", "goedkoop"],
        ),
        # Any of the languages asked for.
        (CourseSearch(support_languages=("uk", "en")), ["online", "schakel"]),
        (CourseSearch(support_languages=("fa",)), []),
        # Codes as typed: trimmed, any case, repeated.
        (CourseSearch(support_languages=(" TI", "ti")), ["dagles", "avondles"]),
        (CourseSearch(support_languages=("ti",), routes=(Route.B1,), evening=True), ["avondles"]),
        # With a place filter (the rows read one by one).
        (CourseSearch(support_languages=("ti",), municipality_codes=("GM0363",)), ["dagles"]),
        (CourseSearch(support_languages=("ti",), region_codes=("AM13",)), ["avondles"]),
    ],
)
async def test_support_languages_keep_the_courses_whose_staff_speak_any_of_them(
    db: Database,
    search_backend: SearchBackend,
    catalog: Catalog,
    criteria: CourseSearch,
    expected: list[str],
) -> None:
    result = await run(db, search_backend, criteria)

    assert sorted(names(catalog, result)) == sorted(expected)
    assert result.page.total_count == len(expected)


async def test_near_with_support_languages(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    result = await run(
        db,
        search_backend,
        CourseSearch(support_languages=("ti", "uk")),
        near=NearPostcode("1011 AB", 20),
    )

    assert names(catalog, result) == ["dagles"]


def languages(facets: tuple[Facet, ...]) -> dict[str, tuple[str, int]]:
    [facet] = [f for f in facets if f.field is FacetField.SUPPORT_LANGUAGE]
    return {v.value: (v.label, v.count) for v in facet.values}


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (
            CourseSearch(),
            {
                "ar": ("Arabisch", 1),
                "en": ("Engels", 1),
                "ti": ("Tigrinya", 2),
                "uk": ("Oekraïens", 1),
            },
        ),
        # Under its own filter the facet still counts every other choice.
        (
            CourseSearch(support_languages=("uk",), certified_only=False),
            {
                "ar": ("Arabisch", 1),
                "en": ("Engels", 1),
                "ti": ("Tigrinya", 3),
                "tr": ("Turks", 1),
                "uk": ("Oekraïens", 1),
            },
        ),
        (CourseSearch(routes=(Route.Z,)), {}),
        (
            CourseSearch(municipality_codes=("GM0344",)),
            {"en": ("Engels", 1), "ti": ("Tigrinya", 1)},
        ),
    ],
)
async def test_the_support_language_facet_counts_under_the_other_filters(
    db: Database,
    search_backend: SearchBackend,
    catalog: Catalog,
    criteria: CourseSearch,
    expected: dict[str, tuple[str, int]],
) -> None:
    result = await run(db, search_backend, criteria)

    assert languages(result.facets) == expected
    for code in expected:
        filtered = await run(
            db, search_backend, chosen(criteria, FacetField.SUPPORT_LANGUAGE, code)
        )
        assert filtered.page.total_count == expected[code][1]


async def test_hits_carry_their_courses_support_languages(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    result = await run(db, search_backend, CourseSearch(certified_only=False))

    shown = {
        catalog.name_of(hit.course.id): list(hit.course.support_languages)
        for hit in result.page.items
    }
    assert shown == LANGUAGES


@pytest.mark.parametrize("asked", [("nl",), ("english",), ("ti", "xx")])
async def test_an_unknown_language_is_refused_by_its_field(
    db: Database, asked: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await run(db, PostgresSearch(), CourseSearch(support_languages=asked))

    assert (refused.value.reason, refused.value.field) == (
        "InvalidLanguageCode",
        "supportLanguages",
    )
