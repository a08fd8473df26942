"""Signatures and objections at the same moment, each in its own transaction: the
tender's row lock serialises them, so no member signs twice, the last signature always
contracts the lot, and an objection and a signature never both get through."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor, Grant
from market.kernel.errors import DomainError
from market.settings import Settings
from market.tenders import contracts, objections
from tests.support.actors import Person
from tests.support.graphql import GraphQLClient
from tests.tenders.contract_world import DecidedTender, end_standstill, states
from tests.tenders.world import rows


def _officer(person: Person, municipality: uuid.UUID) -> Actor:
    grant = Grant(municipality, OrganisationKind.MUNICIPALITY, Role.PROCUREMENT_OFFICER)
    return Actor(person.user_id, (grant,))


async def _at_once(
    settings: Settings, *calls: Callable[[Any], Awaitable[object]]
) -> list[str | None]:
    """Runs each call in a transaction of its own, all at once; for each, the reason it
    was refused, or None."""
    database = Database(settings.database_url, pool_size=len(calls))

    async def run(call: Callable[[Any], Awaitable[object]]) -> str | None:
        try:
            async with database.transaction() as session:
                await call(session)
        except DomainError as refused:
            return refused.reason
        return None

    try:
        return list(await asyncio.gather(*(run(call) for call in calls)))
    finally:
        await database.dispose()


async def test_one_member_signing_four_times_at_once_signs_once(
    db: Database, gql: GraphQLClient, settings: Settings, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    await end_standstill(db, d.tender)
    lot = ids.decode("Lot", d.lots[0])
    member = _officer(c.member.officer, c.member.organisation_id)

    refusals = await _at_once(
        settings, *(lambda s: contracts.sign_contract(s, member, lot) for _ in range(4))
    )

    assert (
        sorted(refusals, key=lambda reason: reason or "") == [None] + ["ContractAlreadySigned"] * 3
    )
    assert await rows(db, "SELECT count(*) FROM tender_contracts") == [(1,)]


async def test_the_last_two_signatures_at_once_contract_the_lot(
    db: Database, gql: GraphQLClient, settings: Settings, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    await end_standstill(db, d.tender)
    lot = ids.decode("Lot", d.lots[0])
    lead = _officer(c.lead.officer, c.lead.organisation_id)
    member = _officer(c.member.officer, c.member.organisation_id)

    refusals = await _at_once(
        settings,
        lambda s: contracts.sign_contract(s, lead, lot),
        lambda s: contracts.sign_contract(s, member, lot),
    )

    assert refusals == [None, None]
    token = c.lead.officer.token
    assert await states(gql, token, d.tender) == ("AWARD_DECIDED", ["CONTRACTED", "AWARD_DECIDED"])


async def test_a_paper_objection_and_a_signature_at_once_never_both_pass(
    db: Database, gql: GraphQLClient, settings: Settings, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    await end_standstill(db, d.tender)
    lot = ids.decode("Lot", d.lots[0])
    lead = _officer(c.lead.officer, c.lead.organisation_id)
    member = _officer(c.member.officer, c.member.organisation_id)

    refusals = await _at_once(
        settings,
        lambda s: objections.register_objection(
            s, lead, lot, "Per post ontvangen.", provider_id=d.bids.beta.organisation_id
        ),
        lambda s: contracts.sign_contract(s, member, lot),
    )

    assert refusals in ([None, "ObjectionOpen"], ["ContractsAlreadySigned", None])
    objected, signed = (
        await rows(db, "SELECT count(*) FROM tender_objections"),
        await rows(db, "SELECT count(*) FROM tender_contracts"),
    )
    assert (objected, signed) in (([(1,)], [(0,)]), ([(0,)], [(1,)]))
