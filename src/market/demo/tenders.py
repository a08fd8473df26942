"""The demo's joint tenders, made with the tenders' own verbs so that they pass every rule
and their audit trails verify: a coalition of six municipalities around Amsterdam (the
lead, Amsterdam, with two procurement officers for the four-eyes opening and two
evaluators), and its tender for the Z-route and the B1-route, published and open for
questions, one of them answered in a nota van inlichtingen.

Every member's procurement officer has a demo account (`inkoop.<town>@market.example`);
Amsterdam's come from the municipal teams of market.demo.seed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Course, Level, Location, Route
from market.geo import reference
from market.identity.models import Membership, Organisation, OrganisationKind, Role, User
from market.identity.policies import Actor, Grant
from market.tenders import publication, questions, service
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

Person = Callable[[str, str, str], User]


@dataclass(frozen=True)
class Coalition:
    id: uuid.UUID
    # The lead first, then the members in MEMBERS' order.
    municipalities: tuple[uuid.UUID, ...]
    officers: tuple[Actor, ...]


async def seed_tenders(
    session: AsyncSession, *, lead_id: uuid.UUID, person: Person, now: datetime
) -> None:
    coalition = await _coalition(session, lead_id, person)
    await _open_for_questions(session, coalition, now)


def _officer(user: User, municipality_id: uuid.UUID, role: Role) -> Actor:
    return Actor(user.id, (Grant(municipality_id, OrganisationKind.MUNICIPALITY, role),))


async def _lead_officer(session: AsyncSession, lead_id: uuid.UUID) -> User:
    user = await session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == lead_id,
            Membership.role == Role.PROCUREMENT_OFFICER,
        )
    )
    assert user is not None, "the municipal teams are seeded first"
    return user


async def _coalition(session: AsyncSession, lead_id: uuid.UUID, person: Person) -> Coalition:
    """Amsterdam invites its neighbours, and each accepts."""
    names = {m["cbs_code"]: m["name"] for m in reference.municipalities()}
    lead = _officer(await _lead_officer(session, lead_id), lead_id, Role.PROCUREMENT_OFFICER)
    municipalities, officers = [lead_id], [lead]
    for code, slug in MEMBERS.items():
        organisation = Organisation(
            id=uuid.uuid4(),
            kind=OrganisationKind.MUNICIPALITY,
            name=f"Gemeente {names[code]}",
            municipality_code=code,
        )
        session.add(organisation)
        user = person(f"inkoop.{slug}@market.example", f"Inkoper {names[code]}",
                      f"procurement officer, Gemeente {names[code]}")  # fmt: skip
        await session.flush()
        session.add(
            Membership(
                user_id=user.id, organisation_id=organisation.id, role=Role.PROCUREMENT_OFFICER
            )
        )
        municipalities.append(organisation.id)
        officers.append(_officer(user, organisation.id, Role.PROCUREMENT_OFFICER))
    await session.flush()
    made = await service.create_coalition(session, lead, name="Regio Groot Amsterdam")
    for municipality_id, officer in zip(municipalities[1:], officers[1:], strict=True):
        await service.invite_member(session, lead, made.id, municipality_id)
        await service.answer_invitation(session, officer, made.id, municipality_id, accept=True)
    return Coalition(made.id, tuple(municipalities), tuple(officers))


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
