"""The tenders' verbs: coalitions of municipalities (a lead invites, the invited accept or
decline), tenders drafted by the lead's procurement officers, and who sees what.

Who sees a draft: the procurement officers and evaluators of the coalition's member
municipalities, and platform admins. From publication on (`published_at` set, whatever
happens to the tender afterwards) everyone sees it. Every read is scoped by these rules in
its statement, so a forgotten check in a resolver cannot leak a draft. Functions only
flush; the caller's boundary commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Level, Route, Stream
from market.geo.models import LabourMarketRegion
from market.identity.models import Organisation, OrganisationKind, Role
from market.identity.policies import Actor
from market.kernel.pagination import Page, PageRequest, created_cursor, newest_page
from market.tenders import audit, errors, frozen, idempotency, policies
from market.tenders.models import (
    Coalition,
    CoalitionMember,
    Lot,
    LotVolume,
    MemberState,
    QualityCriterion,
    Requirement,
    Tender,
    TenderDocument,
    TenderFollow,
)
from market.tenders.policies import (
    AwardTerms,
    ContractTerm,
    LotDraft,
    LotState,
    RequirementKind,
    TenderDraft,
    TenderState,
    Timeline,
)

MAX_NAME_LENGTH = 200
# Who of a provider follows and searches tenders on its behalf.
PROVIDER_STAFF = (Role.OWNER, Role.EDITOR)
# The states in which bids are made, until the bid deadline.
BIDDING_STATES = frozenset({TenderState.PUBLISHED, TenderState.QUESTIONS_CLOSED})
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


def acting_municipality(actor: Actor, given: uuid.UUID | None, *, field: str) -> uuid.UUID:
    """The municipality a procurement officer acts for: the one given, or their only one."""
    return policies.acting_for(
        actor,
        OrganisationKind.MUNICIPALITY,
        (Role.PROCUREMENT_OFFICER,),
        given,
        field=field,
        refused=errors.NotProcurementOfficer,
        choose=errors.MunicipalityRequired,
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


async def _recorded(
    session: AsyncSession, actor: Actor, coalition: Coalition, action: str
) -> CoalitionView:
    """The coalition as changed, with the change appended to its audit trail."""
    view = await _view(session, coalition)
    await audit.record_coalition(session, actor, coalition, action, view)
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
        id=uuid.uuid4(),
        name=policies.trimmed_text(name, MAX_NAME_LENGTH, "name"),
        lead_id=lead_id,
        created_by=actor.user_id,
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
    return await _recorded(session, actor, coalition, "coalition.created")


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
    return await _recorded(session, actor, coalition, "coalition.member_invited")


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
    action = "coalition.invitation_accepted" if accept else "coalition.invitation_declined"
    return await _recorded(session, actor, coalition, action)


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


# -- tenders ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VolumeView:
    organisation_id: uuid.UUID
    name: str
    learners_per_year: int


@dataclass(frozen=True, slots=True)
class LotView:
    id: uuid.UUID
    number: int
    title: str
    route: Route
    level: Level | None
    stream: Stream | None
    region_codes: tuple[str, ...]
    max_value_cents: int | None
    max_trajectories: int | None
    state: LotState
    volumes: tuple[VolumeView, ...]


@dataclass(frozen=True, slots=True)
class RequirementView:
    id: uuid.UUID
    kind: RequirementKind
    amount: int | None
    text: str | None


@dataclass(frozen=True, slots=True)
class CriterionView:
    id: uuid.UUID
    name: str
    weight_bp: int
    value_cents: int | None


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: uuid.UUID
    name: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True, slots=True)
class TenderView:
    id: uuid.UUID
    coalition_id: uuid.UUID
    coalition_name: str
    state: TenderState
    version: int
    title: str
    description: str
    lots: tuple[LotView, ...]
    requirements: tuple[RequirementView, ...]
    award: AwardTerms
    criteria: tuple[CriterionView, ...]
    timeline: Timeline
    term: ContractTerm
    estimated_total_value_cents: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    cancellation_reason: str | None = None
    # A re-tender (market.tenders.retender): the unsuccessful lot it buys again.
    retender_of_lot_id: uuid.UUID | None = None
    documents: tuple[DocumentView, ...] = ()


@dataclass(frozen=True, slots=True)
class TenderFilter:
    """What `tenders` lists: every field left empty matches any tender. The lot fields
    (routes, regions, followed) hold for one and the same lot of the tender."""

    states: frozenset[TenderState] = frozenset()
    coalition_id: uuid.UUID | None = None
    routes: frozenset[Route] = frozenset()
    # A lot in any of these labour-market regions.
    region_codes: frozenset[str] = frozenset()
    bid_deadline_after: datetime | None = None
    bid_deadline_before: datetime | None = None
    # Bids can still be made: published, questions open or closed, the deadline ahead.
    open_for_bids: bool = False
    # A lot that a follow of one of the actor's providers matches.
    followed: bool = False


def _insider_coalition_ids(actor: Actor) -> Select[uuid.UUID]:
    organisations = actor.organisations(OrganisationKind.MUNICIPALITY, INSIDER_ROLES)
    return select(CoalitionMember.coalition_id).where(
        CoalitionMember.organisation_id.in_(organisations),
        CoalitionMember.state == MemberState.MEMBER,
    )


def _visible_tenders(actor: Actor) -> ColumnElement[bool]:
    if actor.is_platform_admin:
        return true()
    return or_(
        Tender.published_at.is_not(None), Tender.coalition_id.in_(_insider_coalition_ids(actor))
    )


async def check_against_stored(
    session: AsyncSession, coalition_id: uuid.UUID, draft: TenderDraft
) -> None:
    """The rules that need the database: volumes only for members, regions that exist."""
    members = set(
        await session.scalars(
            select(CoalitionMember.organisation_id).where(
                CoalitionMember.coalition_id == coalition_id,
                CoalitionMember.state == MemberState.MEMBER,
            )
        )
    )
    for i, lot in enumerate(draft.lots):
        await check_regions(session, lot.region_codes, field=f"lots[{i}].regionCodes")
        for j, (organisation_id, _) in enumerate(lot.volumes):
            if organisation_id not in members:
                raise errors.VolumeForNonMember(field=f"lots[{i}].volumes[{j}].organisationId")


async def check_regions(session: AsyncSession, codes: Sequence[str], *, field: str) -> None:
    """Raises UnknownRegionCode naming the first code that is no labour-market region."""
    known = set(
        await session.scalars(
            select(LabourMarketRegion.code).where(LabourMarketRegion.code.in_(codes))
        )
    )
    for code in codes:
        if code not in known:
            raise errors.UnknownRegionCode(field=field, code=code)


def write_fields(tender: Tender, draft: TenderDraft) -> None:
    """The draft's own fields (not its lots, requirements or criteria) onto the tender."""
    award, timeline, term = draft.award, draft.timeline, draft.term
    tender.title = draft.title
    tender.description = draft.description
    tender.award_method = award.method
    tender.quality_weight_bp = award.quality_weight_bp
    tender.price_weight_bp = award.price_weight_bp
    tender.price_floor_cents = award.price_floor_cents
    tender.price_ceiling_cents = award.price_ceiling_cents
    tender.publication_at = timeline.publication_at
    tender.questions_deadline = timeline.questions_deadline
    tender.bid_deadline = timeline.bid_deadline
    tender.planned_award_at = timeline.planned_award_at
    tender.contract_start_at = timeline.contract_start_at
    tender.initial_term_months = term.initial_months
    tender.extension_months = list(term.extension_months)
    tender.latest_end_date = term.latest_end_date
    tender.estimated_total_value_cents = draft.estimated_total_value_cents


