"""Open data after the bid deadline: the opening names the tenderers, each award decision
and each member's contract is a release of its own, valid against the official schemas
with the lots and contract_buyer extensions; and before the opening no OCDS output tells
anything of a bid (guarantee 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar.testing import AsyncTestClient

from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.bid_world import (  # noqa: F401 (settings: the test's own files folder)
    OPEN,
    BidWorld,
    bid_input,
    build_bid_world,
    pass_bid_deadline,
    settings,
    submit,
)
from tests.tenders.ocds_world import (
    ALFA_KVK,
    ALFA_LOT_1_CENTS,
    ALFA_LOT_2_CENTS,
    BETA_KVK,
    BETA_LOT_1_CENTS,
    OPENED,
    ContractedWorld,
    execute,
)
from tests.tenders.test_ocds import assert_valid

ALFA = {"id": f"NL-KVK-{ALFA_KVK}", "name": "Alfa Taal"}
BETA = {"id": f"NL-KVK-{BETA_KVK}", "name": "Beta Inburgering"}
LEAD = {"id": "NL-CBS-GM0363", "name": "Gemeente GM0363"}
MEMBER = {"id": "NL-CBS-GM0362", "name": "Gemeente GM0362"}


def _identifier(reference: dict[str, str], scheme: str, number: str) -> dict[str, str]:
    return {"scheme": scheme, "id": number, "legalName": reference["name"]}


async def test_a_contracted_tender_releases_its_opening_awards_and_contracts(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], contracted_world: ContractedWorld
) -> None:
    world = contracted_world
    tender_id = world.bids.tender_id

    package = (await http.get(f"/ocds/tenders/{tender_id}")).json()

    assert_valid(package)
    the_ocid = f"ocds-market-{tender_id}"
    awarded, withdrawn = f"award-{world.decision}", f"award-{world.withdrawn}"
    assert [
        (r["id"].removeprefix(f"{the_ocid}-"), r["tag"], r["date"]) for r in package["releases"]
    ] == [
        ("v1", ["tender"], "2026-09-01T08:00:00Z"),
        ("opening", ["tenderUpdate"], "2026-10-13T10:00:00Z"),
        (awarded, ["award"], "2026-10-27T09:00:00Z"),
        (withdrawn, ["award"], "2026-10-27T09:00:00Z"),
        (f"{withdrawn}-cancelled", ["awardCancellation"], "2026-11-03T09:00:00Z"),
        (f"contract-{world.member_contract}", ["contract"], "2026-11-17T09:00:00Z"),
        (f"contract-{world.lead_contract}", ["contract"], "2026-11-17T09:00:00Z"),
        ("v1-complete", ["tenderUpdate"], "2026-11-17T09:05:00Z"),
    ]
    assert package["publishedDate"] == "2026-11-17T09:05:00Z"
    version, opening, award, award_2, cancelled, member, lead, ending = package["releases"]

    # Released before the deadline, the version says nothing of bids, and stays so.
    assert version["tender"]["status"] == "active"
    assert "numberOfTenderers" not in version["tender"]
    assert [p["roles"] for p in version["parties"]] == [["procuringEntity", "buyer"], ["buyer"]]

    # The opening: who bid, by KvK number; prices stay out of open data.
    assert opening["parties"] == [
        {**ALFA, "roles": ["tenderer"], "identifier": _identifier(ALFA, "NL-KVK", ALFA_KVK)},
        {**BETA, "roles": ["tenderer"], "identifier": _identifier(BETA, "NL-KVK", BETA_KVK)},
    ]
    assert opening["tender"] == {
        "id": str(tender_id),
        "numberOfTenderers": 2,
        "tenderers": [ALFA, BETA],
    }

    # Lot 1 to Beta: pending in its standstill; its value Beta's price for the lot's 100
    # learners a year over the 24 months of the initial term.
    assert award["parties"] == [
        {
            **BETA,
            "roles": ["tenderer", "supplier"],
            "identifier": _identifier(BETA, "NL-KVK", BETA_KVK),
        }
    ]
    assert award["awards"] == [
        {
            "id": str(world.decision),
            "title": "Perceel 1: Z-route",
            "description": (
                "Prijs per traject EUR 7000; waarde geraamd op 100 trajecten per jaar"
                " over 24 maanden."
            ),
            "status": "pending",
            "date": "2026-10-27T09:00:00Z",
            "value": {"amount": BETA_LOT_1_CENTS * 100 * 2 // 100, "currency": "EUR"},
            "suppliers": [BETA],
            "relatedLots": ["1"],
        }
    ]
    # Lot 2 to Alfa, then withdrawn: a later release cancels that award.
    assert (award_2["awards"][0]["suppliers"], award_2["awards"][0]["relatedLots"]) == (
        [ALFA],
        ["2"],
    )
    assert award_2["awards"][0]["value"]["amount"] == ALFA_LOT_2_CENTS * 40 * 2 // 100
    assert cancelled["awards"] == [{"id": str(world.withdrawn), "status": "cancelled"}]

    # One contract per member municipality, each its own buyer, holding its own volume;
    # together they make the award's value (guarantee 9).
    for release, contract_id, buyer, roles, learners in (
        (member, world.member_contract, MEMBER, ["buyer"], 20),
        (lead, world.lead_contract, LEAD, ["procuringEntity", "buyer"], 80),
    ):
        assert [(p["id"], p["roles"]) for p in release["parties"]] == [
            (buyer["id"], roles),
            (BETA["id"], ["tenderer", "supplier"]),
        ]
        # Signing puts the award in force.
        assert release["awards"] == [{"id": str(world.decision), "status": "active"}]
        (contract,) = release["contracts"]
        assert contract == {
            "id": str(contract_id),
            "awardID": str(world.decision),
            "title": f"Perceel 1: Z-route; {buyer['name']}",
            "description": (
                f"Prijs per traject EUR 7000; waarde geraamd op {learners} trajecten per"
                " jaar over 24 maanden."
            ),
            "status": "active",
            "period": {
                "startDate": "2027-08-31T22:00:00Z",
                "endDate": "2029-08-31T21:59:59Z",
                "maxExtentDate": "2031-08-31T21:59:59Z",
            },
            "value": {"amount": BETA_LOT_1_CENTS * learners * 2 // 100, "currency": "EUR"},
            "dateSigned": "2026-11-17T09:00:00Z",
            "buyer": buyer,
        }
    values = [r["contracts"][0]["value"]["amount"] for r in (member, lead)]
    assert sum(values) == award["awards"][0]["value"]["amount"]

    # The tender ends complete: lot 1 contracted, lot 2 without a standing award.
    assert ending["tender"] == {
        "id": str(tender_id),
        "status": "complete",
        "lots": [{"id": "1", "status": "complete"}, {"id": "2", "status": "unsuccessful"}],
    }


def _merged(target: Any, patch: Any) -> Any:
    """OCDS's merge of a release into a record: objects field by field, arrays of objects
    with ids item by item (by id), anything else replaced."""
    if isinstance(patch, dict):
        merged = dict(target) if isinstance(target, dict) else {}
        for key, value in patch.items():
            merged[key] = _merged(merged.get(key), value)
        return merged
    if isinstance(patch, list) and patch and all(isinstance(i, dict) and "id" in i for i in patch):
        items = {i["id"]: i for i in target} if isinstance(target, list) else {}
        for item in patch:
            items[item["id"]] = _merged(items.get(item["id"]), item)
        return list(items.values())
    return patch


def compiled(package: dict[str, Any]) -> dict[str, Any]:
    """The record a consumer compiles from the package's releases, oldest first."""
    record: dict[str, Any] = {}
    for release in sorted(package["releases"], key=lambda r: r["date"]):
        record = _merged(record, release)
    return {**record, "id": f"{record['ocid']}-compiled", "tag": ["compiled"]}


