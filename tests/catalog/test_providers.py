"""Provider profiles: created by platform admins, kept by their staff, verified by admins."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from market.api.graphql import ids
from market.catalog import service
from market.catalog.models import CourseStatus, ProviderProfile, StarRating
from market.db.database import Database
from market.identity.models import OrganisationKind
from market.identity.policies import ANONYMOUS, Actor
from market.identity.service import actor_for_token
from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from tests.support.actors import add_organisation, learner, platform_admin, provider_staff
from tests.support.catalog import add_course, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

UPDATE = """
mutation($id: ID!, $input: UpdateProviderInput!) {
  updateProvider(id: $id, input: $input) {
    website description certified
    certification { number validFrom validUntil verifiedAt }
    diplomaRecognition { claimed verifiedAt }
  }
}
"""
VERIFY = """
mutation($id: ID!, $input: VerifyCertificationInput!) {
  verifyCertification(providerId: $id, input: $input) {
    certified starRating
    certification { verifiedAt }
    diplomaRecognition { claimed verifiedAt }
  }
}
"""
PROVIDER = """
query($id: ID!) {
  provider(id: $id) {
    name kvkNumber certified starRating
    locations { name postcode municipality { code name } }
    courses(first: 10) { totalCount nodes { title status } }
  }
}
"""


async def profile(db: Database, provider_id: Any) -> ProviderProfile:
    async with db.reader() as session:
        row = await session.scalar(
            select(ProviderProfile).where(ProviderProfile.organisation_id == provider_id)
        )
        assert row is not None
        return row


async def actor_of(db: Database, token: str) -> Actor:
    async with db.reader() as session:
        return await actor_for_token(session, token)


async def test_platform_admin_creates_the_profile_of_a_provider_organisation(
    db: Database,
) -> None:
    admin = await actor_of(db, (await platform_admin(db)).token)
    organisation_id = await add_organisation(db, OrganisationKind.PROVIDER, "Taalhuis Fictief")

    async with db.transaction() as session:
        created = await service.create_provider_profile(
            session, admin, organisation_id, website="https://taalhuis.example"
        )
        assert created.organisation.name == "Taalhuis Fictief"

    row = await profile(db, organisation_id)
    assert (row.website, row.certification_verified_at, row.star_rating) == (
        "https://taalhuis.example",
        None,
        None,
    )


async def test_only_platform_admins_create_profiles_and_only_for_providers(db: Database) -> None:
    admin = await actor_of(db, (await platform_admin(db)).token)
    provider = await add_organisation(db, OrganisationKind.PROVIDER)
    staff = await actor_of(db, (await provider_staff(db, provider)).token)
    municipality = await add_organisation(
        db, OrganisationKind.MUNICIPALITY, municipality_code="GM0014"
    )

    cases: list[tuple[Actor, Any, type[Exception]]] = [
        (ANONYMOUS, provider, NotAuthenticated),
        (staff, provider, Forbidden),
        (admin, municipality, InvalidInput),
    ]
    for actor, organisation_id, error in cases:
        with pytest.raises(error):
            async with db.transaction() as session:
                await service.create_provider_profile(session, actor, organisation_id)
    async with db.transaction() as session:
        await service.create_provider_profile(session, admin, provider)
    with pytest.raises(Conflict):
        async with db.transaction() as session:
            await service.create_provider_profile(session, admin, provider)


async def test_staff_update_the_profile(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db, certified=False)
    staff = await provider_staff(db, provider_id)

    result = await gql(
        UPDATE,
        {
            "id": ids.encode("Provider", provider_id),
            "input": {
                "website": "https://nieuw.example/taal",
                "description": None,
                "certificationNumber": "BOW-12345",
                "certificationValidFrom": "2025-01-01",
                "certificationValidUntil": "2027-12-31",
                "claimsDiplomaRecognition": True,
            },
        },
        token=staff.token,
    )

    assert result.ok()["updateProvider"] == {
        "website": "https://nieuw.example/taal",
        "description": None,
        "certified": False,
        "certification": {
            "number": "BOW-12345",
            "validFrom": "2025-01-01",
            "validUntil": "2027-12-31",
            "verifiedAt": None,
        },
        "diplomaRecognition": {"claimed": True, "verifiedAt": None},
    }


@pytest.mark.parametrize(
    ("change", "withdrawn"),
    [
        ({"certificationNumber": "BOW-99999"}, True),
        ({"certificationValidUntil": "2099-01-01"}, True),
        ({"description": "Nu ook in Zwolle."}, False),
    ],
)
async def test_changing_the_certification_withdraws_its_verification(
    db: Database, gql: GraphQLClient, change: dict[str, Any], withdrawn: bool
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)

    result = await gql(
        UPDATE, {"id": ids.encode("Provider", provider_id), "input": change}, token=staff.token
    )

    assert result.ok()["updateProvider"]["certified"] is not withdrawn
    assert ((await profile(db, provider_id)).certification_verified_at is None) is withdrawn


async def test_withdrawing_the_diploma_claim_withdraws_its_verification(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db, diploma_recognition=True)
    staff = await provider_staff(db, provider_id)

    result = await gql(
        UPDATE,
        {"id": ids.encode("Provider", provider_id), "input": {"claimsDiplomaRecognition": False}},
        token=staff.token,
    )

    assert result.ok()["updateProvider"]["diplomaRecognition"] == {
        "claimed": False,
        "verifiedAt": None,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "https://" + "x" * 10_000}, "website"),
        ({"description": "x" * 10_000}, "description"),
        ({"certificationNumber": "BOW 1; DROP"}, "certificationNumber"),
        (
            {"certificationValidFrom": "2026-01-01", "certificationValidUntil": "2025-01-01"},
            "certificationValidUntil",
        ),
        ({"claimsDiplomaRecognition": None}, "claimsDiplomaRecognition"),
    ],
)
async def test_bad_profile_input(
    db: Database, gql: GraphQLClient, change: dict[str, Any], field: str
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    before = await profile(db, provider_id)

    result = await gql(
        UPDATE, {"id": ids.encode("Provider", provider_id), "input": change}, token=staff.token
    )

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", field)
    after = await profile(db, provider_id)
    assert (after.website, after.certification_number) == (
        before.website,
        before.certification_number,
    )


async def test_admin_verifies_mark_and_recognition_and_sets_stars(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(
        db,
        certified=False,
        certification_number="BOW-1",
        certification_valid_from=today() - timedelta(days=10),
        certification_valid_until=today() + timedelta(days=10),
        diploma_recognition_claimed=True,
    )
    admin = await platform_admin(db)
    provider = ids.encode("Provider", provider_id)

    verified = await gql(
        VERIFY,
        {
            "id": provider,
            "input": {
                "certificationVerified": True,
                "diplomaRecognitionVerified": True,
                "starRating": "FOUR",
            },
        },
        token=admin.token,
    )

    data = verified.ok()["verifyCertification"]
    assert (data["certified"], data["starRating"]) == (True, "FOUR")
    assert data["certification"]["verifiedAt"] is not None
    assert data["diplomaRecognition"]["verifiedAt"] is not None
    row = await profile(db, provider_id)
    assert row.certification_verified_by == admin.user_id
    assert row.star_rating is StarRating.FOUR

    withdrawn = await gql(
        VERIFY,
        {"id": provider, "input": {"certificationVerified": False, "starRating": None}},
        token=admin.token,
    )
    assert withdrawn.ok()["verifyCertification"] | {"diplomaRecognition": None} == {
        "certified": False,
        "starRating": None,
        "certification": {"verifiedAt": None},
        "diplomaRecognition": None,
    }


async def test_a_verified_but_expired_mark_does_not_count(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db, certification_valid_until=today() - timedelta(days=1))

    data = (await gql(PROVIDER, {"id": ids.encode("Provider", provider_id)})).ok()["provider"]

    assert data["certified"] is False


@pytest.mark.parametrize(
    ("arrange", "decision", "field"),
    [
        ({"certification_number": None}, {"certificationVerified": True}, "certificationVerified"),
        ({}, {"diplomaRecognitionVerified": True}, "diplomaRecognitionVerified"),
    ],
)
async def test_admin_cannot_verify_what_was_not_registered(
    db: Database,
    gql: GraphQLClient,
    arrange: dict[str, Any],
    decision: dict[str, Any],
    field: str,
) -> None:
    provider_id = await add_provider(
        db,
        certified=False,
        certification_valid_from=date(2025, 1, 1),
        certification_valid_until=date(2030, 1, 1),
        **arrange,
    )
    admin = await platform_admin(db)

    result = await gql(
        VERIFY, {"id": ids.encode("Provider", provider_id), "input": decision}, token=admin.token
    )

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", field)
    row = await profile(db, provider_id)
    assert (row.certification_verified_at, row.diploma_recognition_verified_at) == (None, None)


async def test_provider_page_shows_locations_and_the_courses_the_viewer_may_see(
    db: Database, gql: GraphQLClient
) -> None:
    organisation_id = await add_organisation(db, OrganisationKind.PROVIDER, "Taalschool Noord")
    provider_id = await add_provider(db, organisation_id, star_rating=StarRating.ASPIRANT)
    await add_location(
        db, provider_id, name="Centrum", postcode="9711 AA", municipality_code="GM0014"
    )
    await add_course(db, provider_id, title="Gepubliceerd")
    await add_course(db, provider_id, title="Concept", status=CourseStatus.DRAFT)
    staff = await provider_staff(db, provider_id)
    provider = ids.encode("Provider", provider_id)

    public = (await gql(PROVIDER, {"id": provider}, token=(await learner(db)).token)).ok()
    own = (await gql(PROVIDER, {"id": provider}, token=staff.token)).ok()

    assert public["provider"] == {
        "name": "Taalschool Noord",
        "kvkNumber": None,
        "certified": True,
        "starRating": "ASPIRANT",
        "locations": [
            {
                "name": "Centrum",
                "postcode": "9711 AA",
                "municipality": {"code": "GM0014", "name": "Groningen"},
            }
        ],
        "courses": {"totalCount": 1, "nodes": [{"title": "Gepubliceerd", "status": "PUBLISHED"}]},
    }
    assert own["provider"]["courses"]["totalCount"] == 2
    assert [n["title"] for n in own["provider"]["courses"]["nodes"]] == ["Concept", "Gepubliceerd"]


async def test_an_unknown_provider_is_null(db: Database, gql: GraphQLClient) -> None:
    organisation_id = await add_organisation(db, OrganisationKind.PROVIDER)  # no profile

    assert (await gql(PROVIDER, {"id": ids.encode("Provider", organisation_id)})).ok() == {
        "provider": None
    }
    malformed = await gql(PROVIDER, {"id": "x" * 10_000})
    assert (malformed.error_code, malformed.error_field) == ("BAD_USER_INPUT", "id")
