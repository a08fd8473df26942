"""Accounts, sign-in and memberships: every rule about who someone is."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity import tokens
from market.identity.models import AuthToken, Membership, Organisation
from market.identity.policies import ANONYMOUS, Actor, Grant


async def actor_for_token(session: AsyncSession, token: str) -> Actor:
    """The actor a bearer token stands for; anonymous when it is unknown, expired or revoked."""
    if not token or len(token) > 200:
        return ANONYMOUS
    user_id = await session.scalar(
        select(AuthToken.user_id).where(
            AuthToken.token_hash == tokens.digest(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > func.now(),
        )
    )
    if user_id is None:
        return ANONYMOUS
    rows = await session.execute(
        select(Membership.organisation_id, Organisation.kind, Membership.role)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user_id)
    )
    return Actor(user_id, tuple(Grant(*row) for row in rows))
