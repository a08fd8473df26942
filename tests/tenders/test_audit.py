"""The audit trail (guarantee 8): every change to a tender or a coalition is appended to
its hash chain; the entries cannot be changed through the database's front door, and a
change made around that (a superuser switching the trigger off) is found by `verify` and
by `market tenders verify`."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from market import cli
from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor, Grant
from market.tenders import audit, service
from market.tenders.audit import Break, Problem
from market.tenders.models import AuditEntry
from tests.support.graphql import GraphQLClient
from tests.tenders.world import (
    UPDATE_TENDER,
    CoalitionWorld,
    audit_trail,
    create_tender,
    rows,
    tender_input,
)

ADMIN = Actor(uuid.uuid4(), (Grant(uuid.uuid4(), OrganisationKind.PLATFORM, Role.ADMIN),))


async def _updated(gql: GraphQLClient, w: CoalitionWorld, tender: str, title: str) -> None:
    variables = {"id": tender, "input": {**tender_input(w), "title": title}}
    (await gql(UPDATE_TENDER, variables, token=w.lead.officer.token)).ok()


async def _verify(db: Database) -> list[Break]:
    async with db.reader() as session:
        return await audit.verify(session)


async def _as_attacker(db: Database, statement: str, **params: Any) -> None:
    """A superuser session with triggers off, as someone with database access could."""
    async with db.transaction() as session:
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text(statement), params)


async def test_every_change_is_chained_with_its_actor_and_the_subject_keeps_the_head(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    await _updated(gql, w, tender, "Herzien")

    officer = w.lead.officer.user_id
    assert await audit_trail(db, tender) == [
        (1, "tender.created", officer),
        (2, "tender.updated", officer),
    ]
    chain = await rows(
        db,
        "SELECT e.previous_hash, e.hash, t.audit_head, t.audit_count"
        " FROM tender_audit_entries e JOIN tenders t ON t.id = e.tender_id ORDER BY e.sequence",
    )
    (first_previous, first, head, count), (second_previous, second, _, _) = chain
    assert (first_previous, second_previous) == (None, first)
    assert (head, count) == (second, 2)
    assert await rows(
        db,
        "SELECT sequence, action, actor_id FROM tender_audit_entries"
        " WHERE coalition_id = :id ORDER BY sequence",
        id=w.coalition_id,
    ) == [
        (1, "coalition.created", officer),
        (2, "coalition.member_invited", officer),
        (3, "coalition.member_invited", officer),
        (4, "coalition.invitation_accepted", w.member.officer.user_id),
    ]
    assert await _verify(db) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE tender_audit_entries SET action = 'tender.nothing'",
        "DELETE FROM tender_audit_entries",
        "TRUNCATE tender_audit_entries",
    ],
)
async def test_the_entries_refuse_update_delete_and_truncate(
    db: Database, gql: GraphQLClient, statement: str, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    before = await rows(db, "SELECT * FROM tender_audit_entries ORDER BY id")

    with pytest.raises(DBAPIError, match="append-only"):
        async with db.transaction() as session:
            await session.execute(text(statement))

    assert await rows(db, "SELECT * FROM tender_audit_entries ORDER BY id") == before
    assert len(await audit_trail(db, tender)) == 1


async def test_guarantee_08_audit_trail_detects_tampering(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tampered, shortened, gapped, untouched = [await create_tender(gql, w) for _ in range(4)]
    for tender in (tampered, shortened, gapped, untouched):
        await _updated(gql, w, tender, "Herzien")
        await _updated(gql, w, tender, "Nogmaals herzien")
    assert await _verify(db) == []

    # The first version's title rewritten, the last entry removed, a middle one removed.
    await _as_attacker(
        db,
        "UPDATE tender_audit_entries"
        " SET change = jsonb_set(change, '{tender,title}', '\"Vervalst\"')"
        " WHERE tender_id = :id AND sequence = 1",
        id=ids.decode("Tender", tampered),
    )
    await _as_attacker(
        db,
        "DELETE FROM tender_audit_entries WHERE tender_id = :id AND sequence = 3",
        id=ids.decode("Tender", shortened),
    )
    await _as_attacker(
        db,
        "DELETE FROM tender_audit_entries WHERE tender_id = :id AND sequence = 2",
        id=ids.decode("Tender", gapped),
    )

    assert sorted(await _verify(db), key=str) == sorted(
        [
            Break("tender", ids.decode("Tender", tampered), 1, Problem.TAMPERED),
            Break("tender", ids.decode("Tender", shortened), None, Problem.HEAD_MISMATCH),
            Break("tender", ids.decode("Tender", gapped), 2, Problem.MISSING),
        ],
        key=str,
    )


async def test_a_rewritten_hash_breaks_the_link_to_the_next_entry(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    await _updated(gql, w, tender, "Herzien")
    tender_id = ids.decode("Tender", tender)

    # The content changed and its hash recomputed to match: the next entry still points
    # at the old hash.
    async with db.reader() as session:
        entry = await session.scalar(
            text("SELECT id FROM tender_audit_entries WHERE tender_id = :id AND sequence = 1"),
            {"id": tender_id},
        )
    await _as_attacker(
        db,
        "UPDATE tender_audit_entries"
        " SET change = jsonb_set(change, '{tender,title}', '\"Vervalst\"') WHERE id = :id",
        id=entry,
    )
    async with db.reader() as session:
        forged = await session.get(AuditEntry, entry)
        assert forged is not None
        rehashed = audit.entry_hash(forged)
    await _as_attacker(
        db, "UPDATE tender_audit_entries SET hash = :hash WHERE id = :id", hash=rehashed, id=entry
    )

    assert await _verify(db) == [Break("tender", tender_id, 2, Problem.MISSING)]


async def test_market_tenders_verify_prints_the_broken_chain_and_fails(
    db: Database, gql: GraphQLClient, database_url: str, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    runner = CliRunner()
    env = {"MARKET_DATABASE_URL": database_url}

    clean = await asyncio.to_thread(runner.invoke, cli.main, ["tenders", "verify"], env=env)
    assert clean.exit_code == 0, clean.output
    assert clean.output == "every audit chain is intact\n"

    await _as_attacker(
        db,
        "UPDATE tender_audit_entries SET action = 'tender.forged' WHERE tender_id = :id",
        id=ids.decode("Tender", tender),
    )
    broken = await asyncio.to_thread(runner.invoke, cli.main, ["tenders", "verify"], env=env)

    assert broken.exit_code == 1
    assert broken.output == (
        f"tender {ids.decode('Tender', tender)}: tampered at entry 1\n1 broken audit chain\n"
    )


async def test_rebuild_gives_the_tender_as_it_was_after_each_entry(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    tender_id = ids.decode("Tender", tender)
    async with db.reader() as session:
        first = await service.find_tender(session, ADMIN, tender_id)
    await _updated(gql, w, tender, "Herzien")

    async with db.reader() as session:
        current = await service.find_tender(session, ADMIN, tender_id)
        rebuilt_first = await audit.rebuild(session, tender_id, 1)
        rebuilt_current = await audit.rebuild(session, tender_id, 2)

    assert first is not None
    assert current is not None
    assert (first.title, current.title) == ("Inburgering Regio Amsterdam 2027", "Herzien")
    assert rebuilt_first == first
    assert rebuilt_current == current
