"""Accounts, sign-in and memberships: every rule about who someone is.

Authorization is decided here from the `actor` passed in; resolvers only pass it along.
Time comparisons use the database clock (`now()`), never the application's.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.db import outbox
from market.geo.service import get_municipality
from market.identity import passwords, throttling, tokens
from market.identity.errors import (
    AlreadyMember,
    InvalidDisplayName,
    InvalidOrganisationName,
    InvitationAlreadyUsed,
    InvitationExpired,
    InvitationForSomeoneElse,
    InvitationNotFound,
    KvkNumberTaken,
    LastManager,
    LoginFailed,
    MalformedEmail,
    MalformedKvkNumber,
    MunicipalityAlreadyRepresented,
    MunicipalityCodeNotApplicable,
    MunicipalityCodeRequired,
    NotOrganisationManager,
    OrganisationCreatedConcurrently,
    OrganisationNotFound,
    PasswordHasControlCharacters,
    PasswordTooCommon,
    PasswordTooLong,
    PasswordTooShort,
    PasswordTooSimple,
    PlatformOrganisationExists,
    RoleNotForOrganisationKind,
    SignInRequired,
    TooManyLoginAttempts,
    TooManyRequests,
    UnsupportedLanguage,
    WrongPassword,
)
from market.identity.events import InvitationIssued, RegistrationForExistingEmail
from market.identity.models import (
    AuthToken,
    ClientRequestCount,
    Invitation,
    LoginAttempt,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from market.identity.policies import ANONYMOUS, MANAGER_ROLE, ROLES_BY_KIND, Actor, Grant
from market.identity.throttling import ClientAction, FailureThrottle, RequestLimit
from market.kernel.errors import DomainError

# The languages the platform speaks to learners in (ISO 639-1): Dutch, English, Arabic,
# Turkish, Ukrainian, Tigrinya, Persian, Somali, Polish, Spanish, French, German.
SUPPORTED_LANGUAGES = ("nl", "en", "ar", "tr", "uk", "ti", "fa", "so", "pl", "es", "fr", "de")
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
INVITATION_TTL = timedelta(days=7)
# Login failures are kept a day: longer than any sensible throttling window, so purging
# never lifts a throttle early. Pass the configured window to purge more tightly.
LOGIN_FAILURE_RETENTION = timedelta(days=1)

# Deliberately simple, after NFKC: a local part without whitespace or the characters that
# quote, comment or separate addresses (a quoted local part is legal but only ever used to
# smuggle markup), one @, and a dotted domain of letters, digits and hyphens.
_EMAIL = re.compile(r'^[^\s<>()\[\]\\,;:"@]{1,64}@[\w-]+(\.[\w-]+)+$')
_KVK_NUMBER = re.compile(r"^[0-9]{8}$")

T = TypeVar("T")


class SignInSettings(Protocol):
    """What the sign-in policy reads from the app's settings (market.settings.Settings)."""

    @property
    def token_ttl_hours(self) -> int: ...

    @property
    def login_failures_allowed(self) -> int: ...

    @property
    def login_client_failures_allowed(self) -> int: ...

    @property
    def login_first_delay_seconds(self) -> int: ...

    @property
    def login_max_delay_minutes(self) -> int: ...

    @property
    def login_failure_window_minutes(self) -> int: ...


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    """The configured limits of signing in, handed in by the boundary."""

    token_ttl: timedelta
    throttle: FailureThrottle

    @classmethod
    def of(cls, settings: SignInSettings) -> SignInPolicy:
        return cls(
            token_ttl=timedelta(hours=settings.token_ttl_hours),
            throttle=FailureThrottle(
                allowed_per_account=settings.login_failures_allowed,
                allowed_per_client=settings.login_client_failures_allowed,
                first_delay=timedelta(seconds=settings.login_first_delay_seconds),
                max_delay=timedelta(minutes=settings.login_max_delay_minutes),
                window=timedelta(minutes=settings.login_failure_window_minutes),
            ),
        )


