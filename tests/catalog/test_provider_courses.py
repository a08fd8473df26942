"""A provider's courses, newest first, one page at a time: the same answers for one
provider as for a page of them, and the same statements however many providers it shows."""

from __future__ import annotations

import uuid
from typing import Any

from market.api.graphql import ids
from market.catalog.models import CourseStatus
from market.db.database import Database
from tests.support.actors import provider_staff
from tests.support.catalog import add_course, add_listed_course, add_provider
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements

COURSES = """
courses(first: $first, after: $after) {
  totalCount
  pageInfo { hasNextPage endCursor }
  nodes { title status }
}
"""
PROVIDER = f"""
query($id: ID!, $first: Int, $after: String) {{
  provider(id: $id) {{ {COURSES} }}
}}
"""
SEARCH = f"""
query($first: Int, $after: String) {{
  searchCourses(sort: PRICE, first: 20) {{
    nodes {{ course {{ provider {{ name {COURSES} }} }} }}
  }}
}}
"""


async def provider_with_courses(db: Database, titles: list[str]) -> uuid.UUID:
    """A provider whose courses are created in this order (so the last is the newest); the
    first is listed in search."""
    provider_id = await add_provider(db)
    await add_listed_course(db, provider_id, title=titles[0])
    for title in titles[1:]:
        await add_course(db, provider_id, title=title)
    return provider_id


def titles(courses: dict[str, Any]) -> list[str]:
    return [node["title"] for node in courses["nodes"]]


async def test_pages_follow_each_other_newest_first(db: Database, gql: GraphQLClient) -> None:
    provider_id = await provider_with_courses(db, ["A", "B", "C", "D", "E"])
    variables = {"id": ids.encode("Provider", provider_id), "first": 2}

    pages = []
    after = None
    while True:
        courses = (await gql(PROVIDER, variables | {"after": after})).ok()["provider"]["courses"]
        assert courses["totalCount"] == 5
        pages.append(titles(courses))
        if not courses["pageInfo"]["hasNextPage"]:
            break
        after = courses["pageInfo"]["endCursor"]

    assert pages == [["E", "D"], ["C", "B"], ["A"]]


async def test_each_provider_on_a_search_page_gets_its_own_courses_in_fixed_statements(
    db: Database, gql: GraphQLClient
) -> None:
    await provider_with_courses(db, ["A1", "A2", "A3"])
    await provider_with_courses(db, ["B1"])

    with counting_statements() as two_providers:
        found = (await gql(SEARCH, {"first": 2})).ok()["searchCourses"]["nodes"]
    courses = sorted((node["course"]["provider"]["courses"] for node in found), key=titles)
    assert [(titles(c), c["totalCount"], c["pageInfo"]["hasNextPage"]) for c in courses] == [
        (["A3", "A2"], 3, True),
        (["B1"], 1, False),
    ]

    for _ in range(3):
        await provider_with_courses(db, ["C1", "C2"])
    with counting_statements() as five_providers:
        found = (await gql(SEARCH, {"first": 2})).ok()["searchCourses"]["nodes"]
    assert len(found) == 5
    assert len(five_providers) == len(two_providers)


async def test_drafts_show_to_their_own_staff_only(db: Database, gql: GraphQLClient) -> None:
    provider_id = await provider_with_courses(db, ["Published"])
    await add_course(db, provider_id, title="Draft", status=CourseStatus.DRAFT)
    variables = {"id": ids.encode("Provider", provider_id), "first": 10}
    staff = await provider_staff(db, provider_id)

    public = (await gql(PROVIDER, variables)).ok()["provider"]["courses"]
    own = (await gql(PROVIDER, variables, token=staff.token)).ok()["provider"]["courses"]

    assert (titles(public), public["totalCount"]) == (["Published"], 1)
    assert (titles(own), own["totalCount"]) == (["Draft", "Published"], 2)


async def test_a_cursor_of_another_listing_is_refused(db: Database, gql: GraphQLClient) -> None:
    provider_id = await provider_with_courses(db, ["A"])
    # A search cursor: valid base64 JSON, but not a (created, id) position.
    search = (await gql("{ searchCourses(first: 1) { pageInfo { endCursor } } }")).ok()
    cursor = search["searchCourses"]["pageInfo"]["endCursor"]

    result = await gql(
        PROVIDER, {"id": ids.encode("Provider", provider_id), "first": 1, "after": cursor}
    )

    assert result.error_code == "BAD_USER_INPUT"
    assert result.error_field == "after"


async def test_two_pages_of_one_provider_in_one_request(db: Database, gql: GraphQLClient) -> None:
    provider_id = await provider_with_courses(db, ["A", "B", "C"])

    result = await gql(
        """query($id: ID!) { provider(id: $id) {
             newest: courses(first: 1) { nodes { title } }
             more: courses(first: 3) { nodes { title } pageInfo { hasNextPage } }
           } }""",
        {"id": ids.encode("Provider", provider_id)},
    )

    provider = result.ok()["provider"]
    assert titles(provider["newest"]) == ["C"]
    assert (titles(provider["more"]), provider["more"]["pageInfo"]["hasNextPage"]) == (
        ["C", "B", "A"],
        False,
    )
