"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile).

Hashing costs tens of milliseconds of CPU on purpose, so it runs in a worker thread and
never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


async def verify_against_nothing(password: str) -> None:
    """Spend what a real check costs, so an unknown email answers as slowly as a known one."""
    await asyncio.to_thread(_verify, _dummy_hash(), password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))
