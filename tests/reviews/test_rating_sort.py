"""searchCourses(sort: RATING) orders by the learners' rating (market.catalog.ratings: a
Bayesian average; courses without reviews after every reviewed one), Blik op Werk stars
breaking ties: on PostgreSQL on each of its paths, and as Meilisearch is asked to."""

from __future__ import annotations

import uuid

import pytest

from market.catalog import service as catalog
from market.catalog.models import StarRating
from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search import service
from market.search.criteria import CourseSearch, SearchSort
from market.search.documents import course_documents
from market.search.meilisearch import sort_for
from market.search.postgres import PostgresSearch
from tests.reviews.world import REVIEW, World, enrolled_learner
from tests.support.catalog import add_intake, add_listed_course, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

# Best first, as documented: score = (5 x 3 + sum) / (5 + count).
EXPECTED = ["veel", "tien", "gelijk", "een", "geen4", "geen3"]
SEARCH = """{ searchCourses(sort: RATING) {
  nodes { course { title rating { average count } provider { starRating } } }
} }"""


async def arrange(db: Database, gql: GraphQLClient) -> dict[str, uuid.UUID]:
    four = await add_provider(db, star_rating=StarRating.FOUR)
    three = await add_provider(db, star_rating=StarRating.THREE)
    two = await add_provider(db, star_rating=StarRating.TWO)
    providers = {"veel": three, "tien": two, "gelijk": four, "een": three}
    providers |= {"geen4": four, "geen3": three}
    courses = {
        name: await add_listed_course(db, provider, title=name)
        for name, provider in providers.items()
    }
    # Tallies as the reviews domain keeps them (the catalog's verb), and one real review.
    async with db.transaction() as session:
        await catalog.add_ratings(session, courses["veel"], count=50, total=240)  # 4.64
        await catalog.add_ratings(session, courses["tien"], count=10, total=50)  # 4.33
        await catalog.add_ratings(session, courses["gelijk"], count=1, total=5)  # 3.33
    intake = await add_intake(db, courses["een"], await add_location(db, three))
    world = World(three, courses["een"], intake)
    person = await enrolled_learner(db, world)
    written = await gql(
        REVIEW, {"course": world.course, "rating": 5, "body": "Top"}, token=person.token
    )
    assert written.ok()
    return courses


@pytest.mark.parametrize("path", ["listed", "walked", "places"])
async def test_postgres_orders_by_rating_then_stars(
    db: Database, gql: GraphQLClient, path: str
) -> None:
    courses = await arrange(db, gql)
    names = {course_id: name for name, course_id in courses.items()}
    # Small results list their bits; large ones walk the sort's index; a municipality
    # filter reads the places one by one.
    backend = PostgresSearch(listed_at_most=0 if path == "walked" else 300)
    criteria = CourseSearch(
        sort=SearchSort.RATING,
        municipality_codes=("GM0363",) if path == "places" else (),
    )
    order = []
    after = None
    while True:
        async with db.reader() as session:
            result = await service.search_courses(
                session, criteria, PageRequest(2, after), backend=backend
            )
        order += [names[hit.course.id] for hit in result.page.items]
        if not result.page.has_next_page:
            break
        after = result.page.end_cursor

    assert order == EXPECTED


async def test_search_hits_show_the_rating_beside_the_stars(
    db: Database, gql: GraphQLClient
) -> None:
    await arrange(db, gql)

    nodes = (await gql(SEARCH)).ok()["searchCourses"]["nodes"]

    assert [n["course"]["title"] for n in nodes] == EXPECTED
    shown = {n["course"]["title"]: n["course"]["rating"] for n in nodes}
    assert shown["veel"] == {"average": 4.8, "count": 50}
    assert shown["een"] == {"average": 5.0, "count": 1}
    assert shown["geen4"] == {"average": None, "count": 0}
    assert nodes[2]["course"]["provider"]["starRating"] == "FOUR"


def test_meilisearch_sorts_by_the_rating_score_then_the_stars() -> None:
    assert sort_for(CourseSearch(sort=SearchSort.RATING)) == [
        "rating_score:desc",
        "star_rating:desc",
        "course_id:asc",
    ]


async def test_meilisearch_documents_carry_the_rating(db: Database, gql: GraphQLClient) -> None:
    courses = await arrange(db, gql)

    async with db.reader() as session:
        built = await course_documents(session, courses.values(), today())

    by_course = {d["course_id"]: d for d in built.documents}
    veel = by_course[str(courses["veel"])]
    assert (veel["rating_average"], veel["rating_count"], veel["rating_score"]) == (4.8, 50, 4636)
    geen = by_course[str(courses["geen3"])]
    assert (geen["rating_average"], geen["rating_count"], geen["rating_score"]) == (None, 0, 0)
    # Sorted as the index would, by score then stars, the documents give the same order.
    ranked = sorted(
        by_course.values(), key=lambda d: (-d["rating_score"], -d["star_rating"], d["course_id"])
    )
    names = {str(course_id): name for name, course_id in courses.items()}
    assert [names[d["course_id"]] for d in ranked] == EXPECTED
