"""The tenders' verbs: coalitions of municipalities (a lead invites, the invited accept or
decline), and who sees which coalition. Functions only flush; the caller's boundary
commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import errors as catalog_errors
from market.identity.models import Organisation, OrganisationKind, Role
from market.identity.policies import Actor
from market.kernel.pagination import Page, PageRequest, created_cursor, newest_page
from market.tenders import errors
from market.tenders.models import Coalition, CoalitionMember, MemberState

MAX_NAME_LENGTH = 200
# Who of a member municipality sees the coalition's (and its drafts') insides.
INSIDER_ROLES = (Role.PROCUREMENT_OFFICER, Role.EVALUATOR)


@dataclass(frozen=True, slots=True)
class MemberView:
    organisation_id: uuid.UUID
    name: str
    municipality_code: str | None
    state: MemberState
    invited_at: datetime
    responded_at: datetime | None


@dataclass(frozen=True, slots=True)
class CoalitionView:
    id: uuid.UUID
    name: str
    lead_id: uuid.UUID
    created_at: datetime
    members: tuple[MemberView, ...]

    def member_ids(self) -> frozenset[uuid.UUID]:
        """The municipalities that accepted (the lead among them)."""
        return frozenset(m.organisation_id for m in self.members if m.state is MemberState.MEMBER)


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise catalog_errors.TextRequired(field="name")
    if len(value) > MAX_NAME_LENGTH:
        raise catalog_errors.TextTooLong(field="name", max=MAX_NAME_LENGTH)
    return value


def acting_municipality(actor: Actor, given: uuid.UUID | None, *, field: str) -> uuid.UUID:
    """The municipality a procurement officer acts for: the one given, or their only one."""
    actor.require_user()
    officer_of = actor.organisations(OrganisationKind.MUNICIPALITY, (Role.PROCUREMENT_OFFICER,))
    if given is not None:
        if given not in officer_of:
            raise errors.NotProcurementOfficer(field=field)
        return given
    if not officer_of:
        raise errors.NotProcurementOfficer()
    if len(officer_of) > 1:
        raise errors.MunicipalityRequired(field=field)
    (only,) = officer_of
    return only


def insider_coalitions(actor: Actor) -> ColumnElement[bool]:
    """Coalitions whose accepted members the actor is an officer or evaluator of."""
    organisations = actor.organisations(OrganisationKind.MUNICIPALITY, INSIDER_ROLES)
    return Coalition.id.in_(
        select(CoalitionMember.coalition_id).where(
            CoalitionMember.organisation_id.in_(organisations),
            CoalitionMember.state == MemberState.MEMBER,
        )
    )


def _visible_coalitions(actor: Actor) -> ColumnElement[bool]:
    """Platform admins see every coalition; a municipality's officers and evaluators those
    it belongs to or is invited to."""
    if actor.is_platform_admin:
        return true()
    organisations = actor.organisations(OrganisationKind.MUNICIPALITY, INSIDER_ROLES)
    return Coalition.id.in_(
        select(CoalitionMember.coalition_id).where(
            CoalitionMember.organisation_id.in_(organisations),
            CoalitionMember.state != MemberState.DECLINED,
        )
    )


async def _views(session: AsyncSession, coalitions: Sequence[Coalition]) -> list[CoalitionView]:
    """The coalitions with their members (lead first, then by name): one statement."""
    found: dict[uuid.UUID, list[MemberView]] = {c.id: [] for c in coalitions}
    rows = await session.execute(
        select(CoalitionMember, Organisation.name, Organisation.municipality_code)
        .join(Organisation, Organisation.id == CoalitionMember.organisation_id)
        .where(CoalitionMember.coalition_id.in_(found))
        .order_by(Organisation.name, Organisation.id)
    )
    for member, name, code in rows:
        found[member.coalition_id].append(
            MemberView(
                member.organisation_id,
                name,
                code,
                member.state,
                member.invited_at,
                member.responded_at,
            )
        )
    return [
        CoalitionView(
            c.id,
            c.name,
            c.lead_id,
            c.created_at,
            tuple(sorted(found[c.id], key=lambda m: m.organisation_id != c.lead_id)),
        )
        for c in coalitions
    ]


async def _view(session: AsyncSession, coalition: Coalition) -> CoalitionView:
    await session.flush()
    await session.refresh(coalition)
    (view,) = await _views(session, [coalition])
    return view


async def _coalition_for_update(
    session: AsyncSession, actor: Actor, coalition_id: uuid.UUID, *, field: str
) -> Coalition:
    coalition = await session.scalar(
        select(Coalition)
        .where(Coalition.id == coalition_id, _visible_coalitions(actor))
        .with_for_update()
    )
    if coalition is None:
        raise errors.CoalitionNotFound(field=field)
    return coalition


# -- writing ------------------------------------------------------------------------------


async def create_coalition(
    session: AsyncSession, actor: Actor, *, name: str, lead_id: uuid.UUID | None = None
) -> CoalitionView:
    """A new coalition led by the officer's municipality, its only member so far."""
    lead_id = acting_municipality(actor, lead_id, field="leadOrganisationId")
    coalition = Coalition(
        id=uuid.uuid4(), name=_name(name), lead_id=lead_id, created_by=actor.user_id
    )
    session.add(coalition)
    await session.flush()
    session.add(
        CoalitionMember(
            coalition_id=coalition.id,
            organisation_id=lead_id,
            state=MemberState.MEMBER,
            invited_by=actor.user_id,
            responded_at=func.now(),
            responded_by=actor.user_id,
        )
    )
    return await _view(session, coalition)