@dataclass(frozen=True, slots=True)
class Attempt(Generic[T]):
    """The outcome of a password check. A failure must be remembered even though the
    request fails, so it is returned, not raised: the boundary commits, then `unwrap()`s."""

    value: T | None = None
    refusal: DomainError | None = None

    def unwrap(self) -> T | None:
        if self.refusal is not None:
            raise self.refusal
        return self.value


@dataclass(frozen=True, slots=True)
class MembershipView:
    organisation: Organisation
    role: Role
    since: datetime


@dataclass(frozen=True, slots=True)
class Profile:
    user: User
    memberships: tuple[MembershipView, ...]


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    expires_at: datetime
    profile: Profile


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    invitation: Invitation
    organisation: Organisation
    # The one-time secret; only its hash is stored, so this is the only time it exists.
    token: str


@dataclass(frozen=True, slots=True)
class InvitationView:
    invitation: Invitation
    organisation: Organisation


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything stored about one person (hashes excluded)."""

    exported_at: datetime
    profile: Profile
    invitations_received: tuple[InvitationView, ...]
    invitations_sent: tuple[InvitationView, ...]
    sessions: tuple[AuthToken, ...]
    failed_sign_ins: tuple[datetime, ...]


# --- validation --------------------------------------------------------------------------


def normalise_email(text: str, *, field: str = "email") -> str:
    """The one form of an address that users.email and invitations store and every
    comparison uses: NFKC (full-width and other compatibility letters become the plain
    ones, so a look-alike is the same account), trimmed, lower-cased. Raises MalformedEmail,
    also for control and format characters (bidirectional overrides, zero-width marks),
    which only serve to make one address look like another."""
    if len(text) > 1000:  # before normalising: NFKC can take time on huge inputs
        raise MalformedEmail(field=field)
    address = unicodedata.normalize("NFKC", text).strip().lower()
    if (
        len(address) > 254
        or any(unicodedata.category(character).startswith("C") for character in address)
        or not _EMAIL.match(address)
    ):
        raise MalformedEmail(field=field)
    return address


def _new_password(password: str) -> None:
    """NIST SP 800-63B's rules: a length, no composition rules, not a known or trivial one."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordTooShort(field="password")
    _password_size(password)
    # Control characters cannot be typed back reliably; lone surrogates cannot be encoded.
    if any(unicodedata.category(character) in {"Cc", "Cs"} for character in password):
        raise PasswordHasControlCharacters(field="password")
    if password.isspace() or len(set(password)) == 1:
        raise PasswordTooSimple(field="password")
    if passwords.is_common(password):
        raise PasswordTooCommon(field="password")


def _password_size(password: str) -> None:
    # Also bounds the work a sign-in can ask of the hasher.
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordTooLong(field="password")


def _display_name(text: str) -> str:
    name = text.strip()
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise InvalidDisplayName(field="displayName")
    return name


def _language(code: str) -> str:
    language = code.strip().lower()
    if language not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguage(
            field="preferredLanguage", supported=", ".join(SUPPORTED_LANGUAGES)
        )
    return language


def _organisation_name(text: str) -> str:
    name = text.strip()
    if not 1 <= len(name) <= 200 or not name.isprintable():
        raise InvalidOrganisationName(field="name")
    return name


def _kvk_number(text: str | None) -> str | None:
    if text is None:
        return None
    number = text.strip()
    if not _KVK_NUMBER.match(number):
        raise MalformedKvkNumber(field="kvkNumber")
    return number


# --- accounts and sign-in ------------------------------------------------------------------


async def register(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str,
) -> Profile:
    """A new learner: an account without memberships.

    Whether the email already has an account is not revealed: it answers the same, after
    the same hash work, with a profile built from the input under a fresh id that stands
    for no stored row. The one who typed it learns nothing, and their login then fails;
    the account's owner is told by mail (`RegistrationForExistingEmail`, recorded in this
    transaction: one statement more than a new account's, about a millisecond)."""
    address = normalise_email(email)
    name = _display_name(display_name)
    language = _language(preferred_language)
    _new_password(password)
    password_hash = await passwords.hash_password(password)
    values = {
        "id": uuid.uuid4(),
        "email": address,
        "display_name": name,
        "preferred_language": language,
    }
    # ON CONFLICT also covers two registrations racing for one address: one row is made.
    user = await session.scalar(
        insert(User)
        .values(password_hash=password_hash, **values)
        .on_conflict_do_nothing(index_elements=[User.email])
        .returning(User)
    )
    if user is None:
        user = User(password_hash="", created_at=await _db_now(session), **values)
        await outbox.record(session, RegistrationForExistingEmail(address))
    return Profile(user, ())


