"""A search page issues the same number of SQL statements for 5 courses as for 50 (no N+1)."""

from __future__ import annotations

from market.db.database import Database
from tests.support.catalog import add_intake, add_listed_course, add_location, add_provider
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements

PAGE = """
query($first: Int) {
  searchCourses(sort: PRICE, first: $first) {
    totalCount
    nodes {
      expectedStart waitWeeks
      matchingIntakes { id }
      course {
        id title pricePerHourCents
        provider { name certified locations { name } }
        intakes { startsOn location { name municipality { name regionCode } } }
      }
    }
    facets { field values { value count } }
  }
}
"""


async def add_courses(db: Database, count: int) -> None:
    """Each course from its own provider, with two locations and two intakes."""
    for _ in range(count):
        provider_id = await add_provider(db)
        course_id = await add_listed_course(db, provider_id)
        await add_intake(db, course_id, await add_location(db, provider_id))


async def statements_for_page(gql: GraphQLClient, first: int) -> list[str]:
    with counting_statements() as statements:
        data = (await gql(PAGE, {"first": first})).ok()
    assert len(data["searchCourses"]["nodes"]) == first
    assert all(len(node["course"]["intakes"]) == 2 for node in data["searchCourses"]["nodes"])
    return statements


async def test_statements_do_not_grow_with_the_page(db: Database, gql: GraphQLClient) -> None:
    await add_courses(db, 50)

    small = await statements_for_page(gql, 5)
    large = await statements_for_page(gql, 50)

    assert len(small) == len(large), "\n".join(large)
    # whether rows need reading one by one; the page's hits and, at once on a spare
    # connection, the total and facets; the page's courses with their providers and
    # matching intakes; then the loaders: provider locations, intakes, intake locations,
    # municipalities
    assert len(large) == 8