async def invite_member(
    session: AsyncSession, actor: Actor, coalition_id: uuid.UUID, organisation_id: uuid.UUID
) -> CoalitionView:
    """The lead's officers invite a municipality; one that declined may be invited again."""
    actor.require_user()
    coalition = await _coalition_for_update(session, actor, coalition_id, field="coalitionId")
    if not actor.acts_for(coalition.lead_id, (Role.PROCUREMENT_OFFICER,)):
        raise errors.NotCoalitionLead(field="coalitionId")
    kind = await session.scalar(select(Organisation.kind).where(Organisation.id == organisation_id))
    if kind is not OrganisationKind.MUNICIPALITY:
        raise errors.NotAMunicipality(field="organisationId")
    member = await session.get(CoalitionMember, (coalition.id, organisation_id))
    if member is None:
        member = CoalitionMember(coalition_id=coalition.id, organisation_id=organisation_id)
        session.add(member)
    elif member.state is not MemberState.DECLINED:
        raise errors.AlreadyInCoalition(field="organisationId")
    member.state = MemberState.INVITED
    member.invited_by = actor.user_id
    member.invited_at = func.now()
    member.responded_at = member.responded_by = None
    return await _view(session, coalition)


async def answer_invitation(
    session: AsyncSession,
    actor: Actor,
    coalition_id: uuid.UUID,
    organisation_id: uuid.UUID | None,
    *,
    accept: bool,
) -> CoalitionView:
    """An officer of the invited municipality accepts (it becomes a member) or declines."""
    organisation_id = acting_municipality(actor, organisation_id, field="organisationId")
    coalition = await _coalition_for_update(session, actor, coalition_id, field="coalitionId")
    member = await session.get(CoalitionMember, (coalition.id, organisation_id))
    if member is None or member.state is not MemberState.INVITED:
        raise errors.NoPendingInvitation(field="coalitionId")
    member.state = MemberState.MEMBER if accept else MemberState.DECLINED
    member.responded_at = func.now()
    member.responded_by = actor.user_id
    return await _view(session, coalition)


# -- reading ------------------------------------------------------------------------------


async def find_coalition(
    session: AsyncSession, actor: Actor, coalition_id: uuid.UUID
) -> CoalitionView | None:
    coalition = await session.scalar(
        select(Coalition).where(Coalition.id == coalition_id, _visible_coalitions(actor))
    )
    return None if coalition is None else (await _views(session, [coalition]))[0]


async def coalitions(session: AsyncSession, actor: Actor, page: PageRequest) -> Page[CoalitionView]:
    """The coalitions the actor's municipalities belong to or are invited to, newest
    first (every one for platform admins)."""
    actor.require_user()
    visible = _visible_coalitions(actor)
    total = await session.scalar(select(func.count()).select_from(Coalition).where(visible))
    statement = select(Coalition).where(visible)
    if page.after is not None:
        statement = statement.where(
            tuple_(Coalition.created_at, Coalition.id) < tuple_(*created_cursor(page.after))
        )
    rows = (
        await session.scalars(
            statement.order_by(Coalition.created_at.desc(), Coalition.id.desc()).limit(
                page.first + 1
            )
        )
    ).all()
    found = newest_page(rows, page.first, total or 0)
    return Page(
        await _views(session, found.items), found.has_next_page, found.end_cursor, found.total_count
    )
