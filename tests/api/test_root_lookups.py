"""Root lookups by id answer null for what the actor cannot see, alike whether it never
existed, is a draft of another provider or is of another type, so an id leaks nothing
and one unknown id never wipes the other fields' answers; text that is no id at all is
the client's mistake, refused by field."""

from __future__ import annotations

import uuid

from market.api.graphql import ids
from market.catalog.models import CourseStatus
from market.db.database import Database
from tests.support.actors import provider_staff
from tests.support.catalog import add_course, add_provider
from tests.support.graphql import GraphQLClient

LOOKUPS = """
query($course: ID!, $provider: ID!, $known: ID!) {
  course(id: $course) { title }
  provider(id: $provider) { name }
  known: course(id: $known) { title }
  labourMarketRegions { code }
}
"""


async def test_unknown_ids_answer_null_beside_the_other_fields(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    known = ids.encode("Course", await add_course(db, provider_id, title="Nederlands B1"))

    data = (
        await gql(
            LOOKUPS,
            {
                "course": ids.encode("Course", uuid.uuid4()),
                "provider": ids.encode("Provider", uuid.uuid4()),
                "known": known,
            },
        )
    ).ok()

    assert (data["course"], data["provider"]) == (None, None)
    assert data["known"] == {"title": "Nederlands B1"}
    assert len(data["labourMarketRegions"]) == 35


async def test_another_providers_draft_answers_exactly_as_an_id_nothing_has(
    db: Database, gql: GraphQLClient
) -> None:
    owner = await add_provider(db)
    draft = await add_course(db, owner, status=CourseStatus.DRAFT)
    stranger = await provider_staff(db, await add_provider(db))
    query = "query($id: ID!) { course(id: $id) { title } }"

    answers = [
        (await gql(query, {"id": course_id}, token=token)).body
        for course_id in (
            ids.encode("Course", draft),
            ids.encode("Course", uuid.uuid4()),
            ids.encode("Provider", owner),  # an id of another type
        )
        for token in (None, stranger.token)
    ]

    assert answers == [{"data": {"course": None}}] * 6


async def test_text_that_is_no_id_is_refused_by_field_and_the_rest_answers(
    db: Database, gql: GraphQLClient
) -> None:
    known = ids.encode("Course", await add_course(db, await add_provider(db), title="Z-route"))

    result = await gql(
        LOOKUPS,
        {"course": "not-an-id", "provider": ids.encode("Provider", uuid.uuid4()), "known": known},
    )

    [error] = result.errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "MalformedId", "field": "id"}
    assert error["path"] == ["course"]
    assert result.data["course"] is None
    assert result.data["known"] == {"title": "Z-route"}
