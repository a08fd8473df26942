"""Who is acting, and what their memberships allow. Services decide with these."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from market.identity.errors import NotPlatformAdmin, SignInRequired
from market.identity.models import OrganisationKind, Role

# Which roles exist in which kind of organisation, and which of them manages its members.
ROLES_BY_KIND: dict[OrganisationKind, frozenset[Role]] = {
    OrganisationKind.PROVIDER: frozenset({Role.OWNER, Role.EDITOR}),
    OrganisationKind.MUNICIPALITY: frozenset({Role.PROCUREMENT_OFFICER, Role.EVALUATOR}),
    OrganisationKind.PLATFORM: frozenset({Role.ADMIN}),
}
MANAGER_ROLE: dict[OrganisationKind, Role] = {
    OrganisationKind.PROVIDER: Role.OWNER,
    OrganisationKind.MUNICIPALITY: Role.PROCUREMENT_OFFICER,
    OrganisationKind.PLATFORM: Role.ADMIN,
}


@dataclass(frozen=True, slots=True)
class Grant:
    organisation_id: uuid.UUID
    kind: OrganisationKind
    role: Role


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: uuid.UUID | None = None
    grants: tuple[Grant, ...] = ()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_platform_admin(self) -> bool:
        return any(
            g.kind is OrganisationKind.PLATFORM and g.role is Role.ADMIN for g in self.grants
        )

    def organisations(
        self, kind: OrganisationKind, roles: Iterable[Role] | None = None
    ) -> frozenset[uuid.UUID]:
        """The organisations of `kind` this actor acts for (in one of `roles`, if given)."""
        allowed = None if roles is None else frozenset(roles)
        return frozenset(
            g.organisation_id
            for g in self.grants
            if g.kind is kind and (allowed is None or g.role in allowed)
        )

    def acts_for(self, organisation_id: uuid.UUID, roles: Iterable[Role] | None = None) -> bool:
        allowed = None if roles is None else frozenset(roles)
        return any(
            g.organisation_id == organisation_id and (allowed is None or g.role in allowed)
            for g in self.grants
        )

    def manages(self, organisation_id: uuid.UUID, kind: OrganisationKind) -> bool:
        """May invite members into the organisation: its manager, or any platform admin
        (which is how a new organisation gets its first owner)."""
        return self.is_platform_admin or self.acts_for(organisation_id, (MANAGER_ROLE[kind],))

    def require_user(self) -> uuid.UUID:
        if self.user_id is None:
            raise SignInRequired()
        return self.user_id

    def require_platform_admin(self) -> None:
        self.require_user()
        if not self.is_platform_admin:
            raise NotPlatformAdmin()


ANONYMOUS = Actor()
