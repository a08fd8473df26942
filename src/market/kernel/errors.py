"""Expected failures, raised by services and translated once at the edge.

Every domain error is a fact with a stable reason (the key clients translate), a kind
that decides how the edge reports it, its parameters, and optionally the input field it
is about. The kinds below are abstract: only facts are raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar

# What a fact's parameters may be: JSON scalars a client can put into its own sentence.
Param = int | float | str


class ErrorKind(StrEnum):
    INVALID = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"


class DomainError(Exception):
    """Base of all expected failures.

    A fact declares its own `reason`, written out rather than taken from the class name,
    so that renaming a class can never change what clients key their translations on
    (tests/api/test_error_reasons.py holds every fact to it, and graphql/ERRORS.md lists
    them). `message` is the English text, a `str.format` template over the parameters a
    fact is raised with; the parameters travel beside it as `extensions.params`, so a
    client writes its own sentence in its own language.
    """

    reason: ClassVar[str]
    kind: ClassVar[ErrorKind] = ErrorKind.INVALID
    message: str = "The request could not be carried out."

    def __init__(self, *, field: str | None = None, **params: Param) -> None:
        self.field = field
        self.params: Mapping[str, Param] = params
        self.message = self.message.format(**params)
        super().__init__(self.message)


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID


class NotAuthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT


# The kinds: raised by no one, so without a reason of their own.
KINDS = (DomainError, InvalidInput, NotAuthenticated, Forbidden, NotFound, Conflict)
