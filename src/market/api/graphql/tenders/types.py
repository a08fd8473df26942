"""GraphQL types of regional joint tenders: coalitions of municipalities."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.api.graphql import ids
from market.tenders import models
from market.tenders.service import CoalitionView, MemberView

CoalitionMemberState = strawberry.enum(
    models.MemberState,
    name="CoalitionMemberState",
    description="INVITED: asked to join; MEMBER: accepted (the lead always is); DECLINED.",
)


@strawberry.type(description="A municipality in a coalition.")
class CoalitionMember:
    organisation_id: strawberry.ID
    name: str
    municipality_code: str | None
    state: CoalitionMemberState
    is_lead: bool
    invited_at: datetime
    responded_at: datetime | None

    @classmethod
    def of(cls, view: MemberView, lead_id: object) -> CoalitionMember:
        return cls(
            organisation_id=strawberry.ID(ids.encode("Organisation", view.organisation_id)),
            name=view.name,
            municipality_code=view.municipality_code,
            state=view.state,
            is_lead=view.organisation_id == lead_id,
            invited_at=view.invited_at,
            responded_at=view.responded_at,
        )


@strawberry.type(
    description="A samenwerkingsverband: municipalities that buy trajectories together; "
    "the lead (penvoerder) runs their tenders."
)
class Coalition:
    id: strawberry.ID
    name: str
    lead_organisation_id: strawberry.ID
    created_at: datetime
    members: list[CoalitionMember] = strawberry.field(
        description="The lead first, then the others by name, invited and declined ones too."
    )

    @classmethod
    def of(cls, view: CoalitionView) -> Coalition:
        return cls(
            id=strawberry.ID(ids.encode("Coalition", view.id)),
            name=view.name,
            lead_organisation_id=strawberry.ID(ids.encode("Organisation", view.lead_id)),
            created_at=view.created_at,
            members=[CoalitionMember.of(member, view.lead_id) for member in view.members],
        )