def _volumes(lot_id: uuid.UUID, lot: LotDraft) -> list[LotVolume]:
    return [
        LotVolume(lot_id=lot_id, organisation_id=organisation_id, learners_per_year=learners)
        for organisation_id, learners in lot.volumes
    ]


def _requirements(tender: Tender, draft: TenderDraft) -> list[Requirement]:
    return [
        Requirement(tender_id=tender.id, position=i, kind=r.kind, amount=r.amount, text=r.text)
        for i, r in enumerate(draft.requirements, start=1)
    ]


async def _write(session: AsyncSession, tender: Tender, draft: TenderDraft) -> None:
    """The draft's fields onto the tender, and its lots, requirements and criteria anew."""
    write_fields(tender, draft)
    await session.flush()
    for child in (Lot, Requirement, QualityCriterion):
        await session.execute(delete(child).where(child.tender_id == tender.id))
    for number, lot in enumerate(draft.lots, start=1):
        lot_id = uuid.uuid4()
        session.add(
            Lot(
                id=lot_id,
                tender_id=tender.id,
                number=number,
                title=lot.title,
                route=lot.route,
                level=lot.level,
                stream=lot.stream,
                region_codes=list(lot.region_codes),
                max_value_cents=lot.max_value_cents,
                max_trajectories=lot.max_trajectories,
                state=LotState.ACTIVE,
            )
        )
        session.add_all(_volumes(lot_id, lot))
    session.add_all(_requirements(tender, draft))
    session.add_all(
        QualityCriterion(
            tender_id=tender.id,
            position=i,
            name=c.name,
            weight_bp=c.weight_bp,
            value_cents=c.value_cents,
        )
        for i, c in enumerate(draft.criteria, start=1)
    )
    await session.flush()
    await session.refresh(tender)


