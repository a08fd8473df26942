"""The demo's joint tenders, made with the tenders' own verbs so that they pass every rule
and their audit trails verify: a coalition of six municipalities around Amsterdam (the
lead, Amsterdam, with two procurement officers for the four-eyes opening and two
evaluators), and two tenders for the Z-route and the B1-route:

- this year's, published and open for questions, one of them answered in a nota van
  inlichtingen;
- last year's, run to its end: three bids a lot, opened by two officers, checked, scored
  by both evaluators and agreed, awarded, and contracted by every member. Its dates are
  moved back between the steps the way the tests move time (the stored deadlines, never
  the clock), so its contracts run now and their providers' courses carry the members
  (`searchCourses(filter: {contractedBy})`).

Every member's procurement officer has a demo account (`inkoop.<town>@market.example`);
Amsterdam's first officer and evaluator come from the municipal teams of market.demo.seed,
its second ones are `inkoop2.amsterdam@` and `beoordelaar2.amsterdam@market.example`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Course, Level, Location, Route
from market.db.base import Base
from market.geo import reference
from market.identity.models import Membership, Organisation, OrganisationKind, Role, User
from market.identity.policies import Actor, Grant
from market.search import indexer
from market.tenders import (
    award,
    bids,
    contracts,
    evaluation,
    publication,
    questions,
    schedule,
    service,
)
from market.tenders.award import LotAward
from market.tenders.bids import AnswerDraft, BidDraft
from market.tenders.evaluation import ScoreDraft
from market.tenders.models import (
    AwardDecision,
    Bid,
    BidCheck,
    BidOpening,
    ConsensusScore,
    Contract,
    QualityScore,
    Tender,
)
from market.tenders.policies import (
    AMSTERDAM,
    AwardMethod,
    AwardTerms,
    ContractTerm,
    CriterionDraft,
    LotDraft,
    RequirementDraft,
    RequirementKind,
    TenderDraft,
    Timeline,
)

LEAD = "GM0363"  # Amsterdam
# The other members: Amstelveen, Diemen, Ouder-Amstel, Aalsmeer, Uithoorn (all in AM18).
MEMBERS = {
    "GM0362": "amstelveen",
    "GM0384": "diemen",
    "GM0437": "ouder-amstel",
    "GM0358": "aalsmeer",
    "GM0451": "uithoorn",
}
REGION = "AM18"  # Groot Amsterdam
# Learners a year per member, lead first, for the Z-route and the B1-route lots.
Z_VOLUMES = (60, 14, 6, 4, 5, 4)
B1_VOLUMES = (180, 40, 18, 10, 12, 11)

# Last year's tender: each lot's three bids per trajectory, and the quality the evaluators
# agree for the first, second and third bidder (of full marks, basis points); each
# evaluator's own score lies half a mark either side.
PRICES = {Route.Z: (820_000, 865_000, 790_000), Route.B1: (910_000, 960_000, 880_000)}
QUALITY = (8000, 6500, 5500)
# How far back last year's tender's dates are moved: its contracts started months ago.
MOVED_BACK = timedelta(days=300)
# When its award decision was sent: at its planned award date.
SENT_AFTER_PUBLICATION = timedelta(days=70)
# When its other steps happened, counted from its publication like its timeline: bids
# before the deadline (day 42), the opening the day after, the evaluation the next weeks,
# the contracts once the standstill was over.
STEPS_AFTER_PUBLICATION = {
    "bids": timedelta(days=30),
    "opening": timedelta(days=43),
    "evaluation": timedelta(days=55),
    "contracts": timedelta(days=95),
}

Person = Callable[[str, str, str], User]


@dataclass(frozen=True)
class Coalition:
    id: uuid.UUID
    # The lead first, then the members in MEMBERS' order.
    municipalities: tuple[uuid.UUID, ...]
    officers: tuple[Actor, ...]
    # The lead's second procurement officer, and its two evaluators.
    second_officer: Actor
    evaluators: tuple[Actor, Actor]


async def seed_tenders(
    session: AsyncSession, *, lead_id: uuid.UUID, person: Person, now: datetime
) -> None:
    coalition = await _coalition(session, lead_id, person)
    await _contracted(session, coalition, now)
    await _open_for_questions(session, coalition, now)
    # What the worker does on each ContractSigned, done at once: the demo's search shows
    # the contracts from its first request.
    await indexer.contracts_changed(session)


def _officer(user: User, municipality_id: uuid.UUID, role: Role) -> Actor:
    return Actor(user.id, (Grant(municipality_id, OrganisationKind.MUNICIPALITY, role),))


async def _lead_team(session: AsyncSession, lead_id: uuid.UUID, role: Role) -> User:
    user = await session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == lead_id, Membership.role == role)
    )
    assert user is not None, "the municipal teams are seeded first"
    return user


def _joined(session: AsyncSession, user: User, organisation_id: uuid.UUID, role: Role) -> Actor:
    session.add(Membership(user_id=user.id, organisation_id=organisation_id, role=role))
    return _officer(user, organisation_id, role)


async def _coalition(session: AsyncSession, lead_id: uuid.UUID, person: Person) -> Coalition:
    """Amsterdam invites its neighbours, and each accepts."""
    names = {m["cbs_code"]: m["name"] for m in reference.municipalities()}
    officer = await _lead_team(session, lead_id, Role.PROCUREMENT_OFFICER)
    evaluator = await _lead_team(session, lead_id, Role.EVALUATOR)
    lead = _officer(officer, lead_id, Role.PROCUREMENT_OFFICER)
    second_officer = person("inkoop2.amsterdam@market.example", "Tweede Inkoper Amsterdam",
                            "procurement officer, Gemeente Amsterdam")  # fmt: skip
    second_evaluator = person("beoordelaar2.amsterdam@market.example",
                              "Tweede Beoordelaar Amsterdam",
                              "evaluator, Gemeente Amsterdam")  # fmt: skip
    municipalities, officers, users = [lead_id], [lead], []
    for code, slug in MEMBERS.items():
        organisation = Organisation(
            id=uuid.uuid4(),
            kind=OrganisationKind.MUNICIPALITY,
            name=f"Gemeente {names[code]}",
            municipality_code=code,
        )
        session.add(organisation)
        users.append(person(f"inkoop.{slug}@market.example", f"Inkoper {names[code]}",
                            f"procurement officer, Gemeente {names[code]}"))  # fmt: skip
        municipalities.append(organisation.id)
    await session.flush()
    for organisation_id, user in zip(municipalities[1:], users, strict=True):
        officers.append(_joined(session, user, organisation_id, Role.PROCUREMENT_OFFICER))
    coalition = Coalition(
        (await service.create_coalition(session, lead, name="Regio Groot Amsterdam")).id,
        tuple(municipalities),
        tuple(officers),
        _joined(session, second_officer, lead_id, Role.PROCUREMENT_OFFICER),
        (
            _officer(evaluator, lead_id, Role.EVALUATOR),
            _joined(session, second_evaluator, lead_id, Role.EVALUATOR),
        ),
    )
    await session.flush()
    for municipality_id, member in zip(municipalities[1:], officers[1:], strict=True):
        await service.invite_member(session, lead, coalition.id, municipality_id)
        await service.answer_invitation(session, member, coalition.id, municipality_id, accept=True)
    return coalition


def _at(day: date, hour: int) -> datetime:
    """A moment on the Amsterdam clock, as stored (UTC)."""
    return datetime.combine(day, time(hour), AMSTERDAM).astimezone(UTC)


def _draft(coalition: Coalition, title: str, start: date) -> TenderDraft:
    """Two lots in Groot Amsterdam, price-quality at 60% quality; the timeline from
    `start`: questions for 14 days, bids 28 days after that, 2 + 1 + 1 years from
    `start` + 6 months."""
    contract_start = (start + timedelta(days=183)).replace(day=1)

    def lot(title: str, route: Route, level: Level, volumes: tuple[int, ...], per: int) -> LotDraft:
        yearly = sum(volumes)
        return LotDraft(
            title=title,
            route=route,
            level=level,
            stream=None,
            region_codes=(REGION,),
            # Four years of learners at the ceiling price of a trajectory.
            max_value_cents=4 * yearly * per,
            max_trajectories=4 * yearly,
            volumes=tuple(zip(coalition.municipalities, volumes, strict=True)),
        )

    return TenderDraft(
        title=title,
        description=(
            "Inburgeringstrajecten voor de gemeenten van Regio Groot Amsterdam: de Z-route "
            "en de B1-route, met lessen in de regio en begeleiding naar participatie."
        ),
        lots=(
            lot("Z-route", Route.Z, Level.A2, Z_VOLUMES, 900_000),
            lot("B1-route", Route.B1, Level.B1, B1_VOLUMES, 1_000_000),
        ),
        requirements=(
            RequirementDraft(RequirementKind.BLIK_OP_WERK),
            RequirementDraft(RequirementKind.EVENING_LESSONS),
            RequirementDraft(RequirementKind.MAX_CLASS_SIZE, amount=16),
            RequirementDraft(RequirementKind.INTAKE_FREQUENCY, amount=6),
        ),
        award=AwardTerms(AwardMethod.RELATIVE_PRICE, quality_weight_bp=6000, price_weight_bp=4000),
        criteria=(
            CriterionDraft("Plan van aanpak", 5000),
            CriterionDraft("Begeleiding en participatie", 3000),
            CriterionDraft("Samenwerking met de gemeente", 2000),
        ),
        timeline=Timeline(
            publication_at=_at(start, 9),
            questions_deadline=_at(start + timedelta(days=14), 12),
            bid_deadline=_at(start + timedelta(days=42), 12),
            planned_award_at=_at(start + timedelta(days=70), 12),
            contract_start_at=_at(contract_start, 0),
        ),
        term=ContractTerm(
            initial_months=24,
            extension_months=(12, 12),
            latest_end_date=contract_start.replace(year=contract_start.year + 4)
            - timedelta(days=1),
        ),
        estimated_total_value_cents=4 * (sum(Z_VOLUMES) * 850_000 + sum(B1_VOLUMES) * 950_000),
    )


async def _providers(session: AsyncSession, route: Route, count: int) -> list[Actor]:
    """The owners of `count` providers with a course of `route` and a location in the
    region, as they act."""
    codes = [m["cbs_code"] for m in reference.municipalities() if m["region_code"] == REGION]
    rows = await session.execute(
        select(Membership.user_id, Membership.organisation_id)
        .where(
            Membership.role == Role.OWNER,
            Membership.organisation_id.in_(
                select(Course.provider_id)
                .join(Location, Location.provider_id == Course.provider_id)
                .where(Course.route == route, Location.municipality_code.in_(codes))
            ),
        )
        .order_by(Membership.organisation_id)
        .limit(count)
    )
    return [
        Actor(user_id, (Grant(provider_id, OrganisationKind.PROVIDER, Role.OWNER),))
        for user_id, provider_id in rows
    ]


async def _open_for_questions(session: AsyncSession, coalition: Coalition, now: datetime) -> None:
    """Published today, questions open for two weeks: one answered in nota 1, one open."""
    lead = coalition.officers[0]
    draft = _draft(coalition, "Inburgering Regio Groot Amsterdam 2027-2031", now.date())
    tender = await service.create_tender(session, lead, coalition.id, draft)
    await publication.publish_tender(session, lead, tender.id)
    first, second = await _providers(session, Route.Z, 2)
    asked = await questions.ask_question(
        session,
        first,
        tender.id,
        "Mogen de avondlessen ook online worden gegeven, als de intake op locatie is?",
    )
    await questions.answer_question(
        session,
        lead,
        asked.id,
        "Nee: de avondlessen van de Z-route zijn lessen op locatie in de regio. Online "
        "lessen mogen daarnaast worden aangeboden.",
    )
    await questions.publish_nota(session, lead, tender.id)
    await questions.ask_question(
        session,
        second,
        tender.id,
        "Hoe worden de volumes per gemeente verdeeld als een gemeente minder inburgeraars "
        "heeft dan geschat?",
    )


def _scores(criteria: list[uuid.UUID], score_bp: int, motivation: str) -> list[ScoreDraft]:
    return [ScoreDraft(criterion, score_bp, motivation) for criterion in criteria]


async def _moved_back(session: AsyncSession, tender_id: uuid.UUID) -> None:
    """The tender's whole timeline, and its publication, MOVED_BACK."""
    await session.execute(
        update(Tender)
        .where(Tender.id == tender_id)
        .values(
            {
                column: column - MOVED_BACK
                for column in (
                    Tender.publication_at,
                    Tender.questions_deadline,
                    Tender.bid_deadline,
                    Tender.planned_award_at,
                    Tender.contract_start_at,
                    Tender.latest_end_date,
                    Tender.published_at,
                )
            }
        )
    )