async def test_the_releases_compile_into_the_tenders_end_state(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], contracted_world: ContractedWorld
) -> None:
    world = contracted_world

    package = (await http.get(f"/ocds/tenders/{world.bids.tender_id}")).json()
    record = compiled(package)

    assert_valid({**package, "releases": [record]})
    assert [(p["name"], p["roles"]) for p in record["parties"]] == [
        ("Gemeente GM0363", ["procuringEntity", "buyer"]),
        ("Gemeente GM0362", ["buyer"]),
        ("Alfa Taal", ["tenderer", "supplier"]),
        ("Beta Inburgering", ["tenderer", "supplier"]),
    ]
    tender = record["tender"]
    assert (tender["status"], tender["numberOfTenderers"], tender["title"]) == (
        "complete",
        2,
        "Inburgering Regio Amsterdam 2027",
    )
    assert [(lot["id"], lot["status"], lot["title"]) for lot in tender["lots"]] == [
        ("1", "complete", "Z-route"),
        ("2", "unsuccessful", "Onderwijsroute mbo"),
    ]
    assert [(a["id"], a["status"], a["relatedLots"]) for a in record["awards"]] == [
        (str(world.decision), "active", ["1"]),
        (str(world.withdrawn), "cancelled", ["2"]),
    ]
    assert [(c["buyer"]["name"], c["awardID"]) for c in record["contracts"]] == [
        ("Gemeente GM0362", str(world.decision)),
        ("Gemeente GM0363", str(world.decision)),
    ]


async def test_an_exercised_extension_lengthens_the_contracts_value(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], contracted_world: ContractedWorld
) -> None:
    world = contracted_world
    await execute(
        db,
        "UPDATE tender_contracts SET extensions_exercised = 1, ends_on = '2030-08-31'"
        " WHERE id = :id",
        id=world.lead_contract,
    )

    package = (await http.get(f"/ocds/tenders/{world.bids.tender_id}")).json()

    assert_valid(package)
    (contract,) = [
        c
        for r in package["releases"]
        for c in r.get("contracts", [])
        if c["id"] == str(world.lead_contract)
    ]
    assert contract["period"]["endDate"] == "2030-08-31T21:59:59Z"
    # 24 months and the first 12-month option: 36 months of 80 learners a year.
    assert contract["value"]["amount"] == BETA_LOT_1_CENTS * 80 * 3 // 100