async def rewrite_keeping_ids(session: AsyncSession, tender: Tender, draft: TenderDraft) -> None:
    """The draft onto a published tender: its lots and criteria changed where they stand
    (by number and position), keeping the ids that bids, questions and the frozen terms
    refer to and each lot's state; volumes and requirements written anew. The draft has
    as many lots and criteria as the tender."""
    write_fields(tender, draft)
    lots = (
        await session.scalars(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.number))
    ).all()
    await session.execute(delete(LotVolume).where(LotVolume.lot_id.in_([lot.id for lot in lots])))
    await session.execute(delete(Requirement).where(Requirement.tender_id == tender.id))
    for lot, corrected in zip(lots, draft.lots, strict=True):
        lot.title, lot.route = corrected.title, corrected.route
        lot.level, lot.stream = corrected.level, corrected.stream
        lot.region_codes = list(corrected.region_codes)
        lot.max_value_cents = corrected.max_value_cents
        lot.max_trajectories = corrected.max_trajectories
        session.add_all(_volumes(lot.id, corrected))
    criteria = await session.scalars(
        select(QualityCriterion)
        .where(QualityCriterion.tender_id == tender.id)
        .order_by(QualityCriterion.position)
    )
    for criterion, corrected_criterion in zip(criteria.all(), draft.criteria, strict=True):
        criterion.name = corrected_criterion.name
        criterion.weight_bp = corrected_criterion.weight_bp
        criterion.value_cents = corrected_criterion.value_cents
    session.add_all(_requirements(tender, draft))
    await session.flush()
    await session.refresh(tender)


async def create_tender(
    session: AsyncSession,
    actor: Actor,
    coalition_id: uuid.UUID,
    draft: TenderDraft,
    *,
    idempotency_key: str | None = None,
) -> TenderView:
    """A draft tender of the coalition, by a procurement officer of its lead. A retry
    under the same idempotency key returns the tender the first request created."""
    user_id = actor.require_user()
    tender_id = uuid.uuid4()
    if idempotency_key is not None:
        request = {"coalitionId": coalition_id, "draft": draft}
        first = await idempotency.claim(
            session, user_id, "createTender", idempotency_key, request, tender_id
        )
        if first is not None:
            return await tender_view(session, actor, first)
    coalition = await _coalition_for_update(session, actor, coalition_id, field="coalitionId")
    if not actor.acts_for(coalition.lead_id, (Role.PROCUREMENT_OFFICER,)):
        raise errors.NotCoalitionLead(field="coalitionId")
    return await insert_tender(session, actor, coalition, draft, tender_id)


