"""Accounts, sign-in and memberships: every rule about who someone is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity import tokens
from market.identity.models import AuthToken, Invitation, LoginAttempt, Membership, Organisation
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


# Login failures are kept a day: longer than any sensible throttling window, so purging
# never lifts a throttle early. Pass the configured window to purge more tightly.
LOGIN_FAILURE_RETENTION = timedelta(days=1)


async def purge_expired_credentials(
    session: AsyncSession, *, keep_failures_for: timedelta = LOGIN_FAILURE_RETENTION
) -> int:
    """Delete what no longer grants or limits anything: expired or revoked bearer tokens,
    login failures older than `keep_failures_for`, and invitations that expired unaccepted
    (accepted ones stay as the record of who let whom in). Returns the rows removed.
    Idempotent; the caller commits."""
    statements = (
        delete(AuthToken).where(
            or_(AuthToken.expires_at <= func.now(), AuthToken.revoked_at.is_not(None))
        ),
        delete(LoginAttempt).where(LoginAttempt.attempted_at <= func.now() - keep_failures_for),
        delete(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.expires_at <= func.now()
        ),
    )
    removed = 0
    for statement in statements:
        result = await session.execute(statement)
        removed += result.rowcount  # type: ignore[attr-defined]
    return removed
