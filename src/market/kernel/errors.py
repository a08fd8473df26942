"""Expected failures, raised by services and translated once at the edge.

Every domain error is a fact with a stable machine code, a kind that decides how
the edge reports it, and optionally the input field it is about.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    INVALID = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"


class DomainError(Exception):
    """Base of all expected failures. Subclasses set `kind` and a default message."""

    kind: ErrorKind = ErrorKind.INVALID
    message: str = "The request could not be carried out."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.message
        self.field = field
        super().__init__(self.message)

    @property
    def code(self) -> str:
        """Stable machine-readable name of the fact, e.g. `IntakeFull`."""
        return type(self).__name__


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID
    message = "The input is not valid."


class NotAuthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    message = "You must be signed in."


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    message = "You may not do this."


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    message = "Not found."


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    message = "This conflicts with the current state."
