"""The world tender tests share: municipalities with their officers and evaluators, a
coalition led by one of them, and what is stored, read straight from the tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
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
