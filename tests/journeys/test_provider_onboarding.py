"""A provider's first day, told only through the API: the platform creates the provider,
invites its owner, the owner signs up, gets certified, lists a course, and a learner
finds it."""

from __future__ import annotations

from datetime import date, timedelta

from market.db.database import Database
from tests.support import actors
from tests.support.graphql import GraphQLClient


async def test_from_new_provider_to_a_course_learners_find(
    gql: GraphQLClient, db: Database
) -> None:
    admin = await actors.platform_admin(db)

    # Given the platform creates a provider and invites its owner
    created = await gql(
        """mutation { createOrganisation(input: {kind: PROVIDER, name: "Taalhuis Voorbeeld",
           kvkNumber: "87654321"}) { id kind providerId } }""",
        token=admin.token,
    )
    organisation = created.ok()["createOrganisation"]
    provider_id = organisation["providerId"]
    invited = await gql(
        """mutation($org: ID!) { inviteMember(input: {organisationId: $org,
           email: "Eigenaar@Voorbeeld.example", role: OWNER}) { acceptanceToken } }""",
        {"org": organisation["id"]},
        token=admin.token,
    )
    acceptance = invited.ok()["inviteMember"]["acceptanceToken"]

    # When the owner registers, signs in and accepts
    (
        await gql(
            """mutation { register(input: {email: "eigenaar@voorbeeld.example",
               password: "een lang wachtwoord", displayName: "Eigenaar",
               preferredLanguage: "nl"}) { id } }"""
        )
    ).ok()
    login = await gql(
        """mutation { login(email: "eigenaar@voorbeeld.example",
           password: "een lang wachtwoord") { token } }"""
    )
    owner = login.ok()["login"]["token"]
    joined = await gql(
        "mutation($t: String!) { acceptInvitation(token: $t) { role organisation { name } } }",
        {"t": acceptance},
        token=owner,
    )
    assert joined.ok()["acceptInvitation"] == {
        "role": "OWNER",
        "organisation": {"name": "Taalhuis Voorbeeld"},
    }

    # And records the Blik op Werk mark, which the platform verifies
    today = date.today()
    (
        await gql(
            """mutation($id: ID!, $from: Date!, $until: Date!) { updateProvider(id: $id, input: {
               website: "https://voorbeeld.example", certificationNumber: "BoW-777",
               certificationValidFrom: $from, certificationValidUntil: $until}) { id } }""",
            {
                "id": provider_id,
                "from": str(today - timedelta(days=30)),
                "until": str(today + timedelta(days=300)),
            },
            token=owner,
        )
    ).ok()
    verified = await gql(
        """mutation($id: ID!) { verifyCertification(providerId: $id,
           input: {certificationVerified: true, starRating: THREE}) { certified } }""",
        {"id": provider_id},
        token=admin.token,
    )
    assert verified.ok()["verifyCertification"] == {"certified": True}

    # And lists an evening course in Amsterdam with an intake, and publishes it
    location = await gql(
        """mutation($p: ID!) { createLocation(input: {providerId: $p, name: "Centrum",
           addressLine: "Damrak 1", postcode: "1012lg"}) { id postcode } }""",
        {"p": provider_id},
        token=owner,
    )
    location_data = location.ok()["createLocation"]
    assert location_data["postcode"] == "1012 LG"
    course = await gql(
        """mutation($p: ID!) { createCourse(input: {providerId: $p,
           title: "Avondcursus B1", route: B1, targetLevel: B1, totalHours: 300,
           languageHours: 280, hoursPerWeek: 6, format: CLASSROOM,
           scheduleKinds: [EVENING], maxClassSize: 12, priceCents: 450000}) { id status } }""",
        {"p": provider_id},
        token=owner,
    )
    course_id = course.ok()["createCourse"]["id"]
    (
        await gql(
            """mutation($c: ID!, $l: ID!, $start: Date!) { createIntake(input: {courseId: $c,
               locationId: $l, startsOn: $start, seatCapacity: 12, weeklySchedule: [
               {weekday: TUESDAY, startTime: "18:30", endTime: "21:30"}]}) { id } }""",
            {"c": course_id, "l": location_data["id"], "start": str(today + timedelta(days=21))},
            token=owner,
        )
    ).ok()
    published = await gql(
        "mutation($c: ID!) { publishCourse(id: $c) { status } }", {"c": course_id}, token=owner
    )
    assert published.ok()["publishCourse"] == {"status": "PUBLISHED"}

    # Then an anonymous learner looking for evening B1 lessons in Amsterdam finds it
    found = await gql(
        """{ searchCourses(filter: {routes: [B1], evening: true, municipalityCodes: ["GM0363"]},
             sort: PRICE) { totalCount nodes { waitWeeks course { id title priceCents
             pricePerHourCents provider { name certified starRating } } } } }"""
    )
    assert found.ok()["searchCourses"] == {
        "totalCount": 1,
        "nodes": [
            {
                "waitWeeks": 3,
                "course": {
                    "id": course_id,
                    "title": "Avondcursus B1",
                    "priceCents": 450000,
                    "pricePerHourCents": 1500,
                    "provider": {
                        "name": "Taalhuis Voorbeeld",
                        "certified": True,
                        "starRating": "THREE",
                    },
                },
            }
        ],
    }