async def login(
    session: AsyncSession, *, email: str, password: str, client: str, policy: SignInPolicy
) -> Attempt[SignedIn]:
    """A bearer token for the right password. Whether the email exists is never revealed:
    an unknown email costs the same hash check and fails with the same error, and both
    count towards the same throttle: per email and `client` address, and per client."""
    address = normalise_email(email)
    _password_size(password)
    await throttling.lock_client(session, client)
    refusal = await _check_not_throttled(session, address, client, policy)
    if refusal is not None:
        return Attempt(refusal=refusal)
    user = await session.scalar(select(User).where(User.email == address))
    if user is None:
        await passwords.verify_against_nothing(password)
    elif await passwords.verify_password(user.password_hash, password):
        await _forget_failures(session, address, client)
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = await passwords.hash_password(password)
        token, expires_at = await _issue_token(session, user.id, policy.token_ttl)
        return Attempt(SignedIn(token, expires_at, await _profile(session, user)))
    await _record_failure(session, address, client)
    return Attempt(refusal=LoginFailed())


async def admit(session: AsyncSession, *, client: str, limit: RequestLimit) -> None:
    """Count a request from `client`; refuses it (TooManyLoginAttempts for a login,
    TooManyRequests otherwise) while the client is over the limit of its window. Run it in
    a transaction of its own, before the request's work, so that requests which fail still
    count and refused ones cost nothing else."""
    wait = await throttling.count_request(session, client, limit)
    if wait is None:
        return
    if limit.action is ClientAction.LOGIN:
        raise TooManyLoginAttempts(wait)
    raise TooManyRequests(wait)