async def _standstill_over(session: AsyncSession, tender_id: uuid.UUID) -> None:
    """The award decisions sent on the planned award date, their standstill long over."""
    back = MOVED_BACK - SENT_AFTER_PUBLICATION
    await session.execute(
        update(AwardDecision)
        .where(AwardDecision.tender_id == tender_id)
        .values(
            sent_at=AwardDecision.sent_at - back,
            standstill_ends_at=AwardDecision.standstill_ends_at - back,
        )
    )


async def _backdated(session: AsyncSession, tender_id: uuid.UUID) -> None:
    """The moments its steps were stored at (all of them now) moved to when they happened
    on its moved timeline, so its reads and its open data tell the story in order. The
    audit trail, which nothing may change, keeps the moments the demo was made."""
    of_tender = select(Bid.id).where(Bid.tender_id == tender_id)
    moved: dict[str, list[tuple[type[Base], ColumnElement[bool], tuple[Any, ...]]]] = {
        "bids": [(Bid, Bid.tender_id == tender_id, (Bid.submitted_at,))],
        "opening": [
            (
                BidOpening,
                BidOpening.tender_id == tender_id,
                (BidOpening.requested_at, BidOpening.opened_at),
            )
        ],
        "evaluation": [
            (BidCheck, BidCheck.bid_id.in_(of_tender), (BidCheck.checked_at,)),
            (QualityScore, QualityScore.bid_id.in_(of_tender), (QualityScore.scored_at,)),
            (ConsensusScore, ConsensusScore.bid_id.in_(of_tender), (ConsensusScore.agreed_at,)),
        ],
        "contracts": [(Contract, Contract.tender_id == tender_id, (Contract.signed_at,))],
    }
    for step, tables in moved.items():
        back = MOVED_BACK - STEPS_AFTER_PUBLICATION[step]
        for table, which, columns in tables:
            await session.execute(
                update(table).where(which).values({column: column - back for column in columns})
            )


