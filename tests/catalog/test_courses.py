"""Provider staff create, change, publish and archive their courses; the rules hold."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from market.api.graphql import ids
from market.catalog.models import Course, CourseStatus, Format, Route
from market.db.database import Database
from tests.support.actors import provider_staff
from tests.support.catalog import add_course, add_listed_course, add_provider
from tests.support.graphql import GraphQLClient

CREATE = """
mutation($input: CreateCourseInput!) {
  createCourse(input: $input) {
    id title route targetLevel stream components totalHours languageHours hoursPerWeek
    format scheduleKinds maxClassSize supportLanguages priceCents pricePerHourCents
    priceIncludes examTrainingIncluded cancellationTerms status publishedAt
    provider { name certified }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: UpdateCourseInput!) {
  updateCourse(id: $id, input: $input) { id title route stream priceCents pricePerHourCents status }
}
"""
PUBLISH = "mutation($id: ID!) { publishCourse(id: $id) { status publishedAt } }"
ARCHIVE = "mutation($id: ID!) { archiveCourse(id: $id) { status } }"
COURSE = "query($id: ID!) { course(id: $id) { id title status } }"


def course_input(provider_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "providerId": ids.encode("Provider", provider_id),
        "title": "  Nederlands B1 avond  ",
        "route": "B1",
        "targetLevel": "B1",
        "totalHours": 240,
        "languageHours": 200,
        "hoursPerWeek": 6,
        "format": "CLASSROOM",
        "scheduleKinds": ["EVENING"],
        "maxClassSize": 12,
        "priceCents": 250_000,
        "components": ["LANGUAGE", "KNM"],
        "supportLanguages": ["AR", "en"],
        "priceIncludes": ["lesmateriaal", "2 proefexamens"],
        "examTrainingIncluded": True,
        "cancellationTerms": "Kosteloos annuleren binnen 14 dagen.",
    } | overrides


async def course_row(db: Database, course_id: Any) -> Course:
    async with db.reader() as session:
        row = await session.scalar(select(Course).where(Course.id == course_id))
        assert row is not None
        return row


async def test_staff_create_a_draft_with_price_per_hour(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db, name="Taalschool Fictief")
    staff = await provider_staff(db, provider_id)

    course = (await gql(CREATE, {"input": course_input(provider_id)}, token=staff.token)).ok()[
        "createCourse"
    ]

    assert course | {"id": None} == {
        "id": None,
        "title": "Nederlands B1 avond",
        "route": "B1",
        "targetLevel": "B1",
        "stream": None,
        "components": ["LANGUAGE", "KNM"],
        "totalHours": 240,
        "languageHours": 200,
        "hoursPerWeek": 6,
        "format": "CLASSROOM",
        "scheduleKinds": ["EVENING"],
        "maxClassSize": 12,
        "supportLanguages": ["ar", "en"],
        "priceCents": 250_000,
        "pricePerHourCents": 1042,  # 2500 euro / 240 h = 10.4166 euro
        "priceIncludes": ["lesmateriaal", "2 proefexamens"],
        "examTrainingIncluded": True,
        "cancellationTerms": "Kosteloos annuleren binnen 14 dagen.",
        "status": "DRAFT",
        "publishedAt": None,
        "provider": {"name": "Taalschool Fictief", "certified": True},
    }
    row = await course_row(db, ids.decode("Course", course["id"]))
    assert (row.provider_id, row.status) == (provider_id, CourseStatus.DRAFT)


async def test_update_changes_only_the_given_fields(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    course_id = await add_course(db, provider_id, title="Oud", price_cents=300_000)

    result = await gql(
        UPDATE,
        {"id": ids.encode("Course", course_id), "input": {"priceCents": 150_000}},
        token=staff.token,
    )

    assert result.ok()["updateCourse"] | {"id": None} == {
        "id": None,
        "title": "Oud",
        "route": "B1",
        "stream": None,
        "priceCents": 150_000,
        "pricePerHourCents": 500,
        "status": "PUBLISHED",
    }


async def test_staff_update_the_support_languages_duplicates_collapsed(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    course_id = await add_course(db, provider_id)
    languages = ["TI", " ar", "ti", "prs", "ar"]

    result = await gql(
        "mutation($id: ID!, $input: UpdateCourseInput!) "
        "{ updateCourse(id: $id, input: $input) { supportLanguages } }",
        {"id": ids.encode("Course", course_id), "input": {"supportLanguages": languages}},
        token=staff.token,
    )

    assert result.ok()["updateCourse"] == {"supportLanguages": ["ti", "ar", "prs"]}
    assert (await course_row(db, course_id)).support_languages == ["ti", "ar", "prs"]


async def test_publish_makes_a_draft_visible_to_everyone(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    course_id = await add_course(db, provider_id, status=CourseStatus.DRAFT)
    course = ids.encode("Course", course_id)
    assert (await gql(COURSE, {"id": course})).ok() == {"course": None}

    published = (await gql(PUBLISH, {"id": course}, token=staff.token)).ok()["publishCourse"]

    assert published["status"] == "PUBLISHED"
    assert published["publishedAt"] is not None
    assert (await gql(COURSE, {"id": course})).ok()["course"]["status"] == "PUBLISHED"


async def test_drafts_are_visible_to_own_staff_only(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    stranger = await provider_staff(db, await add_provider(db))
    course = ids.encode("Course", await add_course(db, provider_id, status=CourseStatus.DRAFT))

    assert (await gql(COURSE, {"id": course}, token=staff.token)).ok()["course"]["id"] == course
    assert (await gql(COURSE, {"id": course}, token=stranger.token)).ok() == {"course": None}


async def test_archived_courses_are_read_only(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    course = ids.encode("Course", await add_course(db, provider_id))

    assert (await gql(ARCHIVE, {"id": course}, token=staff.token)).ok()["archiveCourse"] == {
        "status": "ARCHIVED"
    }
    update = await gql(UPDATE, {"id": course, "input": {"title": "Nieuw"}}, token=staff.token)
    publish = await gql(PUBLISH, {"id": course}, token=staff.token)

    assert (update.error_code, update.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "CourseArchived",
    )
    assert publish.error_code == "CONFLICT"
    assert (await course_row(db, ids.decode("Course", course))).title != "Nieuw"


async def test_z_route_needs_800_language_hours(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    z = {"route": "Z", "targetLevel": "A1", "totalHours": 1000, "languageHours": 799}

    short = await gql(CREATE, {"input": course_input(provider_id, **z)}, token=staff.token)
    enough = await gql(
        CREATE,
        {"input": course_input(provider_id, **z | {"languageHours": 800})},
        token=staff.token,
    )

    assert (short.error_code, short.error_field) == ("BAD_USER_INPUT", "languageHours")
    assert enough.ok()["createCourse"]["route"] == "Z"


@pytest.mark.parametrize(
    "certification",
    [
        pytest.param({"certified": False}, id="none"),
        pytest.param({"certification_verified_at": None}, id="unverified"),
        pytest.param({"certification_valid_until": "expired"}, id="expired"),
        pytest.param({"certification_valid_from": "future"}, id="not-yet-valid"),
    ],
)
async def test_z_route_needs_a_current_verified_mark(
    db: Database, gql: GraphQLClient, certification: dict[str, Any]
) -> None:
    from datetime import timedelta

    from tests.support.catalog import today

    dates = {"expired": today() - timedelta(days=1), "future": today() + timedelta(days=1)}
    fields = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in certification.items()}
    provider_id = await add_provider(db, **fields)
    staff = await provider_staff(db, provider_id)
    z = {"route": "Z", "targetLevel": "A1", "totalHours": 1000, "languageHours": 900}

    result = await gql(CREATE, {"input": course_input(provider_id, **z)}, token=staff.token)

    assert (result.error_code, result.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "ProviderNotCertified",
    )
    async with db.reader() as session:
        assert (await session.scalars(select(Course))).all() == []


async def test_publishing_a_z_course_rechecks_the_mark(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db, certification_verified_at=None)
    staff = await provider_staff(db, provider_id)
    course_id = await add_course(
        db,
        provider_id,
        status=CourseStatus.DRAFT,
        route=Route.Z,
        total_hours=900,
        language_hours=850,
    )

    result = await gql(PUBLISH, {"id": ids.encode("Course", course_id)}, token=staff.token)

    assert result.error_code == "CONFLICT"
    assert (await course_row(db, course_id)).status is CourseStatus.DRAFT


async def test_onderwijsroute_needs_verified_diploma_recognition_and_a_stream(
    db: Database, gql: GraphQLClient
) -> None:
    recognised = await add_provider(db, diploma_recognition=True)
    unrecognised = await add_provider(db)
    claimed_only = await add_provider(db, diploma_recognition_claimed=True)
    ow = {"route": "ONDERWIJS", "stream": "HBO", "targetLevel": "B2", "hoursPerWeek": 20}

    async def create(provider_id: Any, **fields: Any) -> Any:
        staff = await provider_staff(db, provider_id)
        return await gql(CREATE, {"input": course_input(provider_id, **fields)}, token=staff.token)

    assert (await create(recognised, **ow)).ok()["createCourse"]["stream"] == "HBO"
    assert (await create(unrecognised, **ow)).error_code == "CONFLICT"
    assert (await create(claimed_only, **ow)).error_code == "CONFLICT"
    no_stream = await create(recognised, **ow | {"stream": None})
    assert (no_stream.error_code, no_stream.error_field) == ("BAD_USER_INPUT", "stream")
    b1_with_stream = await create(recognised, stream="MBO")
    assert (b1_with_stream.error_code, b1_with_stream.error_field) == ("BAD_USER_INPUT", "stream")


async def test_changing_the_route_away_from_onderwijs_needs_the_stream_cleared(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db, diploma_recognition=True)
    staff = await provider_staff(db, provider_id)
    from market.catalog.models import Stream

    course = ids.encode(
        "Course", await add_course(db, provider_id, route=Route.ONDERWIJS, stream=Stream.MBO)
    )

    kept = await gql(UPDATE, {"id": course, "input": {"route": "B1"}}, token=staff.token)
    cleared = await gql(
        UPDATE, {"id": course, "input": {"route": "B1", "stream": None}}, token=staff.token
    )

    assert (kept.error_code, kept.error_field) == ("BAD_USER_INPUT", "stream")
    assert cleared.ok()["updateCourse"] | {"id": None} == {
        "id": None,
        "title": cleared.data["updateCourse"]["title"],
        "route": "B1",
        "stream": None,
        "priceCents": 300_000,
        "pricePerHourCents": 1000,
        "status": "PUBLISHED",
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"priceCents": -1}, "priceCents"),
        ({"priceCents": 5_000_001}, "priceCents"),
        ({"totalHours": 0}, "totalHours"),
        ({"languageHours": -5}, "languageHours"),
        ({"languageHours": 241}, "languageHours"),
        ({"hoursPerWeek": 0}, "hoursPerWeek"),
        ({"hoursPerWeek": 41}, "hoursPerWeek"),
        ({"totalHours": 10, "languageHours": 10, "hoursPerWeek": 12}, "hoursPerWeek"),
        ({"maxClassSize": 0}, "maxClassSize"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"description": "x" * 10_000}, "description"),
        ({"cancellationTerms": "x" * 10_000}, "cancellationTerms"),
        ({"scheduleKinds": []}, "scheduleKinds"),
        ({"components": []}, "components"),
        ({"components": ["KNM", "KNM"]}, "components"),
        ({"supportLanguages": ["english"]}, "supportLanguages"),
        # Well formed, but not a language of the platform's list (Dutch is a given).
        ({"supportLanguages": ["ar", "nl"]}, "supportLanguages"),
        (
            {"supportLanguages": ["ar", "ti", "tr", "en", "fa", "uk", "ru", "so", "ps"]},
            "supportLanguages",
        ),
        ({"priceIncludes": ["x" * 101]}, "priceIncludes"),
        ({"priceIncludes": [f"item {i}" for i in range(21)]}, "priceIncludes"),
        ({"providerId": "nonsense"}, "providerId"),
    ],
)
async def test_bad_course_input_is_refused_by_field(
    db: Database, gql: GraphQLClient, overrides: dict[str, Any], field: str
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)

    result = await gql(CREATE, {"input": course_input(provider_id, **overrides)}, token=staff.token)

    assert result.error_field == field, result.errors
    assert result.error_code in {"BAD_USER_INPUT", "NOT_FOUND"}
    async with db.reader() as session:
        assert (await session.scalars(select(Course))).all() == []


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"priceCents": "cheap"}, id="string-for-int"),
        pytest.param({"route": "C1"}, id="unknown-enum"),
        pytest.param({"totalHours": 2**40}, id="int-overflow"),
        pytest.param({"title": None}, id="null-required"),
    ],
)
async def test_wrongly_typed_input_is_a_bad_user_input(
    db: Database, gql: GraphQLClient, variables: dict[str, Any]
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)

    result = await gql(CREATE, {"input": course_input(provider_id, **variables)}, token=staff.token)

    assert result.error_code == "BAD_USER_INPUT"


async def test_update_refuses_null_for_required_fields(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    course = ids.encode("Course", await add_course(db, provider_id))

    result = await gql(UPDATE, {"id": course, "input": {"priceCents": None}}, token=staff.token)

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", "priceCents")


async def test_an_unknown_course_id_is_not_found_by_mutations(
    db: Database, gql: GraphQLClient
) -> None:
    staff = await provider_staff(db, await add_provider(db))
    unknown = ids.encode("Course", uuid.uuid4())

    for mutation, variables in (
        (UPDATE, {"id": unknown, "input": {"title": "x"}}),
        (ARCHIVE, {"id": unknown}),
        (ARCHIVE, {"id": ids.encode("Intake", uuid.uuid4())}),
    ):
        result = await gql(mutation, variables, token=staff.token)
        assert (result.error_code, result.error_field) == ("NOT_FOUND", "id")
    malformed = await gql(ARCHIVE, {"id": "not-an-id"}, token=staff.token)
    assert malformed.errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "MalformedId",
        "field": "id",
    }


async def test_a_course_with_intakes_cannot_move_between_online_and_classroom(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    with_intake = await add_listed_course(db, provider_id)
    without = ids.encode("Course", await add_course(db, provider_id))

    refused = await gql(
        UPDATE,
        {"id": ids.encode("Course", with_intake), "input": {"format": "ONLINE"}},
        token=staff.token,
    )

    assert (refused.error_code, refused.error_field) == ("CONFLICT", "format")
    assert (await course_row(db, with_intake)).format is Format.CLASSROOM
    # Without intakes, or staying with a location (blended), the format may change.
    moved = await gql(UPDATE, {"id": without, "input": {"format": "ONLINE"}}, token=staff.token)
    blended = await gql(
        UPDATE,
        {"id": ids.encode("Course", with_intake), "input": {"format": "BLENDED"}},
        token=staff.token,
    )
    assert moved.ok()
    assert blended.ok()
    assert (await course_row(db, with_intake)).format is Format.BLENDED