async def insert_tender(
    session: AsyncSession,
    actor: Actor,
    coalition: Coalition,
    draft: TenderDraft,
    tender_id: uuid.UUID,
    *,
    retender_of_lot_id: uuid.UUID | None = None,
) -> TenderView:
    """A new draft tender of the coalition (whose lead the caller has checked), audited."""
    draft = policies.check_draft(draft)
    await check_against_stored(session, coalition.id, draft)
    tender = Tender(
        id=tender_id,
        coalition_id=coalition.id,
        state=TenderState.DRAFT,
        version=1,
        created_by=actor.user_id,
        retender_of_lot_id=retender_of_lot_id,
    )
    session.add(tender)
    await _write(session, tender, draft)
    (view,) = await _tender_views(session, [(tender, coalition.name)])
    await audit.record_tender(session, actor, tender, "tender.created", view)
    return view


async def replace_draft(
    session: AsyncSession, actor: Actor, tender: Tender, coalition: Coalition, draft: TenderDraft
) -> TenderView:
    """Replaces a draft's fields, lots (with new ids), requirements and criteria; the
    tender as `lead_tender_for_update` gave it (a published one changes by a correction:
    market.tenders.corrections)."""
    if tender.state is not TenderState.DRAFT:
        raise errors.TenderNotDraft(field="id")
    draft = policies.check_draft(draft)
    await check_against_stored(session, coalition.id, draft)
    await _write(session, tender, draft)
    (view,) = await _tender_views(session, [(tender, coalition.name)])
    await audit.record_tender(session, actor, tender, "tender.updated", view)
    return view


async def _tender_views(
    session: AsyncSession, tenders: Sequence[tuple[Tender, str]]
) -> list[TenderView]:
    """The tenders with their lots, volumes, requirements, criteria and documents: five
    statements for any number of tenders."""
    tender_ids = [tender.id for tender, _ in tenders]
    lots = (
        await session.scalars(
            select(Lot).where(Lot.tender_id.in_(tender_ids)).order_by(Lot.tender_id, Lot.number)
        )
    ).all()
    volumes: dict[uuid.UUID, list[VolumeView]] = {lot.id: [] for lot in lots}
    for volume, name in await session.execute(
        select(LotVolume, Organisation.name)
        .join(Organisation, Organisation.id == LotVolume.organisation_id)
        .where(LotVolume.lot_id.in_(volumes))
        .order_by(Organisation.name, Organisation.id)
    ):
        volumes[volume.lot_id].append(
            VolumeView(volume.organisation_id, name, volume.learners_per_year)
        )
    requirements = (
        await session.scalars(
            select(Requirement)
            .where(Requirement.tender_id.in_(tender_ids))
            .order_by(Requirement.position)
        )
    ).all()
    criteria = (
        await session.scalars(
            select(QualityCriterion)
            .where(QualityCriterion.tender_id.in_(tender_ids))
            .order_by(QualityCriterion.position)
        )
    ).all()
    documents: dict[uuid.UUID, list[DocumentView]] = {tender_id: [] for tender_id in tender_ids}
    for document in await session.scalars(
        select(TenderDocument)
        .where(TenderDocument.tender_id.in_(tender_ids))
        .order_by(TenderDocument.position)
    ):
        documents[document.tender_id].append(
            DocumentView(
                document.id, document.name, document.sha256, document.size, document.media_type
            )
        )
    return [
        TenderView(
            id=tender.id,
            coalition_id=tender.coalition_id,
            coalition_name=coalition_name,
            state=tender.state,
            version=tender.version,
            title=tender.title,
            description=tender.description,
            lots=tuple(
                LotView(
                    lot.id,
                    lot.number,
                    lot.title,
                    lot.route,
                    lot.level,
                    lot.stream,
                    tuple(lot.region_codes),
                    lot.max_value_cents,
                    lot.max_trajectories,
                    lot.state,
                    tuple(volumes[lot.id]),
                )
                for lot in lots
                if lot.tender_id == tender.id
            ),
            requirements=tuple(
                RequirementView(r.id, r.kind, r.amount, r.text)
                for r in requirements
                if r.tender_id == tender.id
            ),
            award=_award(tender),
            criteria=_criteria(tender, criteria),
            timeline=Timeline(
                tender.publication_at,
                tender.questions_deadline,
                tender.bid_deadline,
                tender.planned_award_at,
                tender.contract_start_at,
            ),
            term=ContractTerm(
                tender.initial_term_months, tuple(tender.extension_months), tender.latest_end_date
            ),
            estimated_total_value_cents=tender.estimated_total_value_cents,
            published_at=tender.published_at,
            created_at=tender.created_at,
            updated_at=tender.updated_at,
            cancellation_reason=tender.cancellation_reason,
            retender_of_lot_id=tender.retender_of_lot_id,
            documents=tuple(documents[tender.id]),
        )
        for tender, coalition_name in tenders
    ]


