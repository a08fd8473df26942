"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile),
and the list of common passwords a new one is checked against (NIST SP 800-63B, 3.1.1.2).

Hashing costs tens of milliseconds of CPU on purpose, so it runs in a worker thread and
never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from importlib import resources

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


def is_common(password: str) -> bool:
    """True for a password on the shipped list, whatever its case or surrounding spaces."""
    return password.strip().lower() in _common_passwords()


@functools.cache
def _common_passwords() -> frozenset[str]:
    # The passwords of at least 10 characters (shorter ones are refused anyway) from the
    # 20,000 most common, lower-cased, that Django ships (compiled by Royce Williams),
    # followed by Dutch and local words and keyboard runs padded the usual ways.
    text = resources.files("market.identity").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line)
