"""The open-data reads: published tenders as OCDS release packages (market.tenders.ocds),
one tender at a time or as a feed of what was published or changed since a moment.

Nobody signs in for open data: these reads take no actor and see exactly what everyone
sees, published tenders (`published_at` set); a draft is as absent as an unknown id.
A tender's last change is the later of its publication and its last update.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity.models import Organisation
from market.tenders import errors, ocds, service
from market.tenders.models import Coalition, CoalitionMember, MemberState, Tender
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


def _changed_at() -> ColumnElement[datetime]:
    return func.greatest(Tender.published_at, Tender.updated_at)


async def _parties(
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


async def _releases(
    session: AsyncSession, tenders: Sequence[TenderView], prefix: str
) -> list[dict[str, Any]]:
    parties = await _parties(session, list({t.coalition_id for t in tenders}))
    return [ocds.release(t, parties[t.coalition_id], prefix=prefix) for t in tenders]


async def tender_package(
    session: AsyncSession, tender_id: uuid.UUID, *, prefix: str, uri: str
) -> dict[str, Any] | None:
    """The published tender's release package; None for a draft or an unknown id alike."""
    found = await service.published_tenders(session, [tender_id])
    if not found:
        return None
    (tender,) = found
    releases = await _releases(session, found, prefix)
    return ocds.release_package(releases, uri=uri, changed_at=ocds.released_at(tender))


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
    """The releases of the tenders published or changed at or after `since`, oldest change
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
        releases, uri=uri, changed_at=max((at for _, at in page), default=since)
    )
    return FeedPage(package, last[1] if last else None, last[0] if last else None)