def _award(tender: Tender) -> AwardTerms:
    """The award terms: as frozen at publication, or as the draft has them."""
    if tender.frozen_terms is not None:
        return frozen.thaw(tender.frozen_terms).award
    return AwardTerms(
        tender.award_method,
        tender.quality_weight_bp,
        tender.price_weight_bp,
        tender.price_floor_cents,
        tender.price_ceiling_cents,
    )


def _criteria(tender: Tender, criteria: Sequence[QualityCriterion]) -> tuple[CriterionView, ...]:
    """The quality criteria: as frozen at publication, or as the draft has them."""
    if tender.frozen_terms is not None:
        return tuple(
            CriterionView(c.id, c.name, c.weight_bp, c.value_cents)
            for c in frozen.thaw(tender.frozen_terms).criteria
        )
    return tuple(
        CriterionView(c.id, c.name, c.weight_bp, c.value_cents)
        for c in criteria
        if c.tender_id == tender.id
    )


def _tender_rows() -> Select[Tender, str]:
    return select(Tender, Coalition.name).join(Coalition, Coalition.id == Tender.coalition_id)


async def find_tender(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID
) -> TenderView | None:
    row = (
        await session.execute(_tender_rows().where(Tender.id == tender_id, _visible_tenders(actor)))
    ).one_or_none()
    if row is None:
        return None
    (view,) = await _tender_views(session, [(row.Tender, row.name)])
    return view


def follow_matches_lot() -> ColumnElement[bool]:
    """A follow matches a lot (both in the statement): the follow's route and region each
    open or the lot's (market.tenders.follows)."""
    return and_(
        or_(TenderFollow.route.is_(None), TenderFollow.route == Lot.route),
        or_(TenderFollow.region_code.is_(None), TenderFollow.region_code == any_(Lot.region_codes)),
    )


def _followed_lot(providers: Collection[uuid.UUID]) -> ColumnElement[bool]:
    """A lot (in the statement) that a follow of one of `providers` matches."""
    return exists(
        select(TenderFollow.id).where(TenderFollow.provider_id.in_(providers), follow_matches_lot())
    )


def _lot_scope(actor: Actor, where: TenderFilter) -> list[ColumnElement[bool]]:
    """The filter's conditions on one lot of the tender."""
    scope: list[ColumnElement[bool]] = []
    if where.routes:
        scope.append(Lot.route.in_(where.routes))
    if where.region_codes:
        scope.append(Lot.region_codes.overlap(sorted(where.region_codes)))
    if where.followed:
        providers = actor.organisations(OrganisationKind.PROVIDER, PROVIDER_STAFF)
        scope.append(_followed_lot(providers) if providers else false())
    return scope