async def logout(session: AsyncSession, token: str | None) -> bool:
    """Revoke the presented bearer token; False when it was not a live session."""
    if not token or len(token) > 200:
        return False
    result = await session.execute(
        update(AuthToken)
        .where(
            AuthToken.token_hash == tokens.digest(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > func.now(),
        )
        .values(revoked_at=func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


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


async def get_profile(session: AsyncSession, actor: Actor) -> Profile | None:
    """The signed-in user with their memberships; None for anonymous."""
    if actor.user_id is None:
        return None
    user = await session.get(User, actor.user_id)
    return None if user is None else await _profile(session, user)


async def _profile(session: AsyncSession, user: User) -> Profile:
    rows = await session.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id)
        .order_by(Organisation.name, Organisation.id)
    )
    memberships = tuple(MembershipView(org, m.role, m.created_at) for m, org in rows)
    return Profile(user, memberships)


async def set_preferred_language(session: AsyncSession, actor: Actor, language: str) -> None:
    """The language the signed-in user is written to in (mails) from now on."""
    user = await _current_user(session, actor)
    user.preferred_language = _language(language)
    await session.flush()


@dataclass(frozen=True, slots=True)
class Addressee:
    """Whom a mail to an email address speaks to: the account holding it."""

    display_name: str
    preferred_language: str


async def addressee(session: AsyncSession, email: str) -> Addressee | None:
    """The account holding `email` (normalised), for a mail to it; None when there is none."""
    row = (
        await session.execute(
            select(User.display_name, User.preferred_language).where(User.email == email)
        )
    ).first()
    return None if row is None else Addressee(row.display_name, row.preferred_language)


@dataclass(frozen=True, slots=True)
class StaffAddressee:
    """A staff member of an organisation, for a mail to them about its business."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    display_name: str
    preferred_language: str


async def staff_addressees(
    session: AsyncSession, organisation_ids: Collection[uuid.UUID], roles: Collection[Role]
) -> list[StaffAddressee]:
    """The users holding one of `roles` in one of the organisations, one row per user and
    organisation, by email."""
    if not organisation_ids:
        return []
    rows = await session.execute(
        select(
            User.id,
            Membership.organisation_id,
            User.email,
            User.display_name,
            User.preferred_language,
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id.in_(organisation_ids), Membership.role.in_(roles))
        .distinct()
        .order_by(User.email, Membership.organisation_id)
    )
    return [StaffAddressee(*row) for row in rows]


async def _current_user(session: AsyncSession, actor: Actor, *, for_update: bool = False) -> User:
    # A token outlives its user only within a request racing the account's deletion.
    user = await session.get(User, actor.require_user(), with_for_update=for_update)
    if user is None:
        raise SignInRequired()
    return user


async def _db_now(session: AsyncSession) -> datetime:
    now: datetime | None = await session.scalar(select(func.now()))
    assert now is not None
    return now


async def _issue_token(
    session: AsyncSession, user_id: uuid.UUID, ttl: timedelta
) -> tuple[str, datetime]:
    secret = tokens.new_secret()
    expires_at = await _db_now(session) + ttl
    session.add(AuthToken(user_id=user_id, token_hash=tokens.digest(secret), expires_at=expires_at))
    await session.flush()
    return secret, expires_at


async def _check_not_throttled(
    session: AsyncSession, address: str, client: str, policy: SignInPolicy
) -> TooManyLoginAttempts | None:
    """Refused while this client must still wait after its failures (identity.throttling).
    Refusals are not failures: trying on while refused does not make the wait longer.
    The caller holds the client's lock (`throttling.lock_client`)."""
    wait = await throttling.failure_wait(session, tokens.digest(address), client, policy.throttle)
    return None if wait is None else TooManyLoginAttempts(wait)


async def _record_failure(session: AsyncSession, address: str, client: str) -> None:
    session.add(throttling.failure(tokens.digest(address), client))
    await session.flush()


async def _forget_failures(session: AsyncSession, address: str, client: str) -> None:
    # Only this client's: a success here says nothing about the guesses made elsewhere.
    await session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email_hash == tokens.digest(address),
            LoginAttempt.client_hash == throttling.client_hash(client),
        )
    )


# --- organisations and memberships -------------------------------------------------------


async def create_organisation(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: OrganisationKind,
    name: str,
    kvk_number: str | None = None,
    municipality_code: str | None = None,
) -> Organisation:
    """A new organisation, without members yet: a platform admin then invites its first
    manager. Platform admins only. A municipality organisation acts for one known
    municipality, and each municipality has at most one."""
    actor.require_platform_admin()
    clean_name = _organisation_name(name)
    kvk = _kvk_number(kvk_number)
    code = await _organisation_municipality(session, kind, municipality_code)
    await _check_organisation_free(session, kind, kvk, code)
    # ON CONFLICT covers a concurrent creation; the check then names what was taken.
    organisation_id = await session.scalar(
        insert(Organisation)
        .values(id=uuid.uuid4(), kind=kind, name=clean_name, kvk_number=kvk, municipality_code=code)
        .on_conflict_do_nothing()
        .returning(Organisation.id)
    )
    if organisation_id is None:
        await _check_organisation_free(session, kind, kvk, code)
        raise OrganisationCreatedConcurrently()
    return await session.get_one(Organisation, organisation_id)


async def _organisation_municipality(
    session: AsyncSession, kind: OrganisationKind, code: str | None
) -> str | None:
    if kind is not OrganisationKind.MUNICIPALITY:
        if code is not None:
            raise MunicipalityCodeNotApplicable(field="municipalityCode")
        return None
    if code is None or not code.strip():
        raise MunicipalityCodeRequired(field="municipalityCode")
    return (await get_municipality(session, code, field="municipalityCode")).cbs_code


async def _check_organisation_free(
    session: AsyncSession, kind: OrganisationKind, kvk: str | None, code: str | None
) -> None:
    if kind is OrganisationKind.PLATFORM and await session.scalar(
        select(exists().where(Organisation.kind == OrganisationKind.PLATFORM))
    ):
        raise PlatformOrganisationExists(field="kind")
    if kvk is not None and await session.scalar(
        select(exists().where(Organisation.kvk_number == kvk))
    ):
        raise KvkNumberTaken(field="kvkNumber")
    if code is not None and await session.scalar(
        select(exists().where(Organisation.municipality_code == code))
    ):
        raise MunicipalityAlreadyRepresented(field="municipalityCode")


