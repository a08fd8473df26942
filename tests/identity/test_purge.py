"""The periodic purge removes only credentials and limits that can no longer apply."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from market.db.database import Database
from market.identity import tokens
from market.identity.models import (
    AuthToken,
    ClientRequestCount,
    Invitation,
    LoginAttempt,
    Role,
)
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
                _failure("a", attempted_at=now - timedelta(days=2)),
                _failure("a", attempted_at=now - timedelta(minutes=5)),
                _count("ended", counted_until=now - timedelta(seconds=1)),
                _count("current", counted_until=now + HOUR),
                _invitation(owner, "expired", expires_at=now - HOUR),
                _invitation(owner, "used", expires_at=now - HOUR, accepted_at=now - 2 * HOUR),
                _invitation(owner, "pending", expires_at=now + HOUR),
            ]
        )

    async with db.transaction() as session:
        removed = await purge_expired_credentials(session)
    async with db.transaction() as session:
        again = await purge_expired_credentials(session)

    assert (removed, again) == (5, 0)
    async with db.reader() as session:
        live_tokens = set(await session.scalars(select(AuthToken.token_hash)))
        failures = await session.scalar(select(func.count()).select_from(LoginAttempt))
        invitations = set(await session.scalars(select(Invitation.token_hash)))
        counts = set(await session.scalars(select(ClientRequestCount.client_hash)))
    # The arranged person's own sign-in token is live too.
    assert live_tokens == {tokens.digest("live"), tokens.digest(owner.token)}
    assert failures == 1
    assert invitations == {tokens.digest("used"), tokens.digest("pending")}
    assert counts == {tokens.digest("current")}


async def test_failure_retention_can_follow_the_configured_window(db: Database) -> None:
    async with db.transaction() as session:
        now = await session.scalar(select(func.now()))
        session.add(_failure("b", attempted_at=now - timedelta(minutes=20)))

    async with db.transaction() as session:
        removed = await purge_expired_credentials(session, keep_failures_for=timedelta(minutes=15))

    assert removed == 1


def _failure(key: str, attempted_at: datetime) -> LoginAttempt:
    return LoginAttempt(email_hash=key * 64, client_hash=key * 64, attempted_at=attempted_at)


def _count(client: str, counted_until: datetime) -> ClientRequestCount:
    return ClientRequestCount(
        action="login", client_hash=tokens.digest(client), counted_until=counted_until, requests=1
    )


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
