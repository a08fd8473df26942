"""The identity domain's GraphQL types: users, organisations, memberships, invitations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.api.graphql import ids
from market.identity import models, service

# The domain's enums, registered as GraphQL enums named by member (PROVIDER, OWNER, ...).
OrganisationKind = models.OrganisationKind
Role = models.Role
strawberry.enum(OrganisationKind, description="A course provider, a municipality, or the platform.")
strawberry.enum(
    Role,
    description=(
        "A member's role. Providers: OWNER (manages members), EDITOR. Municipalities: "
        "PROCUREMENT_OFFICER (manages members), EVALUATOR. Platform: ADMIN."
    ),
)


@strawberry.type(description="An organisation people act for.")
class Organisation:
    id: strawberry.ID
    kind: OrganisationKind
    name: str
    kvk_number: str | None = strawberry.field(description="Chamber of Commerce number.")
    municipality_code: str | None = strawberry.field(
        description="For a municipality organisation: the CBS code of its municipality."
    )
    provider_id: strawberry.ID | None = strawberry.field(
        description="For a provider organisation: its id in the catalog, for `provider(id:)`."
    )

    @classmethod
    def of(cls, row: models.Organisation) -> Organisation:
        is_provider = row.kind is models.OrganisationKind.PROVIDER
        return cls(
            id=strawberry.ID(ids.encode("Organisation", row.id)),
            kind=row.kind,
            name=row.name,
            kvk_number=row.kvk_number,
            municipality_code=row.municipality_code,
            provider_id=strawberry.ID(ids.encode("Provider", row.id)) if is_provider else None,
        )


@strawberry.type(description="Someone's role in an organisation.")
class Membership:
    organisation: Organisation
    role: Role
    since: datetime

    @classmethod
    def of(cls, view: service.MembershipView) -> Membership:
        return cls(
            organisation=Organisation.of(view.organisation), role=view.role, since=view.since
        )


@strawberry.type(description="A person with an account. A learner has no memberships.")
class User:
    id: strawberry.ID
    email: str
    display_name: str
    preferred_language: str = strawberry.field(
        description=f"ISO 639-1 code, one of: {', '.join(service.SUPPORTED_LANGUAGES)}."
    )
    memberships: list[Membership] = strawberry.field(
        description="The organisations this person acts for, by name."
    )

    @classmethod
    def of(cls, profile: service.Profile) -> User:
        user = profile.user
        return cls(
            id=strawberry.ID(ids.encode("User", user.id)),
            email=user.email,
            display_name=user.display_name,
            preferred_language=user.preferred_language,
            memberships=[Membership.of(m) for m in profile.memberships],
        )


@strawberry.type(description="A new session: send the token as `Authorization: Bearer <token>`.")
class LoginPayload:
    token: str
    expires_at: datetime
    user: User

    @classmethod
    def of(cls, signed_in: service.SignedIn) -> LoginPayload:
        return cls(
            token=signed_in.token,
            expires_at=signed_in.expires_at,
            user=User.of(signed_in.profile),
        )


@strawberry.type(
    description=(
        "An invitation to join an organisation, as issued. The invitee is mailed the "
        "organisation's name and `acceptanceToken`, which is also shown here, once (only "
        "its hash is stored); they sign in with the invited email address and call "
        "`acceptInvitation`. It expires at `expiresAt` (7 days)."
    )
)
class IssuedInvitation:
    id: strawberry.ID
    organisation: Organisation
    email: str
    role: Role
    expires_at: datetime
    acceptance_token: str

    @classmethod
    def of(cls, issued: service.IssuedInvitation) -> IssuedInvitation:
        invitation = issued.invitation
        return cls(
            id=strawberry.ID(ids.encode("Invitation", invitation.id)),
            organisation=Organisation.of(issued.organisation),
            email=invitation.email,
            role=invitation.role,
            expires_at=invitation.expires_at,
            acceptance_token=issued.token,
        )
