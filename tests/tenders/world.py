"""The world tender tests share: municipalities with their officers and evaluators, a
coalition led by one of them, and what is stored, read straight from the tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from tests.support.actors import Person, add_organisation, add_person
from tests.support.graphql import GraphQLClient

COALITION_FIELDS = """
  id name leadOrganisationId
  members { organisationId name municipalityCode state isLead respondedAt }
"""
CREATE_COALITION = f"""mutation($name: String!, $lead: ID) {{
  createCoalition(name: $name, leadOrganisationId: $lead) {{ {COALITION_FIELDS} }}
}}"""
INVITE = f"""mutation($coalition: ID!, $organisation: ID!) {{
  inviteCoalitionMember(coalitionId: $coalition, organisationId: $organisation) {{
    {COALITION_FIELDS}
  }}
}}"""
ACCEPT = f"""mutation($coalition: ID!, $organisation: ID) {{
  acceptCoalitionInvitation(coalitionId: $coalition, organisationId: $organisation) {{
    {COALITION_FIELDS}
  }}
}}"""
DECLINE = f"""mutation($coalition: ID!, $organisation: ID) {{
  declineCoalitionInvitation(coalitionId: $coalition, organisationId: $organisation) {{
    {COALITION_FIELDS}
  }}
}}"""
COALITIONS = f"""query($first: Int, $after: String) {{
  coalitions(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {COALITION_FIELDS} }}
  }}
}}"""
COALITION = f"query($id: ID!) {{ coalition(id: $id) {{ {COALITION_FIELDS} }} }}"


@dataclass(frozen=True)
class Municipality:
    organisation_id: uuid.UUID
    code: str
    officer: Person
    evaluator: Person

    @property
    def id(self) -> str:
        return ids.encode("Organisation", self.organisation_id)


async def municipality(db: Database, code: str) -> Municipality:
    organisation_id = await add_organisation(
        db, OrganisationKind.MUNICIPALITY, f"Gemeente {code}", municipality_code=code
    )
    officer = await add_person(db, organisation_id=organisation_id, role=Role.PROCUREMENT_OFFICER)
    evaluator = await add_person(db, organisation_id=organisation_id, role=Role.EVALUATOR)
    return Municipality(organisation_id, code, officer, evaluator)


@dataclass(frozen=True)
class CoalitionWorld:
    """Amsterdam leads, Amstelveen has joined, Diemen is invited, Ouder-Amstel is not in it."""

    lead: Municipality
    member: Municipality
    invited: Municipality
    outsider: Municipality
    coalition: str

    @property
    def coalition_id(self) -> uuid.UUID:
        return ids.decode("Coalition", self.coalition)


async def build_coalition(db: Database, gql: GraphQLClient) -> CoalitionWorld:
    lead = await municipality(db, "GM0363")
    member = await municipality(db, "GM0362")
    invited = await municipality(db, "GM0384")
    outsider = await municipality(db, "GM0437")
    created = await gql(CREATE_COALITION, {"name": "Regio Amsterdam"}, token=lead.officer.token)
    coalition = created.ok()["createCoalition"]["id"]
    for guest in (member, invited):
        variables = {"coalition": coalition, "organisation": guest.id}
        (await gql(INVITE, variables, token=lead.officer.token)).ok()
    (await gql(ACCEPT, {"coalition": coalition}, token=member.officer.token)).ok()
    return CoalitionWorld(lead, member, invited, outsider, coalition)


async def rows(db: Database, query: str, **params: Any) -> list[tuple[Any, ...]]:
    async with db.reader() as session:
        return [tuple(row) for row in await session.execute(text(query), params)]


async def coalition_members(db: Database) -> list[tuple[str, str]]:
    """Every coalition membership as (municipality code, state), by code."""
    return [
        (code, state)
        for code, state in await rows(
            db,
            "SELECT o.municipality_code, m.state::text FROM coalition_members m"
            " JOIN organisations o ON o.id = m.organisation_id ORDER BY 1",
        )
    ]


TENDER_FIELDS = """
  id coalitionId coalitionName state version title description
  lots {
    number title route level stream regionCodes maxValueCents maxTrajectories state
    volumes { organisationId name learnersPerYear }
  }
  requirements { kind amount text }
  award { method qualityWeightBp priceWeightBp priceFloorCents priceCeilingCents }
  criteria { name weightBp valueCents }
  timeline { publicationAt questionsDeadline bidDeadline plannedAwardAt contractStartAt }
  contractTerm { initialMonths extensionMonths latestEndDate }
  estimatedTotalValueCents publishedAt
