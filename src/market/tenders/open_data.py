"""The open-data reads: published tenders as OCDS release packages (market.tenders.ocds),
one tender at a time or as a feed of what was published or changed since a moment.

Nobody signs in for open data: these reads take no actor and see exactly what everyone
sees, published tenders (`published_at` set); a draft is as absent as an unknown id.
A tender's last change is the latest of its publication, its last update and the moment
of its latest release (a correction, the opening, an award decision sent or withdrawn, a
contract signed). The feed holds every release of each tender changed since the moment
asked, the older ones again too: a consumer keeps each release id once, and a page never
splits a tender's releases.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from market.identity.models import Organisation
from market.tenders import errors, ocds, service
from market.tenders.models import (
    AwardDecision,
    Bid,
    BidOpening,
    BidState,
    Coalition,
    CoalitionMember,
    Contract,
    Lot,
    MemberState,
    Rectification,
    Tender,
)
from market.tenders.service import TenderView

# The most tenders one page of the feed holds, whatever the client asks for.
MAX_FEED_PAGE = 100


# RFC 3339's date-time (section 5.6); Python's ISO parser alone takes more (no offset,
# basic format, hours-only offsets).
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def parse_since(value: str) -> datetime:
    """An RFC 3339 date and time, offset required (`Z` or +hh:mm)."""
    if not _RFC3339.fullmatch(value):
        raise errors.SinceNotRfc3339(field="since")
    try:
        return datetime.fromisoformat(value.upper())
    except ValueError:  # a well-formed impossible moment: month 13, 30 February
        raise errors.SinceNotRfc3339(field="since") from None


def _latest(moment: InstrumentedAttribute[Any], tender_id: InstrumentedAttribute[uuid.UUID]) -> Any:
    return select(func.max(moment)).where(tender_id == Tender.id).scalar_subquery()


def _changed_at() -> ColumnElement[datetime]:
    """A tender's last change: the latest of its own and of every release's moment."""
    return func.greatest(
        Tender.published_at,
        Tender.updated_at,
        _latest(Rectification.published_at, Rectification.tender_id),
        _latest(BidOpening.opened_at, BidOpening.tender_id),
        _latest(AwardDecision.sent_at, AwardDecision.tender_id),
        _latest(AwardDecision.withdrawn_at, AwardDecision.tender_id),
        _latest(Contract.signed_at, Contract.tender_id),
    )


def _provider(organisation: Organisation) -> ocds.Party:
    return ocds.Party(organisation.id, organisation.name, organisation.kvk_number, None)


async def _members(
    session: AsyncSession, coalition_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ocds.Party]]:
    """Each coalition's member municipalities, its lead marked: one statement."""
    found: dict[uuid.UUID, list[ocds.Party]] = {c: [] for c in coalition_ids}
    rows = await session.execute(
        select(
            CoalitionMember.coalition_id,
            Organisation.id,
            Organisation.name,
            Organisation.kvk_number,
            Organisation.municipality_code,
            Coalition.lead_id == Organisation.id,
        )
        .join(Organisation, Organisation.id == CoalitionMember.organisation_id)
        .join(Coalition, Coalition.id == CoalitionMember.coalition_id)
        .where(
            CoalitionMember.coalition_id.in_(found),
            CoalitionMember.state == MemberState.MEMBER,
        )
    )
    for coalition_id, organisation_id, name, kvk, code, lead in rows:
        found[coalition_id].append(ocds.Party(organisation_id, name, kvk, code, bool(lead)))
    return found


async def _corrections(
    session: AsyncSession, tender_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ocds.Correction]]:
    found: dict[uuid.UUID, list[ocds.Correction]] = {t: [] for t in tender_ids}
    for r in await session.scalars(
        select(Rectification)
        .where(Rectification.tender_id.in_(tender_ids))
        .order_by(Rectification.version)
    ):
        found[r.tender_id].append(
            ocds.Correction(
                r.version,
                r.reason,
                tuple(sorted(r.changes)),
                r.bid_deadline_before,
                r.bid_deadline_after,
                r.published_at,
            )
        )
    return found


async def _openings(
    session: AsyncSession, tender_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ocds.Opening]:
    """The opened tenders' openings with the providers of their live bids. A tender not
    yet opened has none: its bids stay out of every statement (guarantee 1)."""
    tenderers: dict[uuid.UUID, list[ocds.Party]] = {}
    opened: dict[uuid.UUID, datetime] = {}
    for tender_id, opened_at, organisation in await session.execute(
        select(BidOpening.tender_id, BidOpening.opened_at, Organisation)
        .outerjoin(
            Bid, and_(Bid.tender_id == BidOpening.tender_id, Bid.state == BidState.SUBMITTED)
        )
        .outerjoin(Organisation, Organisation.id == Bid.provider_id)
        .where(BidOpening.tender_id.in_(tender_ids), BidOpening.opened_at.is_not(None))
        .distinct()
        .order_by(BidOpening.tender_id, Organisation.name, Organisation.id)
    ):
        opened[tender_id] = cast(datetime, opened_at)  # the statement keeps opened ones
        bidders = tenderers.setdefault(tender_id, [])
        if organisation is not None:
            bidders.append(_provider(organisation))
    return {t: ocds.Opening(at, tuple(tenderers[t])) for t, at in opened.items()}


