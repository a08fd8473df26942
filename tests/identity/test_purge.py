"""The periodic purge removes only credentials that can no longer be used."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from market.db.database import Database
from market.identity import tokens
from market.identity.models import AuthToken, Invitation, LoginAttempt, Role
from market.identity.service import purge_expired_credentials
from tests.support import actors

HOUR = timedelta(hours=1)


async def test_purge_removes_dead_credentials_and_keeps_live_ones(db: Database) -> None:
    owner = await actors.provider_staff(db)
    async with db.transaction() as session:
        now = await session.scalar(select(func.now()))
        session.add_all(
            [
                _token(owner.user_id, "expired", expires_at=now - HOUR),
                _token(owner.user_id, "revoked", expires_at=now + HOUR, revoked_at=now),
                _token(owner.user_id, "live", expires_at=now + HOUR),
                LoginAttempt(email_hash="a" * 64, attempted_at=now - timedelta(days=2)),
                LoginAttempt(email_hash="a" * 64, attempted_at=now - timedelta(minutes=5)),
                _invitation(owner, "expired", expires_at=now - HOUR),
                _invitation(owner, "used", expires_at=now - HOUR, accepted_at=now - 2 * HOUR),
                _invitation(owner, "pending", expires_at=now + HOUR),
            ]
        )

    async with db.transaction() as session:
        removed = await purge_expired_credentials(session)
    async with db.transaction() as session:
        again = await purge_expired_credentials(session)

    assert (removed, again) == (4, 0)
    async with db.reader() as session:
        live_tokens = set(await session.scalars(select(AuthToken.token_hash)))
        failures = await session.scalar(select(func.count()).select_from(LoginAttempt))
        invitations = set(await session.scalars(select(Invitation.token_hash)))
    # The arranged person's own sign-in token is live too.
    assert live_tokens == {tokens.digest("live"), tokens.digest(owner.token)}
    assert failures == 1
    assert invitations == {tokens.digest("used"), tokens.digest("pending")}


async def test_failure_retention_can_follow_the_configured_window(db: Database) -> None:
    async with db.transaction() as session:
        now = await session.scalar(select(func.now()))
        session.add(LoginAttempt(email_hash="b" * 64, attempted_at=now - timedelta(minutes=20)))

    async with db.transaction() as session:
        removed = await purge_expired_credentials(session, keep_failures_for=timedelta(minutes=15))

    assert removed == 1


def _token(user_id: uuid.UUID, secret: str, **times: datetime) -> AuthToken:
    return AuthToken(user_id=user_id, token_hash=tokens.digest(secret), **times)


def _invitation(owner: actors.Person, secret: str, **times: datetime) -> Invitation:
    return Invitation(
        organisation_id=owner.organisation_id,
        email=f"{secret}@example.test",
        role=Role.EDITOR,
        token_hash=tokens.digest(secret),
        invited_by=owner.user_id,
        **times,
    )