async def _contracted(session: AsyncSession, coalition: Coalition, now: datetime) -> None:
    lead = coalition.officers[0]
    start = (now - MOVED_BACK).date()
    draft = _draft(coalition, f"Inburgering Regio Groot Amsterdam {start.year}", now.date())
    tender = await service.create_tender(session, lead, coalition.id, draft)
    await publication.publish_tender(session, lead, tender.id)
    criteria = [criterion.id for criterion in tender.criteria]
    answers = tuple(
        AnswerDraft(c, "Kleine groepen, vaste docenten, avondlessen.") for c in criteria
    )
    placed: list[tuple[uuid.UUID, int]] = []
    for lot in tender.lots:
        bidders = await _providers(session, lot.route, len(PRICES[lot.route]))
        for place, (bidder, price) in enumerate(zip(bidders, PRICES[lot.route], strict=True)):
            bid = await bids.submit_bid(session, bidder, BidDraft(lot.id, price, answers))
            placed.append((bid.id, QUALITY[place]))

    await _moved_back(session, tender.id)
    await schedule.advance_due(session)
    for officer in (lead, coalition.second_officer):
        await bids.open_bids(session, officer, tender.id)
    first, second = coalition.evaluators
    for bid_id, quality in placed:
        await evaluation.check_bid(session, lead, bid_id, passed=True, reason=None)
        await evaluation.score_bid(
            session, first, bid_id, _scores(criteria, quality + 500, "Sterk.")
        )
        await evaluation.score_bid(
            session, second, bid_id, _scores(criteria, quality - 500, "Voldoende.")
        )
        await evaluation.agree_score(
            session, first, bid_id, _scores(criteria, quality, "Samen vastgesteld.")
        )
    reasons = "De inschrijving met de beste verhouding tussen prijs en kwaliteit."
    await award.decide_award(
        session, lead, tender.id, [LotAward(lot.id, reasons) for lot in tender.lots]
    )
    await _standstill_over(session, tender.id)
    for lot in tender.lots:
        for municipality_id, officer in zip(
            coalition.municipalities, coalition.officers, strict=True
        ):
            await contracts.sign_contract(session, officer, lot.id, municipality_id)
    await _backdated(session, tender.id)