def _scope(actor: Actor, where: TenderFilter) -> list[ColumnElement[bool]]:
    """The tenders the actor sees that match `where`: conditions of one statement."""
    scope = [_visible_tenders(actor)]
    if where.states:
        scope.append(Tender.state.in_(where.states))
    if where.coalition_id is not None:
        scope.append(Tender.coalition_id == where.coalition_id)
    if where.bid_deadline_after is not None:
        scope.append(Tender.bid_deadline > where.bid_deadline_after)
    if where.bid_deadline_before is not None:
        scope.append(Tender.bid_deadline < where.bid_deadline_before)
    if where.open_for_bids:
        scope.append(Tender.state.in_(BIDDING_STATES))
        scope.append(Tender.bid_deadline > func.now())
    lots = _lot_scope(actor, where)
    if lots:
        scope.append(exists(select(Lot.id).where(Lot.tender_id == Tender.id, *lots)))
    return scope


async def tenders(
    session: AsyncSession, actor: Actor, where: TenderFilter, page: PageRequest
) -> Page[TenderView]:
    """The tenders the actor sees that match, newest first."""
    scope = _scope(actor, where)
    total = await session.scalar(select(func.count()).select_from(Tender).where(*scope))
    statement = _tender_rows().where(*scope)
    if page.after is not None:
        statement = statement.where(
            tuple_(Tender.created_at, Tender.id) < tuple_(*created_cursor(page.after))
        )
    rows = [
        (tender, name)
        for tender, name in await session.execute(
            statement.order_by(Tender.created_at.desc(), Tender.id.desc()).limit(page.first + 1)
        )
    ]
    found = newest_page([tender for tender, _ in rows], page.first, total or 0)
    views = await _tender_views(session, rows[: page.first])
    return Page(views, found.has_next_page, found.end_cursor, found.total_count)


async def published_tenders(
    session: AsyncSession, tender_ids: Sequence[uuid.UUID]
) -> list[TenderView]:
    """The published ones among these tenders, in the order given; never a draft. For
    readers without an actor: the open-data export (market.tenders.open_data)."""
    found = {
        tender.id: (tender, name)
        for tender, name in await session.execute(
            _tender_rows().where(Tender.id.in_(tender_ids), Tender.published_at.is_not(None))
        )
    }
    return await _tender_views(session, [found[i] for i in tender_ids if i in found])


async def lead_tender_for_update(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, *, field: str = "id"
) -> tuple[Tender, Coalition]:
    """The tender (locked) and its coalition, for a change by the lead's procurement
    officer; not found when the actor cannot see it."""
    actor.require_user()
    found = (
        await session.execute(
            select(Tender, Coalition)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(Tender.id == tender_id, _visible_tenders(actor))
            .with_for_update(of=Tender)
        )
    ).one_or_none()
    if found is None:
        raise errors.TenderNotFound(field=field)
    tender, coalition = found
    if not actor.acts_for(coalition.lead_id, (Role.PROCUREMENT_OFFICER,)):
        raise errors.NotCoalitionLead(field=field)
    return tender, coalition


async def record_change(
    session: AsyncSession, actor: Actor, tender: Tender, action: str, **details: object
) -> TenderView:
    """The change in the tender's audit trail, with the tender as it now is and `details`
    (plain data) of what happened; returns that tender."""
    await session.flush()
    view = await tender_view(session, actor, tender.id)
    await audit.record_tender(session, actor, tender, action, view, **details)
    return view


async def tender_view(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> TenderView:
    """The tender as `find_tender` reads it, for a verb that has just changed it."""
    view = await find_tender(session, actor, tender_id)
    if view is None:
        raise errors.TenderNotFound(field="id")
    return view


def visible_tenders(actor: Actor) -> ColumnElement[bool]:
    """Which tenders the actor sees (this module's rule), for the statements of the tenders'
    other modules."""
    return _visible_tenders(actor)
