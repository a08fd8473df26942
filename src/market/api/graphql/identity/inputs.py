from __future__ import annotations

import strawberry

from market.api.graphql.identity.types import OrganisationKind, Role
from market.identity import service


@strawberry.input(description="A new learner account.")
class RegisterInput:
    email: str
    password: str = strawberry.field(description="10 to 200 characters.")
    display_name: str = strawberry.field(description="1 to 100 characters.")
    preferred_language: str = strawberry.field(
        description=f"ISO 639-1 code, one of: {', '.join(service.SUPPORTED_LANGUAGES)}."
    )


@strawberry.input(description="A new organisation (platform administrators only).")
class CreateOrganisationInput:
    kind: OrganisationKind
    name: str = strawberry.field(description="1 to 200 characters.")
    kvk_number: str | None = strawberry.field(
        default=None, description="Chamber of Commerce number: 8 digits, unique."
    )
    municipality_code: str | None = strawberry.field(
        default=None,
        description="CBS code (e.g. GM0363): required for, and only for, a municipality.",
    )


@strawberry.input(description="Invite someone by email to join an organisation with a role.")
class InviteMemberInput:
    organisation_id: strawberry.ID
    email: str
    role: Role = strawberry.field(description="A role that exists in the organisation's kind.")
