"""Slowing down guessing and floods without locking anyone out.

Failed logins are counted per email *and client address together*, and per client address
over all emails. A key with more failures within the window than allowed must wait before
its next attempt: the first wait, doubled with every further failure, up to the longest
wait. Someone guessing elsewhere therefore slows only themselves: the owner signing in from
their own address meets their own failures only. (The price: guesses at one account from
many addresses are bounded per address, not in total. A ceiling per account would again
let anyone with enough addresses lock the owner out.)

Requests of the throttled kinds (register, login, accepting an invitation) are also counted
per client address in fixed windows, in PostgreSQL, so the limit holds across every server
process. Addresses are stored as hashes; an IPv6 client is keyed by its /64 network, the
block one subscriber is usually given, so hopping inside it gains nothing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import Interval, func, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity import tokens
from market.identity.models import ClientRequestCount, LoginAttempt

# Namespace of the advisory locks that serialise password checks from one client.
_CLIENT_LOCK_SPACE = 0x1D_0001
# Windows are aligned to this instant, so every process agrees on where one starts.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Past this many doublings every wait is the longest one anyway.
_MAX_DOUBLINGS = 32


class ClientAction(StrEnum):
    REGISTER = "register"
    LOGIN = "login"
    ACCEPT_INVITATION = "accept_invitation"


@dataclass(frozen=True, slots=True)
class RequestLimit:
    """At most `allowed` requests of `action` per client in each `window`."""

    action: ClientAction
    allowed: int
    window: timedelta

    @classmethod
    def of(cls, settings: LimitSettings, action: ClientAction) -> RequestLimit:
        allowed = {
            ClientAction.REGISTER: settings.register_requests_per_client,
            ClientAction.LOGIN: settings.login_requests_per_client,
            ClientAction.ACCEPT_INVITATION: settings.accept_invitation_requests_per_client,
        }[action]
        return cls(action, allowed, timedelta(minutes=settings.client_limit_window_minutes))


class LimitSettings(Protocol):
    """What the request limits read from the app's settings (market.settings.Settings)."""

    @property
    def client_limit_window_minutes(self) -> int: ...

    @property
    def register_requests_per_client(self) -> int: ...

    @property
    def login_requests_per_client(self) -> int: ...

    @property
    def accept_invitation_requests_per_client(self) -> int: ...


@dataclass(frozen=True, slots=True)
class FailureThrottle:
    """How failed password checks slow further attempts down."""

    # Failures for one email from one client, and from one client over all emails.
    allowed_per_account: int
    allowed_per_client: int
    first_delay: timedelta
    max_delay: timedelta
    window: timedelta

    def delay(self, failures: int, allowed: int) -> timedelta | None:
        """The wait after the last of `failures`; None while they are within `allowed`."""
        if failures < allowed:
            return None
        doublings = min(failures - allowed, _MAX_DOUBLINGS)
        return min(self.first_delay * (1 << doublings), self.max_delay)


def client_hash(client: str) -> str:
    """The stored key of a client address."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        # Not an address (a test client's name, an empty peer): keyed as given.
        return tokens.digest(client)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return tokens.digest(str(address.ipv4_mapped))
        return tokens.digest(str(ipaddress.IPv6Network((address, 64), strict=False)))
    return tokens.digest(str(address))


async def count_request(
    session: AsyncSession, client: str, limit: RequestLimit
) -> timedelta | None:
    """Count one request; the wait until the window ends when it is over the limit."""
    window_end = func.date_bin(limit.window, func.now(), literal(_EPOCH)) + limit.window
    new = insert(ClientRequestCount).values(
        action=limit.action.value,
        client_hash=client_hash(client),
        counted_until=window_end,
        requests=1,
    )
    # One statement counts up, whichever process gets there first: no update is lost.
    counted = new.on_conflict_do_update(
        index_elements=[
            ClientRequestCount.action,
            ClientRequestCount.client_hash,
            ClientRequestCount.counted_until,
        ],
        set_={"requests": ClientRequestCount.requests + 1},
    ).returning(
        ClientRequestCount.requests,
        type_coerce(ClientRequestCount.counted_until - func.now(), Interval),
    )
    requests, wait = (await session.execute(counted)).one()
    return wait if requests > limit.allowed else None


async def lock_client(session: AsyncSession, client: str) -> None:
    """Serialise password checks from one client until commit, so parallel guesses cannot
    all slip under a limit before any of them is recorded."""
    await session.execute(
        select(func.pg_advisory_xact_lock(_CLIENT_LOCK_SPACE, func.hashtext(client_hash(client))))
    )


async def failure_wait(
    session: AsyncSession, email_hash: str, client: str, throttle: FailureThrottle
) -> timedelta | None:
    """How long this client must wait before checking a password for this email, if at all.
    Call `lock_client` first."""
    for_account = LoginAttempt.email_hash == email_hash
    row = (
        await session.execute(
            select(
                func.count().filter(for_account),
                func.max(LoginAttempt.attempted_at).filter(for_account),
                func.count(),
                func.max(LoginAttempt.attempted_at),
                func.now(),
            ).where(
                LoginAttempt.client_hash == client_hash(client),
                LoginAttempt.attempted_at > func.now() - throttle.window,
            )
        )
    ).one()
    account_failures, account_last, client_failures, client_last, now = row
    # No failure, no wait: even where none are allowed (`last` is None then).
    waits = [
        last + delay - now
        for failures, last, allowed in (
            (account_failures, account_last, throttle.allowed_per_account),
            (client_failures, client_last, throttle.allowed_per_client),
        )
        if last is not None and (delay := throttle.delay(failures, allowed)) is not None
    ]
    wait = max(waits, default=timedelta(0))
    return wait if wait > timedelta(0) else None


def failure(email_hash: str, client: str) -> LoginAttempt:
    return LoginAttempt(email_hash=email_hash, client_hash=client_hash(client))
