"""The search contract for `contractedBy`: the contract catalog with contracts running,
not yet started and ended, on every engine (Meilisearch too when MARKET_MEILISEARCH_URL
is set: the engine indexes this module's catalog, contracts included)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from market.catalog.models import Course, Route
from market.db.database import Database
from market.search.backend import SearchBackend
from market.search.criteria import CourseSearch, FacetField
from market.search.service import NearPostcode
from tests.search.contract import conftest
from tests.search.contract.conftest import Catalog
from tests.search.contract.test_contract import DEFAULT, chosen, names, run
from tests.search.contracts import contract
from tests.support.catalog import today

AMSTERDAM, UTRECHT, GRONINGEN, ROTTERDAM = "GM0363", "GM0344", "GM0014", "GM0599"


async def provider_of(db: Database, course_id: uuid.UUID) -> uuid.UUID:
    async with db.reader() as session:
        provider = await session.scalar(select(Course.provider_id).where(Course.id == course_id))
    assert provider is not None
    return provider


@pytest.fixture
async def catalog(db: Database) -> Catalog:
    """The contract catalog (conftest.build) with contracts: Amsterdam contracts the
    provider of dagles, online and z, and Utrecht that of avondles and schakel, both
    running today; Groningen contracts the uncertified provider of goedkoop (listed only
    without certifiedOnly). Rotterdam's contract with the first provider starts tomorrow,
    and Groningen's with it ended today: neither counts."""
    built = await conftest.build(db)
    mark = await provider_of(db, built.courses["dagles"])
    college = await provider_of(db, built.courses["avondles"])
    uncertified = await provider_of(db, built.courses["goedkoop"])
    day = today()
    year = timedelta(days=365)
    await contract(db, mark, AMSTERDAM, starts_on=day - timedelta(days=1), ends_on=day + year)
    await contract(db, college, UTRECHT, starts_on=day, ends_on=day + year)
    await contract(db, uncertified, GRONINGEN, starts_on=day - year, ends_on=day + year)
    await contract(db, mark, ROTTERDAM, starts_on=day + timedelta(days=1), ends_on=day + year)
    await contract(db, mark, GRONINGEN, starts_on=day - year, ends_on=day)
    return built


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (CourseSearch(contracted_by=AMSTERDAM), ["dagles", "online", "z"]),
        (CourseSearch(contracted_by=UTRECHT), ["avondles", "schakel"]),
        # Not started yet, or ended: nothing.
        (CourseSearch(contracted_by=ROTTERDAM), []),
        (CourseSearch(contracted_by=GRONINGEN), []),
        (CourseSearch(contracted_by=GRONINGEN, certified_only=False), ["goedkoop"]),
        (CourseSearch(contracted_by=AMSTERDAM, routes=(Route.Z,)), ["z"]),
        # With a place filter (the rows read one by one).
        (CourseSearch(contracted_by=AMSTERDAM, municipality_codes=("GM0363",)), ["dagles", "z"]),
        (CourseSearch(contracted_by=UTRECHT, municipality_codes=("GM0363",)), []),
        (CourseSearch(contracted_by=UTRECHT, region_codes=("AM13",)), ["avondles", "schakel"]),
        (CourseSearch(), DEFAULT),
    ],
)
async def test_contracted_by_keeps_the_courses_of_providers_under_a_running_contract(
    db: Database,
    search_backend: SearchBackend,
    catalog: Catalog,
    criteria: CourseSearch,
    expected: list[str],
) -> None:
    result = await run(db, search_backend, criteria)

    assert sorted(names(catalog, result)) == sorted(expected)
    assert result.page.total_count == len(expected)


async def test_near_with_contracted_by(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    result = await run(
        db,
        search_backend,
        CourseSearch(contracted_by=AMSTERDAM),
        near=NearPostcode("1011 AB", 20),
    )

    assert sorted(names(catalog, result)) == ["dagles", "z"]


def contracting(result_facets: object) -> dict[str, tuple[str, int]]:
    [facet] = [f for f in result_facets if f.field is FacetField.CONTRACTED_BY]  # type: ignore[attr-defined]
    return {v.value: (v.label, v.count) for v in facet.values}


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (CourseSearch(), {AMSTERDAM: ("Amsterdam", 3), UTRECHT: ("Utrecht", 2)}),
        (
            CourseSearch(certified_only=False),
            {AMSTERDAM: ("Amsterdam", 3), GRONINGEN: ("Groningen", 1), UTRECHT: ("Utrecht", 2)},
        ),
        # Under its own filter the facet still counts every other choice.
        (
            CourseSearch(contracted_by=UTRECHT),
            {AMSTERDAM: ("Amsterdam", 3), UTRECHT: ("Utrecht", 2)},
        ),
        (CourseSearch(routes=(Route.Z,)), {AMSTERDAM: ("Amsterdam", 1)}),
        (CourseSearch(municipality_codes=("GM0344",)), {UTRECHT: ("Utrecht", 2)}),
    ],
)
async def test_the_contracted_by_facet_counts_under_the_other_filters(
    db: Database,
    search_backend: SearchBackend,
    catalog: Catalog,
    criteria: CourseSearch,
    expected: dict[str, tuple[str, int]],
) -> None:
    result = await run(db, search_backend, criteria)

    assert contracting(result.facets) == expected
    for code in expected:
        filtered = await run(db, search_backend, chosen(criteria, FacetField.CONTRACTED_BY, code))
        assert filtered.page.total_count == expected[code][1]


async def test_hits_carry_the_municipalities_contracting_their_provider(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    result = await run(db, search_backend, CourseSearch(certified_only=False))

    badges = {
        catalog.name_of(hit.course.id): [(m.code, m.name) for m in hit.contracted_by]
        for hit in result.page.items
    }
    assert badges == {
        "dagles": [(AMSTERDAM, "Amsterdam")],
        "online": [(AMSTERDAM, "Amsterdam")],
        "z": [(AMSTERDAM, "Amsterdam")],
        "avondles": [(UTRECHT, "Utrecht")],
        "schakel": [(UTRECHT, "Utrecht")],
        "goedkoop": [(GRONINGEN, "Groningen")],
    }