async def invite_member(
    session: AsyncSession,
    actor: Actor,
    *,
    organisation_id: uuid.UUID,
    email: str,
    role: Role,
    ttl: timedelta = INVITATION_TTL,
) -> IssuedInvitation:
    """An invitation to join with `role`, by the organisation's manager or a platform admin.

    The invitee is mailed the one-time token (`InvitationIssued`, recorded in this
    transaction), which is also returned to the inviter, once. A new invitation replaces a
    pending one for the same address."""
    actor.require_user()
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise OrganisationNotFound(field="organisationId")
    if not actor.manages(organisation.id, organisation.kind):
        raise NotOrganisationManager()
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise RoleNotForOrganisationKind(field="role")
    address = normalise_email(email)
    if await _is_member(session, organisation.id, address):
        raise AlreadyMember(field="email")
    await session.execute(
        delete(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.email == address,
            Invitation.accepted_at.is_(None),
        )
    )
    secret = tokens.new_secret()
    invitation = Invitation(
        organisation_id=organisation.id,
        email=address,
        role=role,
        token_hash=tokens.digest(secret),
        invited_by=actor.user_id,
        expires_at=await _db_now(session) + ttl,
    )
    session.add(invitation)
    await session.flush()
    await outbox.record(
        session,
        InvitationIssued(
            invitation_id=invitation.id,
            email=address,
            organisation_name=organisation.name,
            role=role.value,
            token=secret,
            expires_at=invitation.expires_at,
        ),
    )
    return IssuedInvitation(invitation, organisation, secret)


async def accept_invitation(session: AsyncSession, actor: Actor, token: str) -> MembershipView:
    """The signed-in invitee becomes a member, once, before the invitation expires."""
    user = await _current_user(session, actor)
    invitation = None
    if token and len(token) <= 200:
        invitation = await session.scalar(
            select(Invitation)
            .where(Invitation.token_hash == tokens.digest(token))
            .with_for_update()
        )
    if invitation is None:
        raise InvitationNotFound(field="token")
    if invitation.email != user.email:
        raise InvitationForSomeoneElse(field="token")
    if invitation.accepted_at is not None:
        raise InvitationAlreadyUsed(field="token")
    now = await _db_now(session)
    if invitation.expires_at <= now:
        raise InvitationExpired(field="token")
    membership_id = await session.scalar(
        insert(Membership)
        .values(
            id=uuid.uuid4(),
            user_id=user.id,
            organisation_id=invitation.organisation_id,
            role=invitation.role,
        )
        .on_conflict_do_nothing()
        .returning(Membership.id)
    )
    if membership_id is None:
        raise AlreadyMember()
    invitation.accepted_at = now
    await session.flush()
    organisation = await session.get_one(Organisation, invitation.organisation_id)
    return MembershipView(organisation, invitation.role, now)


async def _is_member(session: AsyncSession, organisation_id: uuid.UUID, address: str) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Membership.organisation_id == organisation_id,
                    Membership.user_id == User.id,
                    User.email == address,
                )
            )
        )
    )


# --- personal data -----------------------------------------------------------------------


async def export_personal_data(session: AsyncSession, actor: Actor) -> PersonalData:
    """Everything stored about the signed-in user, for them to download (never hashes)."""
    user = await _current_user(session, actor)
    profile = await _profile(session, user)
    received = await _invitations(session, Invitation.email == user.email)
    sent = await _invitations(session, Invitation.invited_by == user.id)
    sessions = await session.scalars(
        select(AuthToken).where(AuthToken.user_id == user.id).order_by(AuthToken.created_at)
    )
    failures = await session.scalars(
        select(LoginAttempt.attempted_at)
        .where(LoginAttempt.email_hash == tokens.digest(user.email))
        .order_by(LoginAttempt.attempted_at)
    )
    return PersonalData(
        exported_at=await _db_now(session),
        profile=profile,
        invitations_received=received,
        invitations_sent=sent,
        sessions=tuple(sessions),
        failed_sign_ins=tuple(failures),
    )


