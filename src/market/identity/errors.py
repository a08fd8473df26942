"""The facts identity refuses on. Field names are the GraphQL input names."""

from __future__ import annotations

import math
from datetime import timedelta

from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound


class MalformedEmail(InvalidInput):
    reason = "MalformedEmail"
    message = (
        "This is not a valid email address (at most 254 characters, like name@example.nl, "
        'without spaces, control characters or any of < > ( ) [ ] \\ , ; : ").'
    )


class PasswordTooShort(InvalidInput):
    reason = "PasswordTooShort"
    message = "A password has at least 10 characters."


class PasswordTooLong(InvalidInput):
    reason = "PasswordTooLong"
    message = "A password has at most 200 characters."


class PasswordHasControlCharacters(InvalidInput):
    reason = "PasswordHasControlCharacters"
    message = "A password cannot contain control characters (such as NUL, tab or a line break)."


class PasswordTooSimple(InvalidInput):
    reason = "PasswordTooSimple"
    message = "A password cannot be only spaces or one character repeated."


class PasswordTooCommon(InvalidInput):
    reason = "PasswordTooCommon"
    message = "This password is one of the most commonly used ones: choose another."


class InvalidDisplayName(InvalidInput):
    reason = "InvalidDisplayName"
    message = "A display name has 1 to 100 printable characters."


class UnsupportedLanguage(InvalidInput):
    reason = "UnsupportedLanguage"
    message = "This language is not supported; these are: {supported}."


class LoginFailed(NotAuthenticated):
    reason = "LoginFailed"
    # One message for an unknown email and a wrong password alike.
    message = "The email address or password is not correct."


class TooManyLoginAttempts(Forbidden):
    """Refused before the password is even checked; the same for known and unknown emails."""

    reason = "TooManyLoginAttempts"
    message = "Too many sign-in attempts. Try again in {retryAfterSeconds} s."

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(retryAfterSeconds=_whole_seconds(retry_after))


class TooManyRequests(Forbidden):
    """More requests of one kind from one client address than its limit allows."""

    reason = "TooManyRequests"
    message = "Too many requests from your network address. Try again in {retryAfterSeconds} s."

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(retryAfterSeconds=_whole_seconds(retry_after))


def _whole_seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


class WrongPassword(InvalidInput):
    reason = "WrongPassword"
    message = "The password is not correct."


class InvalidOrganisationName(InvalidInput):
    reason = "InvalidOrganisationName"
    message = "An organisation name has 1 to 200 printable characters."


class MalformedKvkNumber(InvalidInput):
    reason = "MalformedKvkNumber"
    message = "A KvK number has exactly 8 digits."


class KvkNumberTaken(Conflict):
    reason = "KvkNumberTaken"
    message = "An organisation with this KvK number already exists."


class MunicipalityCodeRequired(InvalidInput):
    reason = "MunicipalityCodeRequired"
    message = "A municipality organisation needs the CBS code of its municipality."


class MunicipalityCodeNotApplicable(InvalidInput):
    reason = "MunicipalityCodeNotApplicable"
    message = "Only a municipality organisation has a municipality code."


class MunicipalityAlreadyRepresented(Conflict):
    reason = "MunicipalityAlreadyRepresented"
    message = "This municipality already has an organisation."


class PlatformOrganisationExists(Conflict):
    reason = "PlatformOrganisationExists"
    message = "The platform organisation exists once; invite administrators into it instead."


class OrganisationCreatedConcurrently(Conflict):
    reason = "OrganisationCreatedConcurrently"
    message = "An organisation like this was created at the same moment."


class SignInRequired(NotAuthenticated):
    reason = "SignInRequired"
    message = "You must be signed in."


class NotPlatformAdmin(Forbidden):
    reason = "NotPlatformAdmin"
    message = "Only platform administrators may do this."


class OrganisationNotFound(NotFound):
    reason = "OrganisationNotFound"
    message = "No organisation has this id."


class NotOrganisationManager(Forbidden):
    reason = "NotOrganisationManager"
    message = "Only the organisation's managers or a platform administrator may do this."


class RoleNotForOrganisationKind(InvalidInput):
    reason = "RoleNotForOrganisationKind"
    message = "This role does not exist in this kind of organisation."


class AlreadyMember(Conflict):
    reason = "AlreadyMember"
    message = "This person is already a member of the organisation."


class InvitationNotFound(NotFound):
    reason = "InvitationNotFound"
    message = "This invitation does not exist."


class InvitationForSomeoneElse(Forbidden):
    reason = "InvitationForSomeoneElse"
    message = "This invitation was sent to another email address."


class InvitationAlreadyUsed(Conflict):
    reason = "InvitationAlreadyUsed"
    message = "This invitation has already been accepted."


class InvitationExpired(Conflict):
    reason = "InvitationExpired"
    message = "This invitation has expired; ask for a new one."


class LastManager(Conflict):
    reason = "LastManager"
    message = (
        "You are the last manager of {organisationName}: let someone else take over that "
        "role before deleting your account."
    )

    def __init__(self, organisation_name: str) -> None:
        super().__init__(organisationName=organisation_name)
