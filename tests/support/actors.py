"""Arranging who acts: users, organisations and memberships written straight to the
database (the way a test arranges its world), with a bearer token to act with."""

from __future__ import annotations

import functools
import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher

from market.db.database import Database
from market.identity import tokens
from market.identity.models import AuthToken, Membership, Organisation, OrganisationKind, Role, User

# Arranged users have this password (a real argon2 hash of it), so they can also log in.
PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose, and every arranged user shares it."""
    return PasswordHasher().hash(PASSWORD)


@dataclass(frozen=True)
class Person:
    user_id: uuid.UUID
    email: str
    token: str
    organisation_id: uuid.UUID | None = None


async def add_organisation(
    db: Database,
    kind: OrganisationKind,
    name: str | None = None,
    *,
    municipality_code: str | None = None,
) -> uuid.UUID:
    async with db.transaction() as session:
        organisation = Organisation(
            kind=kind,
            name=name or f"{kind.value.title()} {next(_serial)}",
            municipality_code=municipality_code,
        )
        session.add(organisation)
        await session.flush()
        return organisation.id


async def add_person(
    db: Database,
    *,
    organisation_id: uuid.UUID | None = None,
    role: Role | None = None,
    email: str | None = None,
) -> Person:
    """A user (with a membership when given), signed in: the returned token is valid."""
    email = email or f"person{next(_serial)}@example.test"
    token = tokens.new_secret()
    async with db.transaction() as session:
        user = User(
            email=email,
            password_hash=_password_hash(),
            display_name=email.split("@")[0],
        )
        session.add(user)
        await session.flush()
        if organisation_id is not None:
            assert role is not None
            session.add(Membership(user_id=user.id, organisation_id=organisation_id, role=role))
        session.add(
            AuthToken(
                user_id=user.id,
                token_hash=tokens.digest(token),
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )
    return Person(user.id, email, token, organisation_id)


async def learner(db: Database) -> Person:
    return await add_person(db)


async def platform_admin(db: Database) -> Person:
    organisation_id = await add_organisation(db, OrganisationKind.PLATFORM, "Platform")
    return await add_person(db, organisation_id=organisation_id, role=Role.ADMIN)


async def provider_staff(
    db: Database, organisation_id: uuid.UUID | None = None, role: Role = Role.OWNER
) -> Person:
    """Staff of a provider organisation (a new one unless given). Catalog tests that need a
    provider profile as well create it through the catalog's own arrangement helpers."""
    organisation_id = organisation_id or await add_organisation(db, OrganisationKind.PROVIDER)
    return await add_person(db, organisation_id=organisation_id, role=role)


async def municipality_staff(
    db: Database, municipality_code: str = "GM0363", role: Role = Role.PROCUREMENT_OFFICER
) -> Person:
    organisation_id = await add_organisation(
        db,
        OrganisationKind.MUNICIPALITY,
        f"Gemeente {municipality_code}",
        municipality_code=municipality_code,
    )
    return await add_person(db, organisation_id=organisation_id, role=role)
