"""Extension options: the buyer's procurement officer exercises them one by one, in the
published order (2+1+1 years), while the contract runs and never past its latest end."""

from __future__ import annotations

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.support.worlds import shared_world
from tests.tenders.contract_world import (
    EXTEND,
    award_tables,
    decided_tender,
    end_standstill,
    sign,
)
from tests.tenders.world import ahead, audit_trail, rows


async def _signed(db: Database, gql: GraphQLClient) -> tuple[str, str, str]:
    """Amsterdam's contract on lot 1 (1 September 2027 to 31 August 2029, options 12 and
    12 months, latest end 31 August 2031, all moved by `ahead`); the tender; the buyer's
    officer's token."""
    d = await decided_tender(db, gql)
    await end_standstill(db, d.tender)
    lead = d.bids.coalition.lead.officer.token
    contract = await sign(gql, lead, d.lots[0])
    return contract["id"], d.tender, lead


signed_contract = shared_world("signed_contract", _signed)


async def _refusal(db: Database, gql: GraphQLClient, contract: str, token: str) -> str:
    """The reason of a refused extension, asserting that nothing changed."""
    before = await award_tables(db)
    result = await gql(EXTEND, {"contract": contract}, token=token)
    assert (result.data, result.error_code, result.error_field) == (None, "CONFLICT", "contractId")
    assert await award_tables(db) == before
    return str(result.errors[0]["extensions"]["reason"])


async def _set(db: Database, contract: str, assignments: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            text(f"UPDATE tender_contracts SET {assignments} WHERE id = :id"),  # noqa: S608
            {"id": ids.decode("Contract", contract)},
        )


async def test_extension_options_are_taken_in_order_until_none_is_left(
    db: Database,
    gql: GraphQLClient,
    signed_contract: tuple[str, str, str],
) -> None:
    contract, tender, lead = signed_contract
    ends = []
    for _ in range(2):
        extended = (await gql(EXTEND, {"contract": contract}, token=lead)).ok()
        view = extended["exerciseExtension"]
        ends.append((view["endsOn"], view["extensionsExercised"], view["extensionsLeft"]))
    assert ends == [(ahead("2030-08-31"), 1, [12]), (ahead("2031-08-31"), 2, [])]
    assert await _refusal(db, gql, contract, lead) == "NoExtensionLeft"

    trail = await audit_trail(db, tender)
    assert [action for _, action, _ in trail[-2:]] == ["tender.contract_extended"] * 2
    assert await rows(
        db,
        "SELECT count(*) FROM procrastinate_jobs"
        " WHERE args -> 'event' ->> 'name' = 'tenders.contract_extended'",
    ) == [(2,)]


async def test_no_extension_past_the_latest_end_date(
    db: Database, gql: GraphQLClient, signed_contract: tuple[str, str, str]
) -> None:
    contract, _, lead = signed_contract
    await _set(db, contract, f"latest_end_date = '{ahead('2030-06-30')}'")
    assert await _refusal(db, gql, contract, lead) == "ExtensionPastLatestEnd"


async def test_no_extension_after_the_contract_ended(
    db: Database, gql: GraphQLClient, signed_contract: tuple[str, str, str]
) -> None:
    contract, _, lead = signed_contract
    # Ended yesterday, on the Amsterdam calendar by the database clock.
    await _set(
        db,
        contract,
        "starts_on = (now() AT TIME ZONE 'Europe/Amsterdam')::date - 730,"
        " ends_on = (now() AT TIME ZONE 'Europe/Amsterdam')::date - 1",
    )
    assert await _refusal(db, gql, contract, lead) == "ContractEnded"
    # On its last day it still runs.
    await _set(db, contract, "ends_on = (now() AT TIME ZONE 'Europe/Amsterdam')::date")
    (await gql(EXTEND, {"contract": contract}, token=lead)).ok()