"""
CREATE_TENDER = f"""mutation($coalition: ID!, $input: TenderInput!) {{
  createTender(coalitionId: $coalition, input: $input) {{ {TENDER_FIELDS} }}
}}"""
UPDATE_TENDER = f"""mutation($id: ID!, $input: TenderInput!) {{
  updateTender(id: $id, input: $input) {{ {TENDER_FIELDS} }}
}}"""
TENDER = f"query($id: ID!) {{ tender(id: $id) {{ {TENDER_FIELDS} }} }}"
TENDERS = """query($filter: TenderFilter, $first: Int, $after: String) {
  tenders(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id title state }
  }
}"""
TENDER_TABLES = (
    "tenders",
    "tender_lots",
    "tender_lot_volumes",
    "tender_requirements",
    "tender_quality_criteria",
)


def tender_input(w: CoalitionWorld) -> dict[str, Any]:
    """A draft with two lots (Z-route A2 and Onderwijsroute MBO) in Groot Amsterdam, by the
    relative-price method at 60% quality."""
    return {
        "title": "Inburgering Regio Amsterdam 2027",
        "description": "Leerroutes Z en Onderwijs voor de regio.",
        "lots": [
            {
                "title": "Z-route",
                "route": "Z",
                "level": "A2",
                "regionCodes": ["AM18"],
                "maxValueCents": 150_000_000,
                "maxTrajectories": 300,
                "volumes": [
                    {"organisationId": w.lead.id, "learnersPerYear": 80},
                    {"organisationId": w.member.id, "learnersPerYear": 20},
                ],
            },
            {
                "title": "Onderwijsroute mbo",
                "route": "ONDERWIJS",
                "stream": "MBO",
                "regionCodes": ["AM18", "AM17"],
                "volumes": [{"organisationId": w.lead.id, "learnersPerYear": 40}],
            },
        ],
        "requirements": [
            {"kind": "BLIK_OP_WERK"},
            {"kind": "MAX_CLASS_SIZE", "amount": 16},
            {"kind": "CUSTOM", "text": "Lessen in de regio."},
        ],
        "award": {"method": "RELATIVE_PRICE", "qualityWeightBp": 6000, "priceWeightBp": 4000},
        "criteria": [
            {"name": "Plan van aanpak", "weightBp": 7000},
            {"name": "Begeleiding", "weightBp": 3000},
        ],
        "timeline": {
            "publicationAt": "2027-03-01T09:00:00+01:00",
            "questionsDeadline": "2027-03-15T12:00:00+01:00",
            "bidDeadline": "2027-04-12T12:00:00+02:00",
            "plannedAwardAt": "2027-05-03T12:00:00+02:00",
            "contractStartAt": "2027-09-01T00:00:00+02:00",
        },
        "contractTerm": {
            "initialMonths": 24,
            "extensionMonths": [12, 12],
            "latestEndDate": "2031-08-31",
        },
        "estimatedTotalValueCents": 400_000_000,
    }


async def create_tender(gql: GraphQLClient, w: CoalitionWorld) -> str:
    result = await gql(
        CREATE_TENDER,
        {"coalition": w.coalition, "input": tender_input(w)},
        token=w.lead.officer.token,
    )
    return str(result.ok()["createTender"]["id"])


async def tender_tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: await rows(db, f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608
        for table in TENDER_TABLES
    }


PUBLISH_TENDER = f"""mutation($id: ID!, $key: String) {{
  publishTender(id: $id, idempotencyKey: $key) {{ {TENDER_FIELDS} cancellationReason }}
}}"""
CANCEL_TENDER = f"""mutation($id: ID!, $reason: String!) {{
  cancelTender(id: $id, reason: $reason) {{ {TENDER_FIELDS} cancellationReason }}
}}"""
CREATE_TENDER_ONCE = f"""mutation($coalition: ID!, $input: TenderInput!, $key: String) {{
  createTender(coalitionId: $coalition, input: $input, idempotencyKey: $key) {{
    {TENDER_FIELDS}
  }}
}}"""


def ahead(moment: str) -> str:
    """A date or time of `tender_input` (in 2027 and later) moved by whole years so that
    its bid deadline is always ahead: publication compares it with the database clock,
    whenever the tests run."""
    years = max(0, date.today().year + 1 - 2027)
    return f"{int(moment[:4]) + years}{moment[4:]}"


def publishable_input(w: CoalitionWorld) -> dict[str, Any]:
    """`tender_input` with a maximum value for its second lot too and its dates ahead, so
    it can be published."""
    draft = tender_input(w)
    draft["lots"][1]["maxValueCents"] = 80_000_000
    draft["timeline"] = {name: ahead(moment) for name, moment in draft["timeline"].items()}
    term = draft["contractTerm"]
    term["latestEndDate"] = ahead(term["latestEndDate"])
    return draft


async def create_publishable_tender(gql: GraphQLClient, w: CoalitionWorld) -> str:
    result = await gql(
        CREATE_TENDER,
        {"coalition": w.coalition, "input": publishable_input(w)},
        token=w.lead.officer.token,
    )
    return str(result.ok()["createTender"]["id"])


async def audit_trail(db: Database, tender: str) -> list[tuple[Any, ...]]:
    """The tender's audit entries as (sequence, action, actor id), in order."""
    return await rows(
        db,
        "SELECT sequence, action, actor_id FROM tender_audit_entries"
        " WHERE tender_id = :id ORDER BY sequence",
        id=ids.decode("Tender", tender),
    )