async def test_the_feed_carries_a_tender_again_when_a_contract_is_signed(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], contracted_world: ContractedWorld
) -> None:
    world = contracted_world
    # The tender's own row last changed at the opening: only the contracts' signing
    # (17 November, 09:00) is later.
    await execute(
        db, "UPDATE tenders SET updated_at = :at WHERE id = :id", at=OPENED, id=world.bids.tender_id
    )

    response = await http.get("/ocds/releases", params={"since": "2026-11-17T09:00:00Z"})

    package = response.json()
    assert_valid(package)
    releases = package["releases"]
    assert {r["ocid"] for r in releases} == {f"ocds-market-{world.bids.tender_id}"}
    # Every release of the tender, the earlier ones again: a consumer keeps each id once.
    assert sorted(r["tag"][0] for r in releases) == [
        "award",
        "award",
        "awardCancellation",
        "contract",
        "contract",
        "tender",
        "tenderUpdate",
        "tenderUpdate",
    ]
    later = await http.get("/ocds/releases", params={"since": "2026-11-17T09:00:01Z"})
    assert later.json()["releases"] == []


def _walk(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every value in a JSON document with its key; a list's items take the list's key."""
    yield key, value
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            yield from _walk(inner, inner_key)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner, key)


def bid_data_in(
    document: dict[str, Any], names: tuple[str, ...], prices: tuple[int, ...]
) -> list[Any]:
    """What of a bid a document shows: tenderers, bid counts, awards, a bidder's name or a
    bid's price in euros."""
    found: list[Any] = []
    for key, value in _walk(document):
        if key in {"tenderers", "numberOfTenderers", "bids", "awards", "contracts"}:
            found.append(key)
        if key == "roles" and value == "tenderer":
            found.append(value)
        if isinstance(value, str) and any(name in value for name in names):
            found.append(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and value in prices:
            found.append(value)
    return found


async def test_guarantee_01_no_open_data_shows_a_tenderer_a_bid_count_or_a_price_before_the_opening(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], bid_world: BidWorld
) -> None:
    w = bid_world
    await submit(gql, w.alpha.owner, bid_input(w, 0, ALFA_LOT_1_CENTS))
    await submit(gql, w.beta.owner, bid_input(w, 0, BETA_LOT_1_CENTS))
    await submit(gql, w.alpha.owner, bid_input(w, 1, ALFA_LOT_2_CENTS))
    names = (w.alpha.name, w.beta.name)
    prices = tuple(cents // 100 for cents in (ALFA_LOT_1_CENTS, BETA_LOT_1_CENTS, ALFA_LOT_2_CENTS))

    async def outputs() -> list[dict[str, Any]]:
        package = (await http.get(f"/ocds/tenders/{w.tender_id}")).json()
        feed = (await http.get("/ocds/releases", params={"since": "2000-01-01T00:00:00Z"})).json()
        assert_valid(package)
        assert {r["ocid"] for r in feed["releases"]} == {f"ocds-market-{w.tender_id}"}
        return [package, feed]

    # Before the deadline, with three live bids.
    for document in await outputs():
        assert bid_data_in(document, names, prices) == []
    # After the deadline, the opening requested by one officer only: still sealed.
    await pass_bid_deadline(db, w.tender)
    (await gql(OPEN, {"tender": w.tender}, token=w.coalition.lead.officer.token)).ok()
    for document in await outputs():
        assert bid_data_in(document, names, prices) == []

    # Opened by the second officer: the tenderers and their number, never a price.
    (await gql(OPEN, {"tender": w.tender}, token=w.second_officer.token)).ok()
    package, feed = await outputs()
    assert package["releases"] == feed["releases"]
    shown = bid_data_in(package, names, prices)
    assert "numberOfTenderers" in shown
    assert "tenderer" in shown
    assert not [value for value in shown if isinstance(value, int | float)]


async def test_a_provider_without_a_kvk_number_is_named_by_the_platforms_id_for_it(
    db: Database, gql: GraphQLClient, http: AsyncTestClient[Any], contracted_world: ContractedWorld
) -> None:
    world = contracted_world
    beta = world.bids.beta.organisation_id
    await execute(db, "UPDATE organisations SET kvk_number = NULL WHERE id = :id", id=beta)

    package = (await http.get(f"/ocds/tenders/{world.bids.tender_id}")).json()

    assert_valid(package)
    record = compiled(package)
    reference = {"id": f"market-{beta}", "name": "Beta Inburgering"}
    assert [p for p in record["parties"] if p["name"] == "Beta Inburgering"] == [
        {**reference, "roles": ["tenderer", "supplier"]}
    ]
    assert record["awards"][0]["suppliers"] == [reference]
