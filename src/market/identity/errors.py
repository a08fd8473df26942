"""The facts identity refuses on. Field names are the GraphQL input names."""

from __future__ import annotations

import math
from datetime import timedelta

from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound


class MalformedEmail(InvalidInput):
    message = (
        "This is not a valid email address (at most 254 characters, like name@example.nl, "
        'without spaces, control characters or any of < > ( ) [ ] \\ , ; : ").'
    )


class PasswordTooShort(InvalidInput):
    message = "A password has at least 10 characters."


class PasswordTooLong(InvalidInput):
    message = "A password has at most 200 characters."


class PasswordHasControlCharacters(InvalidInput):
    message = "A password cannot contain control characters (such as NUL, tab or a line break)."


class PasswordTooSimple(InvalidInput):
    message = "A password cannot be only spaces or one character repeated."


class PasswordTooCommon(InvalidInput):
    message = "This password is one of the most commonly used ones: choose another."


class InvalidDisplayName(InvalidInput):
    message = "A display name has 1 to 100 printable characters."


class UnsupportedLanguage(InvalidInput):
    message = "This language is not supported."


class LoginFailed(NotAuthenticated):
    # One message for an unknown email and a wrong password alike.
    message = "The email address or password is not correct."


class TooManyLoginAttempts(Forbidden):
    """Refused before the password is even checked; the same for known and unknown emails."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after_seconds = _whole_seconds(retry_after)
        super().__init__(
            f"Too many sign-in attempts. Try again in {_duration(self.retry_after_seconds)}."
        )


class TooManyRequests(Forbidden):
    """More requests of one kind from one client address than its limit allows."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after_seconds = _whole_seconds(retry_after)
        super().__init__(
            "Too many requests from your network address. "
            f"Try again in {_duration(self.retry_after_seconds)}."
        )


def _whole_seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def _duration(seconds: int) -> str:
    # Seconds while they are few enough to count, minutes after that.
    amount, unit = (seconds, "second") if seconds < 120 else (math.ceil(seconds / 60), "minute")
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


class WrongPassword(InvalidInput):
    message = "The password is not correct."


class InvalidOrganisationName(InvalidInput):
    message = "An organisation name has 1 to 200 printable characters."


class MalformedKvkNumber(InvalidInput):
    message = "A KvK number has exactly 8 digits."


class KvkNumberTaken(Conflict):
    message = "An organisation with this KvK number already exists."


class MunicipalityCodeRequired(InvalidInput):
    message = "A municipality organisation needs the CBS code of its municipality."


class MunicipalityCodeNotApplicable(InvalidInput):
    message = "Only a municipality organisation has a municipality code."


class MunicipalityAlreadyRepresented(Conflict):
    message = "This municipality already has an organisation."


class PlatformOrganisationExists(Conflict):
    message = "The platform organisation exists once; invite administrators into it instead."


class OrganisationNotFound(NotFound):
    message = "No organisation has this id."


class NotOrganisationManager(Forbidden):
    message = "Only the organisation's managers or a platform administrator may do this."


class RoleNotForOrganisationKind(InvalidInput):
    message = "This role does not exist in this kind of organisation."


class AlreadyMember(Conflict):
    message = "This person is already a member of the organisation."


class InvitationNotFound(NotFound):
    message = "This invitation does not exist."


class InvitationForSomeoneElse(Forbidden):
    message = "This invitation was sent to another email address."


class InvitationAlreadyUsed(Conflict):
    message = "This invitation has already been accepted."


class InvitationExpired(Conflict):
    message = "This invitation has expired; ask for a new one."


class LastManager(Conflict):
    def __init__(self, organisation_name: str) -> None:
        super().__init__(
            f"You are the last manager of {organisation_name}: let someone else take over "
            "that role before deleting your account."
        )