async def _invitations(session: AsyncSession, condition: object) -> tuple[InvitationView, ...]:
    rows = await session.execute(
        select(Invitation, Organisation)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .where(condition)  # type: ignore[arg-type]
        .order_by(Invitation.created_at, Invitation.id)
    )
    return tuple(InvitationView(invitation, org) for invitation, org in rows)


async def delete_my_account(
    session: AsyncSession,
    actor: Actor,
    *,
    password: str,
    client: str,
    policy: SignInPolicy,
    before_delete: Callable[[AsyncSession, uuid.UUID], Awaitable[None]] | None = None,
) -> Attempt[None]:
    """Delete the signed-in user after re-checking their password, with their sessions,
    memberships, received invitations and login failures. Invitations they sent stay,
    without the sender. An organisation never loses its last manager this way.

    Records the law requires us to keep (bookings, payments, invoices) reference users with
    ON DELETE SET NULL, so they survive without the personal details. `before_delete` lets
    the domains above identity end what the user still had open (enrollment's holds and
    waitlist places), in the same transaction, once the password is right.
    Wrong passwords count towards the sign-in throttle of the account's email and this
    client, so a stolen token cannot be used to guess the password here."""
    # The client's lock before the user's row, in the order a login takes them.
    await throttling.lock_client(session, client)
    user = await _current_user(session, actor, for_update=True)
    _password_size(password)
    refusal = await _check_not_throttled(session, user.email, client, policy)
    if refusal is not None:
        return Attempt(refusal=refusal)
    if not await passwords.verify_password(user.password_hash, password):
        await _record_failure(session, user.email, client)
        return Attempt(refusal=WrongPassword(field="password"))
    await _check_not_last_manager(session, user.id)
    if before_delete is not None:
        await before_delete(session, user.id)
    await session.execute(delete(Invitation).where(Invitation.email == user.email))
    await session.execute(
        delete(LoginAttempt).where(LoginAttempt.email_hash == tokens.digest(user.email))
    )
    await session.execute(delete(User).where(User.id == user.id))
    return Attempt()


async def _check_not_last_manager(session: AsyncSession, user_id: uuid.UUID) -> None:
    managed = await session.execute(
        select(Organisation.id, Organisation.kind, Organisation.name, Membership.role)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id)
        .order_by(Organisation.id)
    )
    for organisation_id, kind, name, role in managed:
        if role is not MANAGER_ROLE[kind]:
            continue
        # Locking the managers' rows makes two managers leaving at once take turns.
        managers: Sequence[uuid.UUID] = (
            await session.scalars(
                select(Membership.user_id)
                .where(Membership.organisation_id == organisation_id, Membership.role == role)
                .order_by(Membership.id)
                .with_for_update()
            )
        ).all()
        if list(managers) == [user_id]:
            raise LastManager(name)


# --- housekeeping -------------------------------------------------------------------------


async def purge_expired_credentials(
    session: AsyncSession, *, keep_failures_for: timedelta = LOGIN_FAILURE_RETENTION
) -> int:
    """Delete what no longer grants or limits anything: expired or revoked bearer tokens,
    login failures older than `keep_failures_for`, request counts of windows that have
    ended, and invitations that expired unaccepted (accepted ones stay as the record of
    who let whom in). Returns the rows removed. Idempotent; the caller commits."""
    statements = (
        delete(AuthToken).where(
            or_(AuthToken.expires_at <= func.now(), AuthToken.revoked_at.is_not(None))
        ),
        delete(LoginAttempt).where(LoginAttempt.attempted_at <= func.now() - keep_failures_for),
        delete(ClientRequestCount).where(ClientRequestCount.counted_until <= func.now()),
        delete(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.expires_at <= func.now()
        ),
    )
    removed = 0
    for statement in statements:
        result = await session.execute(statement)
        removed += result.rowcount  # type: ignore[attr-defined]
    return removed