async def _awards(
    session: AsyncSession, tender_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ocds.Award]]:
    found: dict[uuid.UUID, list[ocds.Award]] = {t: [] for t in tender_ids}
    for decision, price_cents, winner in await session.execute(
        select(AwardDecision, Bid.price_cents, Organisation)
        .join(Bid, Bid.id == AwardDecision.winning_bid_id)
        .join(Organisation, Organisation.id == Bid.provider_id)
        .join(Lot, Lot.id == AwardDecision.lot_id)
        .where(AwardDecision.tender_id.in_(tender_ids))
        .order_by(AwardDecision.sent_at, Lot.number, AwardDecision.id)
    ):
        found[decision.tender_id].append(
            ocds.Award(
                decision.id,
                decision.lot_id,
                _provider(winner),
                price_cents,
                decision.sent_at,
                decision.withdrawn_at,
            )
        )
    return found


async def _contracts(
    session: AsyncSession, tender_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ocds.SignedContract]]:
    buyer, supplier = aliased(Organisation), aliased(Organisation)
    found: dict[uuid.UUID, list[ocds.SignedContract]] = {t: [] for t in tender_ids}
    for contract, bought_by, supplied_by, lead_id in await session.execute(
        select(Contract, buyer, supplier, Coalition.lead_id)
        .join(buyer, buyer.id == Contract.buyer_id)
        .join(supplier, supplier.id == Contract.supplier_id)
        .join(Tender, Tender.id == Contract.tender_id)
        .join(Coalition, Coalition.id == Tender.coalition_id)
        .where(Contract.tender_id.in_(tender_ids))
        .order_by(Contract.signed_at, buyer.name, Contract.id)
    ):
        found[contract.tender_id].append(
            ocds.SignedContract(
                contract.id,
                contract.decision_id,
                contract.lot_id,
                ocds.Party(
                    bought_by.id,
                    bought_by.name,
                    bought_by.kvk_number,
                    bought_by.municipality_code,
                    bought_by.id == lead_id,
                ),
                _provider(supplied_by),
                contract.learners_per_year,
                contract.price_cents,
                contract.starts_on,
                contract.ends_on,
                contract.latest_end_date,
                contract.extensions_exercised,
                contract.signed_at,
            )
        )
    return found


async def _releases(
    session: AsyncSession, tenders: Sequence[TenderView], prefix: str
) -> list[dict[str, Any]]:
    """Every release of these published tenders, tender by tender: five statements for any
    number of tenders."""
    tender_ids = [t.id for t in tenders]
    members = await _members(session, list({t.coalition_id for t in tenders}))
    corrections = await _corrections(session, tender_ids)
    openings = await _openings(session, tender_ids)
    awards = await _awards(session, tender_ids)
    contracts = await _contracts(session, tender_ids)
    processes = [
        ocds.Process(
            t,
            tuple(members[t.coalition_id]),
            tuple(corrections[t.id]),
            openings.get(t.id),
            tuple(awards[t.id]),
            tuple(contracts[t.id]),
        )
        for t in tenders
    ]
    return [r for process in processes for r in ocds.releases(process, prefix=prefix)]


async def tender_package(
    session: AsyncSession, tender_id: uuid.UUID, *, prefix: str, uri: str
) -> dict[str, Any] | None:
    """The published tender's release package; None for a draft or an unknown id alike."""
    found = await service.published_tenders(session, [tender_id])
    if not found:
        return None
    releases = await _releases(session, found, prefix)
    return ocds.release_package(releases, uri=uri, changed_at=releases[-1]["date"])


@dataclass(frozen=True, slots=True)
class FeedPage:
    package: dict[str, Any]
    # Where the next page starts: the last tender's exact change and its id (None: the end).
    next_since: datetime | None
    next_after: uuid.UUID | None


async def releases_since(
    session: AsyncSession,
    since: datetime,
    *,
    after: uuid.UUID | None = None,
    limit: int = MAX_FEED_PAGE,
    prefix: str,
    uri: str,
) -> FeedPage:
    """Every release of the tenders published or changed at or after `since`, oldest change
    first, at most `limit` (capped at MAX_FEED_PAGE) tenders a page. `after` continues a
    page: then only tenders changed exactly at `since` with a greater id, or later, come."""
    limit = max(1, min(limit, MAX_FEED_PAGE))
    changed = _changed_at()
    start = changed >= since if after is None else tuple_(changed, Tender.id) > tuple_(since, after)
    rows = (
        await session.execute(
            select(Tender.id, changed)
            .where(Tender.published_at.is_not(None), start)
            .order_by(changed, Tender.id)
            .limit(limit + 1)
        )
    ).all()
    page = rows[:limit]
    tenders = await service.published_tenders(session, [tender_id for tender_id, _ in page])
    releases = await _releases(session, tenders, prefix)
    last = page[-1] if len(rows) > limit else None
    package = ocds.release_package(
        releases, uri=uri, changed_at=ocds.timestamp(max((at for _, at in page), default=since))
    )
    return FeedPage(package, last[1] if last else None, last[0] if last else None)
