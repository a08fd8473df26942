from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from market.api.graphql.context import Info
from market.api.graphql.identity.types import User
from market.identity import service
from market.privacy import export


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The signed-in user with their memberships; null when anonymous.")
    async def me(self, info: Info) -> User | None:
        async with info.context.reader() as session:
            profile = await service.get_profile(session, info.context.actor)
        return None if profile is None else User.of(profile)

    @strawberry.field(
        description=(
            "Everything stored about the signed-in user, as one JSON document: profile, "
            "memberships, invitations received and sent, sessions, recent failed sign-ins, "
            "bookings (enrollments with their DUO invoices, waitlist places) and the reviews "
            "written. Never contains password or token hashes."
        )
    )
    async def my_data(self, info: Info) -> JSON:
        async with info.context.reader() as session:
            return JSON(await export.personal_data(session, info.context.actor))
