"""Open data: anyone reads a published tender as an OCDS 1.1 release package, valid against
the official schemas with the lots and contract_buyer extensions, and follows a feed of
what was published or changed; drafts never appear."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from litestar.testing import AsyncTestClient
from referencing import Registry, Resource

from market.api.graphql import ids
from market.app import create_app
from market.db.database import Database
from market.settings import Settings
from market.tenders import open_data
from tests.support.graphql import GraphQLClient
from tests.tenders.ocds_world import correct, execute
from tests.tenders.world import CoalitionWorld, ahead, create_tender

SCHEMAS = Path(__file__).parent / "ocds_schemas"
EXTENSIONS = ("lots-extension-release-schema.json", "contract-buyer-extension-release-schema.json")


def _load(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


@cache
def validator() -> Draft4Validator:
    """The release package schema, its release schema (patched with the extensions)
    resolved locally, checking formats (date-time)."""
    release = _load("release-schema.json")
    for extension in EXTENSIONS:
        release = merge_patch(release, _load(extension))
    package = _load("release-package-schema.json")
    registry: Registry[Any] = Registry().with_resource(
        package["properties"]["releases"]["items"]["$ref"],
        Resource.from_contents(release),
    )
    checker = Draft4Validator.FORMAT_CHECKER
    return Draft4Validator(package, registry=registry, format_checker=checker)


def assert_valid(package: dict[str, Any]) -> None:
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(package)]
    assert problems == []


def test_the_validator_checks_date_times_and_the_extensions() -> None:
    """Without rfc3339-validator jsonschema skips `date-time` silently: this keeps it honest."""
    release = {
        "ocid": "ocds-market-1",
        "id": "1",
        "date": "2027-03-01T09:00:00",
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": {"id": "1", "lots": [{"id": "1", "status": "open"}]},
        "contracts": [{"id": "1", "awardID": "1", "buyer": "Gemeente"}],
    }
    package = {
        "uri": "https://market.example/ocds/tenders/1",
        "version": "1.1",
        "publishedDate": "2027-03-01T09:00:00Z",
        "publisher": {"name": "market"},
        "releases": [release],
    }

    messages = sorted(error.message for error in validator().iter_errors(package))

    assert messages == [
        "'2027-03-01T09:00:00' is not a 'date-time'",
        "'Gemeente' is not of type 'object'",
        "'open' is not one of ['planning', 'planned', 'active', 'cancelled', 'unsuccessful',"
        " 'complete', 'withdrawn', None]",
    ]


async def published_tender(db: Database, gql: GraphQLClient, w: CoalitionWorld) -> uuid.UUID:
    """A tender of the world's coalition, published (by SQL: publication is not this
    part's) with both lots' maximum values, the lead known by its KvK number."""
    tender_id = ids.decode("Tender", await create_tender(gql, w))
    await execute(
        db,
        "UPDATE tender_lots SET max_value_cents = 50000000 WHERE tender_id = :id AND number = 2",
        id=tender_id,
    )
    await execute(
        db,
        "UPDATE organisations SET kvk_number = '34366966' WHERE id = :id",
        id=w.lead.organisation_id,
    )
    await publish(db, tender_id, "2027-03-01T08:00:00Z")
    return tender_id


async def publish(db: Database, tender_id: uuid.UUID, at: str) -> None:
    await execute(
        db,
        "UPDATE tenders SET state = 'published', published_at = :at, updated_at = :at"
        " WHERE id = :id",
        id=tender_id,
        at=datetime.fromisoformat(at),
    )


async def test_a_published_tender_is_a_valid_ocds_release_package_with_its_mapped_fields(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender_id = await published_tender(db, gql, w)

    response = await http.get(f"/ocds/tenders/{tender_id}")

    assert response.status_code == 200
    package = response.json()
    assert_valid(package)
    assert package["version"] == "1.1"
    assert package["publishedDate"] == "2027-03-01T08:00:00Z"
    assert [url.rsplit("/", 3)[1] for url in package["extensions"]] == [
        "ocds_lots_extension",
        "ocds_contract_buyer_extension",
    ]
    (release,) = package["releases"]
    assert release["ocid"] == f"ocds-market-{tender_id}"
    assert (release["id"], release["tag"]) == (f"ocds-market-{tender_id}-v1", ["tender"])
    # The lead and the member that joined; Diemen, only invited, is no buyer.
    assert [(p["name"], p["identifier"], p["roles"]) for p in release["parties"]] == [
        (
            "Gemeente GM0363",
            {"scheme": "NL-KVK", "id": "34366966", "legalName": "Gemeente GM0363"},
            ["procuringEntity", "buyer"],
        ),
        (
            "Gemeente GM0362",
            {"scheme": "NL-CBS", "id": "GM0362", "legalName": "Gemeente GM0362"},
            ["buyer"],
        ),
    ]
    lead = {"id": "NL-KVK-34366966", "name": "Gemeente GM0363"}
    assert release["buyer"] == lead
    tender = release["tender"]
    assert tender["procuringEntity"] == lead
    assert (tender["status"], tender["procurementMethod"], tender["mainProcurementCategory"]) == (
        "active",
        "open",
        "services",
    )
    assert tender["awardCriteria"] == "ratedCriteria"
    # Every moment in UTC: the bid deadline was given as 12:00 Amsterdam summer time.
    assert tender["tenderPeriod"] == {
        "startDate": "2027-03-01T08:00:00Z",
        "endDate": "2027-04-12T10:00:00Z",
    }
    assert tender["enquiryPeriod"]["endDate"] == "2027-03-15T11:00:00Z"
    # 24 months from 1 September 2027, extensible to the end of 31 August 2031.
    assert tender["contractPeriod"] == {
        "startDate": "2027-08-31T22:00:00Z",
        "endDate": "2029-08-31T21:59:59Z",
        "maxExtentDate": "2031-08-31T21:59:59Z",
    }
    assert tender["value"] == {"amount": 2_000_000, "currency": "EUR"}
    assert [(lot["id"], lot["title"], lot["status"], lot["value"]) for lot in tender["lots"]] == [
        ("1", "Z-route", "active", {"amount": 1_500_000, "currency": "EUR"}),
        ("2", "Onderwijsroute mbo", "active", {"amount": 500_000, "currency": "EUR"}),
    ]
    for lot in tender["lots"]:
        assert lot["awardCriteria"] == "ratedCriteria"
        assert lot["awardCriteriaDetails"] == (
            "Kwaliteit 60% (Plan van aanpak 70%, Begeleiding 30%); "
            "prijs 40%, prijs ten opzichte van de laagste prijs."
        )
    assert "bids" not in release
    assert "awards" not in release


async def test_a_pure_price_method_is_price_only(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender_id = await published_tender(db, gql, w)
    await execute(
        db,
        "UPDATE tenders SET quality_weight_bp = 0, price_weight_bp = 10000 WHERE id = :id",
        id=tender_id,
    )

    package = (await http.get(f"/ocds/tenders/{tender_id}")).json()

    assert_valid(package)
    tender = package["releases"][0]["tender"]
    assert tender["awardCriteria"] == "priceOnly"
    assert tender["lots"][0]["awardCriteriaDetails"].startswith("Kwaliteit 0% (")


@pytest.mark.parametrize(
    ("method", "values", "criteria", "details"),
    [
        (
            "fixed_price",
            None,
            "qualityOnly",
            "Vaste prijs; gunning op kwaliteit alleen: Plan van aanpak 70%, Begeleiding 30%.",
        ),
        (
            "quality_value",
            250_050,
            "ratedCriteria",
            "Fictieve korting: prijs min de waarde van de kwaliteit: Plan van aanpak 70%"
            " (tot EUR 2500.5), Begeleiding 30% (tot EUR 2500.5).",
        ),
    ],
)
async def test_the_other_award_methods_map_to_their_criteria(
    db: Database,
    gql: GraphQLClient,
    http: AsyncTestClient[Any],
    method: str,
    values: int | None,
    criteria: str,
    details: str,
    coalition_world: CoalitionWorld,
) -> None:
    w = coalition_world
    tender_id = await published_tender(db, gql, w)
    await execute(
        db,
        "UPDATE tenders SET award_method = CAST(:method AS award_method),"
        " quality_weight_bp = NULL, price_weight_bp = NULL WHERE id = :id",
        id=tender_id,
        method=method,
    )
    await execute(
        db,
        "UPDATE tender_quality_criteria SET value_cents = :values WHERE tender_id = :id",
        id=tender_id,
        values=values,
    )

    package = (await http.get(f"/ocds/tenders/{tender_id}")).json()

    assert_valid(package)
    tender = package["releases"][0]["tender"]
    assert (tender["awardCriteria"], tender["awardCriteriaDetails"]) == (criteria, details)


CORRECTED_TITLE = "Inburgering Regio Amsterdam 2027-2028"


async def _years_ahead(db: Database, tender_id: uuid.UUID) -> None:
    """The published tender's dates moved by `ahead`'s whole years: a correction compares
    its bid deadline with the database clock."""
    years = int(ahead("2027")) - 2027
    moved = ", ".join(
        f"{column} = {column} + make_interval(years => :years)"
        for column in (
            "publication_at",
            "questions_deadline",
            "bid_deadline",
            "planned_award_at",
            "contract_start_at",
            "published_at",
            "updated_at",
        )
    )
    await execute(
        db,
        f"UPDATE tenders SET {moved}, latest_end_date = CAST(latest_end_date"  # noqa: S608
        " + make_interval(years => :years) AS date) WHERE id = :id",
        years=years,
        id=tender_id,
    )


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_each_correction_is_a_tender_update_and_a_cancelled_tender_a_cancellation(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender_id = await published_tender(db, gql, w)
    await _years_ahead(db, tender_id)
    for at, until, title in (
        (ahead("2027-03-05T10:00:00Z"), ahead("2027-04-19T10:00:00Z"), None),
        (ahead("2027-03-10T10:00:00Z"), ahead("2027-04-26T10:00:00Z"), CORRECTED_TITLE),
    ):
        await correct(
            db, gql, w, tender_id, at=_moment(at), deadline_after=_moment(until), title=title
        )

    corrected = (await http.get(f"/ocds/tenders/{tender_id}")).json()
    await execute(
        db,
        "UPDATE tenders SET state = 'cancelled', updated_at = :at WHERE id = :id",
        id=tender_id,
        at=_moment(ahead("2027-03-12T10:00:00Z")),
    )
    await execute(
        db, "UPDATE tender_lots SET state = 'cancelled' WHERE tender_id = :id", id=tender_id
    )
    cancelled = (await http.get(f"/ocds/tenders/{tender_id}")).json()

    for package in (corrected, cancelled):
        assert_valid(package)
    the_ocid = f"ocds-market-{tender_id}"
    assert [(r["id"], r["tag"], r["date"]) for r in corrected["releases"]] == [
        (f"{the_ocid}-v1", ["tender"], ahead("2027-03-01T08:00:00Z")),
        (f"{the_ocid}-v2", ["tenderUpdate"], ahead("2027-03-05T10:00:00Z")),
        (f"{the_ocid}-v3", ["tenderUpdate"], ahead("2027-03-10T10:00:00Z")),
    ]
    assert corrected["publishedDate"] == ahead("2027-03-10T10:00:00Z")
    first, second, current = corrected["releases"]
    # A superseded version says what its correction recorded of it: its bid deadline.
    assert first["tender"] == {
        "id": str(tender_id),
        "status": "active",
        "tenderPeriod": {
            "startDate": ahead("2027-03-01T08:00:00Z"),
            "endDate": ahead("2027-04-12T10:00:00Z"),
        },
    }
    assert second["tender"]["tenderPeriod"]["endDate"] == ahead("2027-04-19T10:00:00Z")
    assert current["tender"]["tenderPeriod"]["endDate"] == ahead("2027-04-26T10:00:00Z")
    assert current["tender"]["title"] == CORRECTED_TITLE
    assert [a["releaseID"] for a in second["tender"]["amendments"]] == [f"{the_ocid}-v2"]
    assert current["tender"]["amendments"] == [
        {
            "id": "2",
            "date": ahead("2027-03-05T10:00:00Z"),
            "rationale": "Correctie 2: de termijn voor inschrijving wordt verlengd.",
            "description": "Gewijzigd: timeline.bidDeadline.",
            "amendsReleaseID": f"{the_ocid}-v1",
            "releaseID": f"{the_ocid}-v2",
        },
        {
            "id": "3",
            "date": ahead("2027-03-10T10:00:00Z"),
            "rationale": "Correctie 3: de termijn voor inschrijving wordt verlengd.",
            "description": "Gewijzigd: timeline.bidDeadline, title.",
            "amendsReleaseID": f"{the_ocid}-v2",
            "releaseID": f"{the_ocid}-v3",
        },
    ]
    # The versions stay as released; a later release cancels the tender and its lots.
    *versions, cancellation = cancelled["releases"]
    assert versions == corrected["releases"]
    assert (cancellation["id"], cancellation["tag"], cancellation["date"]) == (
        f"{the_ocid}-v3-cancelled",
        ["tenderCancellation"],
        ahead("2027-03-12T10:00:00Z"),
    )
    assert cancellation["tender"] == {
        "id": str(tender_id),
        "status": "cancelled",
        "lots": [{"id": "1", "status": "cancelled"}, {"id": "2", "status": "cancelled"}],
    }
    assert cancelled["publishedDate"] == ahead("2027-03-12T10:00:00Z")


async def test_the_ocid_prefix_is_a_setting(
    db: Database, gql: GraphQLClient, settings: Settings, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender_id = await published_tender(db, gql, w)

    configured = dataclasses.replace(settings, ocds_prefix="ocds-b5fd17-")
    async with AsyncTestClient(app=create_app(configured)) as client:
        package = (await client.get(f"/ocds/tenders/{tender_id}")).json()

    assert package["releases"][0]["ocid"] == f"ocds-b5fd17-{tender_id}"


async def test_a_draft_an_unknown_id_and_a_malformed_one_get_the_same_404(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    draft = ids.decode("Tender", await create_tender(gql, w))

    answers = [
        await http.get(f"/ocds/tenders/{tender_id}")
        for tender_id in (draft, uuid.uuid4(), "not-a-tender")
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json()["errors"][0]["extensions"] == {
        "code": "NOT_FOUND",
        "reason": "TenderNotFound",
    }


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(open_data, "MAX_FEED_PAGE", 2)
    return 2


async def feed_tenders(db: Database, gql: GraphQLClient, w: CoalitionWorld) -> list[uuid.UUID]:
    """Four published tenders (January to April 2026) and a draft."""
    found = []
    for month in (1, 2, 3, 4):
        tender_id = await published_tender(db, gql, w)
        await publish(db, tender_id, f"2026-{month:02}-01T09:00:00Z")
        found.append(tender_id)
    await create_tender(gql, w)
    return found


def tender_ids(package: dict[str, Any]) -> list[uuid.UUID]:
    return [uuid.UUID(r["tender"]["id"]) for r in package["releases"]]


async def test_the_feed_holds_the_tenders_published_or_changed_since_a_moment(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    january, february, march, april = await feed_tenders(db, gql, w)
    # Corrected in May: it comes again, with its change.
    await execute(
        db,
        "UPDATE tenders SET version = 2, updated_at = :at WHERE id = :id",
        id=february,
        at=datetime(2026, 5, 2, 9, tzinfo=UTC),
    )

    response = await http.get("/ocds/releases", params={"since": "2026-02-15T10:00:00+01:00"})

    assert response.status_code == 200
    package = response.json()
    assert_valid(package)
    assert tender_ids(package) == [march, april, february]
    assert [r["tag"] for r in package["releases"]] == [["tender"], ["tender"], ["tenderUpdate"]]
    assert package["publishedDate"] == "2026-05-02T09:00:00Z"
    assert "links" not in package
    everything = (await http.get("/ocds/releases", params={"since": "2025-12-31T23:00:00Z"})).json()
    assert tender_ids(everything) == [january, march, april, february]
    later = await http.get("/ocds/releases", params={"since": "2026-05-02T09:00:00.000001Z"})
    assert (later.status_code, later.json()["releases"]) == (200, [])


async def test_the_feed_pages_under_a_hard_cap(
    db: Database,
    gql: GraphQLClient,
    http: AsyncTestClient[Any],
    small_cap: int,
    coalition_world: CoalitionWorld,
) -> None:
    w = coalition_world
    january, february, march, april = await feed_tenders(db, gql, w)

    first = (
        await http.get("/ocds/releases", params={"since": "2026-01-01T00:00:00Z", "limit": "50"})
    ).json()
    second = (await http.get(first["links"]["next"])).json()

    assert_valid(first)
    assert_valid(second)
    assert tender_ids(first) == [january, february]
    assert tender_ids(second) == [march, april]
    assert "links" not in second
    one = (
        await http.get("/ocds/releases", params={"since": "2026-01-01T00:00:00Z", "limit": "1"})
    ).json()
    assert tender_ids(one) == [january]
    assert tender_ids((await http.get(one["links"]["next"])).json()) == [february]


@pytest.mark.parametrize(
    "since",
    [
        "yesterday",
        "",
        "2026-01-01",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00+01",
        "20260101T000000Z",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
    ],
)
async def test_a_bad_since_is_refused_with_its_reason(
    http: AsyncTestClient[Any], since: str
) -> None:
    response = await http.get("/ocds/releases", params={"since": since})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "SinceNotRfc3339",
    }
