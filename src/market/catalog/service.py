"""The catalog's verbs: provider profiles, certification, locations, courses, intakes.

Every read and write of the catalog goes through here, with the acting user's rights
checked here. Functions only flush; the caller's boundary commits.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time
from itertools import pairwise
from typing import Any, TypedDict, TypeVar

from sqlalchemy import (
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    exists,
    false,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from market.catalog import errors
from market.catalog.models import (
    Component,
    Course,
    CourseStatus,
    Format,
    Intake,
    Level,
    Location,
    ProviderProfile,
    Route,
    ScheduleKind,
    StarRating,
    Stream,
)
from market.catalog.policies import (
    NL_LATITUDE,
    NL_LONGITUDE,
    RULES,
    certified,
    local_today,
    require_manager,
    support_languages,
    visible_courses,
)
from market.catalog.ratings import RatingSummary
from market.db import driver
from market.geo import service as geo
from market.identity.errors import OrganisationNotFound
from market.identity.models import Organisation, OrganisationKind
from market.identity.policies import Actor
from market.kernel.pagination import (
    Page,
    PageRequest,
    created_cursor,
    newest_page,
)

T = TypeVar("T")

_WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_CERTIFICATION_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,39}$")


async def today(reader: driver.Reader) -> date:
    """Today in the Netherlands, by the database clock (in a session, or on the search's
    read connection)."""
    [(day,)] = await driver.fetch(reader, _TODAY, _TODAY.arguments({}))
    return day  # type: ignore[no-any-return]


_TODAY = driver.Statement.of(select(local_today()))


R = TypeVar("R", Course, Location, Intake)


async def _saved(session: AsyncSession, row: R) -> R:
    """Flush, then read back what the database computed (timestamps, price per hour)."""
    await session.flush()
    await session.refresh(row)
    return row


# -- input checks shared by every verb ---------------------------------------------------


def _text(value: str, limit: int, field: str, *, required: bool = True) -> str:
    if len(value) > limit:
        raise errors.TextTooLong(limit, field=field)
    value = value.strip()
    if required and not value:
        raise errors.TextRequired(field=field)
    return value


def _optional_text(value: str | None, limit: int, field: str) -> str | None:
    return _text(value, limit, field, required=False) or None if value is not None else None


def _number(value: int, low: int, high: int, field: str) -> int:
    if not low <= value <= high:
        raise errors.ValueOutOfRange(low, high, field=field)
    return value


def _items(values: Sequence[T], field: str, *, required: bool = False) -> list[T]:
    if len(values) > RULES.max_list_items:
        raise errors.TooManyItems(RULES.max_list_items, field=field)
    if len(set(values)) != len(values):
        raise errors.DuplicateItems(field=field)
    if required and not values:
        raise errors.ItemsRequired(field=field)
    return list(values)


# -- provider profiles -------------------------------------------------------------------


class ProviderChanges(TypedDict, total=False):
    website: str | None
    description: str | None
    certification_number: str | None
    certification_valid_from: date | None
    certification_valid_until: date | None
    claims_diploma_recognition: bool


class VerificationChanges(TypedDict, total=False):
    """What a platform admin decides; absent keys stay as they are."""

    certification_verified: bool
    diploma_recognition_verified: bool
    star_rating: StarRating | None


def _website(value: str | None) -> str | None:
    website = _optional_text(value, RULES.max_website_length, "website")
    if website is not None and not _WEBSITE.match(website):
        raise errors.InvalidWebsite(field="website")
    return website


@dataclass(frozen=True, slots=True)
class ProviderView:
    """A provider as shown: its profile, its organisation's name and number, and whether
    its mark counts today (database clock). Plain values, read by `provider_view_columns`
    or taken from a loaded profile."""

    id: uuid.UUID
    name: str
    kvk_number: str | None
    website: str | None
    description: str | None
    certification_number: str | None
    certification_valid_from: date | None
    certification_valid_until: date | None
    certification_verified_at: datetime | None
    diploma_recognition_claimed: bool
    diploma_recognition_verified_at: datetime | None
    star_rating: StarRating | None
    certified: bool

    @classmethod
    def of(cls, profile: ProviderProfile, certified: bool) -> ProviderView:
        """From a profile loaded with its organisation."""
        return cls(
            id=profile.organisation_id,
            name=profile.organisation.name,
            kvk_number=profile.organisation.kvk_number,
            website=profile.website,
            description=profile.description,
            certification_number=profile.certification_number,
            certification_valid_from=profile.certification_valid_from,
            certification_valid_until=profile.certification_valid_until,
            certification_verified_at=profile.certification_verified_at,
            diploma_recognition_claimed=profile.diploma_recognition_claimed,
            diploma_recognition_verified_at=profile.diploma_recognition_verified_at,
            star_rating=profile.star_rating,
            certified=certified,
        )


def provider_view_columns() -> tuple[SQLColumnExpression[Any], ...]:
    """The fields of a ProviderView in order, as columns of provider_profiles joined with
    organisations (`ProviderView(*row)`); certified by today's database date."""
    return (
        ProviderProfile.organisation_id,
        Organisation.name,
        Organisation.kvk_number,
        ProviderProfile.website,
        ProviderProfile.description,
        ProviderProfile.certification_number,
        ProviderProfile.certification_valid_from,
        ProviderProfile.certification_valid_until,
        ProviderProfile.certification_verified_at,
        ProviderProfile.diploma_recognition_claimed,
        ProviderProfile.diploma_recognition_verified_at,
        ProviderProfile.star_rating,
        func.coalesce(certified(local_today()), false()),
    )


def _provider_query() -> Select[ProviderProfile]:
    return select(ProviderProfile).options(joinedload(ProviderProfile.organisation))


async def _view(session: AsyncSession, profile: ProviderProfile) -> ProviderView:
    return ProviderView.of(profile, profile.is_certified_on(await today(session)))


async def create_provider_profile(
    session: AsyncSession,
    actor: Actor,
    organisation_id: uuid.UUID,
    *,
    website: str | None = None,
    description: str | None = None,
) -> ProviderProfile:
    """The catalog face of a provider organisation; platform admins create it together with
    the organisation."""
    actor.require_platform_admin()
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise OrganisationNotFound(field="organisationId")
    if organisation.kind is not OrganisationKind.PROVIDER:
        raise errors.NotAProviderOrganisation(field="organisationId")
    if await session.get(ProviderProfile, organisation_id) is not None:
        raise errors.ProviderProfileExists(field="organisationId")
    profile = ProviderProfile(
        organisation_id=organisation_id,
        website=_website(website),
        description=_optional_text(description, RULES.max_description_length, "description"),
        diploma_recognition_claimed=False,
    )
    profile.organisation = organisation
    session.add(profile)
    await session.flush()
    return profile


async def find_provider(session: AsyncSession, provider_id: uuid.UUID) -> ProviderView | None:
    """Provider profiles are public: learners compare schools by them."""
    return (await providers_by_ids(session, [provider_id])).get(provider_id)


async def providers_by_ids(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, ProviderView]:
    rows = await session.execute(
        select(*provider_view_columns())
        .join(Organisation, Organisation.id == ProviderProfile.organisation_id)
        .where(ProviderProfile.organisation_id.in_(ids))
    )
    return {row[0]: ProviderView(*row) for row in rows}


async def _provider_for_update(
    session: AsyncSession, provider_id: uuid.UUID, *, field: str = "id"
) -> ProviderProfile:
    profile = await session.scalar(
        _provider_query()
        .where(ProviderProfile.organisation_id == provider_id)
        .with_for_update(of=ProviderProfile)
    )
    if profile is None:
        raise errors.ProviderNotFound(field=field)
    return profile


async def update_provider(
    session: AsyncSession, actor: Actor, provider_id: uuid.UUID, changes: ProviderChanges
) -> ProviderView:
    """A provider's own staff keep its profile current. Changing the certification's number
    or dates, or the diploma-recognition claim, withdraws its verification: what the
    platform verified is no longer what is shown."""
    require_manager(actor, provider_id)
    profile = await _provider_for_update(session, provider_id)
    if "website" in changes:
        profile.website = _website(changes["website"])
    if "description" in changes:
        profile.description = _optional_text(
            changes["description"], RULES.max_description_length, "description"
        )
    certification = (
        _certification_number(changes.get("certification_number", profile.certification_number)),
        changes.get("certification_valid_from", profile.certification_valid_from),
        changes.get("certification_valid_until", profile.certification_valid_until),
    )
    number, valid_from, valid_until = certification
    if valid_from and valid_until and valid_until < valid_from:
        raise errors.CertificationPeriodInvalid(field="certificationValidUntil")
    if certification != (
        profile.certification_number,
        profile.certification_valid_from,
        profile.certification_valid_until,
    ):
        profile.certification_number = number
        profile.certification_valid_from = valid_from
        profile.certification_valid_until = valid_until
        profile.certification_verified_at = None
        profile.certification_verified_by = None
    claims = changes.get("claims_diploma_recognition", profile.diploma_recognition_claimed)
    if claims != profile.diploma_recognition_claimed:
        profile.diploma_recognition_claimed = claims
        profile.diploma_recognition_verified_at = None
    await session.flush()
    await session.refresh(profile, ["updated_at"])
    return await _view(session, profile)


def _certification_number(value: str | None) -> str | None:
    number = _optional_text(value, 40, "certificationNumber")
    if number is not None and not _CERTIFICATION_NUMBER.match(number):
        raise errors.InvalidCertificationNumber(field="certificationNumber")
    return number


async def verify_certification(
    session: AsyncSession, actor: Actor, provider_id: uuid.UUID, decision: VerificationChanges
) -> ProviderView:
    """A platform admin checks the Blik op Werk register (and the diploma recognition) and
    records the outcome; `False` withdraws an earlier verification."""
    actor.require_platform_admin()
    profile = await _provider_for_update(session, provider_id, field="providerId")
    now = func.now()
    if "certification_verified" in decision:
        if not decision["certification_verified"]:
            profile.certification_verified_at = None
            profile.certification_verified_by = None
        elif not (
            profile.certification_number
            and profile.certification_valid_from
            and profile.certification_valid_until
        ):
            raise errors.CertificationIncomplete(field="certificationVerified")
        else:
            profile.certification_verified_at = now
            profile.certification_verified_by = actor.user_id
    if "diploma_recognition_verified" in decision:
        if not decision["diploma_recognition_verified"]:
            profile.diploma_recognition_verified_at = None
        elif not profile.diploma_recognition_claimed:
            raise errors.DiplomaRecognitionNotClaimed(field="diplomaRecognitionVerified")
        else:
            profile.diploma_recognition_verified_at = now
    if "star_rating" in decision:
        profile.star_rating = decision["star_rating"]
    await session.flush()
    # The timestamps were set by the database clock; read them back.
    await session.refresh(
        profile, ["certification_verified_at", "diploma_recognition_verified_at", "updated_at"]
    )
    return await _view(session, profile)


# -- locations ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocationSpec:
    name: str
    address_line: str
    postcode: str
    # The postcode area's centroid unless both are given.
    latitude: float | None = None
    longitude: float | None = None


class LocationChanges(TypedDict, total=False):
    name: str
    address_line: str
    postcode: str
    latitude: float | None
    longitude: float | None


async def _place(session: AsyncSession, spec: LocationSpec) -> tuple[str, str, float, float]:
    """Normalised postcode, municipality code and coordinates of a location."""
    postcode = geo.normalise_postcode(spec.postcode, field="postcode")
    place = await geo.locate_postcode(session, postcode, field="postcode")
    if (spec.latitude is None) != (spec.longitude is None):
        raise errors.CoordinatesIncomplete(field="latitude")
    if spec.latitude is None or spec.longitude is None:
        return postcode, place.municipality_code, place.latitude, place.longitude
    if not NL_LATITUDE[0] <= spec.latitude <= NL_LATITUDE[1]:
        raise errors.CoordinatesOutsideNetherlands(field="latitude")
    if not NL_LONGITUDE[0] <= spec.longitude <= NL_LONGITUDE[1]:
        raise errors.CoordinatesOutsideNetherlands(field="longitude")
    return postcode, place.municipality_code, spec.latitude, spec.longitude


async def _apply_location(session: AsyncSession, location: Location, spec: LocationSpec) -> None:
    location.name = _text(spec.name, RULES.max_name_length, "name")
    location.address_line = _text(spec.address_line, RULES.max_address_length, "addressLine")
    postcode, municipality, latitude, longitude = await _place(session, spec)
    location.postcode = postcode
    location.municipality_code = municipality
    location.latitude = latitude
    location.longitude = longitude


async def create_location(
    session: AsyncSession, actor: Actor, provider_id: uuid.UUID, spec: LocationSpec
) -> Location:
    require_manager(actor, provider_id)
    await _provider_for_update(session, provider_id, field="providerId")
    count = await session.scalar(
        select(func.count()).select_from(Location).where(Location.provider_id == provider_id)
    )
    if (count or 0) >= RULES.max_locations_per_provider:
        raise errors.TooManyLocations(RULES.max_locations_per_provider)
    location = Location(provider_id=provider_id)
    await _apply_location(session, location, spec)
    session.add(location)
    return await _saved(session, location)


async def update_location(
    session: AsyncSession, actor: Actor, location_id: uuid.UUID, changes: LocationChanges
) -> Location:
    actor.require_user()
    location = await session.get(Location, location_id, with_for_update=True)
    if location is None:
        raise errors.LocationNotFound(field="id")
    require_manager(actor, location.provider_id)
    current = LocationSpec(location.name, location.address_line, location.postcode)
    if "postcode" not in changes and "latitude" not in changes:
        # Keep the coordinates the location has; a new postcode moves it to its centroid.
        current = replace(current, latitude=location.latitude, longitude=location.longitude)
    await _apply_location(session, location, replace(current, **changes))
    return await _saved(session, location)


async def locations_by_ids(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Location]:
    rows = await session.scalars(select(Location).where(Location.id.in_(ids)))
    return {row.id: row for row in rows}


async def locations_of_providers(
    session: AsyncSession, provider_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Location]]:
    """Locations are public (learners weigh travel time); a provider has a bounded number."""
    rows = await session.scalars(
        select(Location)
        .where(Location.provider_id.in_(provider_ids))
        .order_by(Location.name, Location.id)
    )
    grouped: dict[uuid.UUID, list[Location]] = defaultdict(list)
    for row in rows:
        grouped[row.provider_id].append(row)
    return grouped


# -- courses -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseSpec:
    """Everything a provider decides about a course; validated as a whole."""

    title: str
    route: Route
    target_level: Level
    total_hours: int
    language_hours: int
    hours_per_week: int
    format: Format
    schedule_kinds: Sequence[ScheduleKind]
    max_class_size: int
    price_cents: int
    description: str = ""
    stream: Stream | None = None
    components: Sequence[Component] = (Component.LANGUAGE,)
    support_languages: Sequence[str] = ()
    price_includes: Sequence[str] = ()
    exam_training_included: bool = False
    cancellation_terms: str = ""


class CourseChanges(TypedDict, total=False):
    title: str
    route: Route
    target_level: Level
    total_hours: int
    language_hours: int
    hours_per_week: int
    format: Format
    schedule_kinds: Sequence[ScheduleKind]
    max_class_size: int
    price_cents: int
    description: str
    stream: Stream | None
    components: Sequence[Component]
    support_languages: Sequence[str]
    price_includes: Sequence[str]
    exam_training_included: bool
    cancellation_terms: str


def _checked_course(spec: CourseSpec) -> CourseSpec:
    """The spec normalised, or the first rule it breaks (provider rules checked apart)."""
    total = _number(spec.total_hours, 1, RULES.max_total_hours, "totalHours")
    language = _number(spec.language_hours, 0, RULES.max_total_hours, "languageHours")
    weekly = _number(spec.hours_per_week, 1, RULES.max_hours_per_week, "hoursPerWeek")
    if language > total:
        raise errors.HoursInconsistent(field="languageHours")
    if weekly > total:
        raise errors.HoursInconsistent(field="hoursPerWeek")
    if spec.route is Route.Z and language < RULES.z_route_min_language_hours:
        raise errors.ZRouteNeedsLanguageHours(RULES.z_route_min_language_hours)
    if spec.route is Route.ONDERWIJS and spec.stream is None:
        raise errors.StreamRequired(field="stream")
    if spec.route is not Route.ONDERWIJS and spec.stream is not None:
        raise errors.StreamNotAllowed(field="stream")
    languages = support_languages(spec.support_languages)
    if len(languages) > RULES.max_support_languages:
        raise errors.TooManyItems(RULES.max_support_languages, field="supportLanguages")
    includes = [
        _text(item, RULES.max_price_include_length, "priceIncludes")
        for item in _items(spec.price_includes, "priceIncludes")
    ]
    return replace(
        spec,
        title=_text(spec.title, RULES.max_title_length, "title"),
        description=_text(
            spec.description, RULES.max_description_length, "description", required=False
        ),
        cancellation_terms=_text(
            spec.cancellation_terms, RULES.max_terms_length, "cancellationTerms", required=False
        ),
        max_class_size=_number(spec.max_class_size, 1, RULES.max_class_size, "maxClassSize"),
        price_cents=_number(spec.price_cents, 0, RULES.max_price_cents, "priceCents"),
        components=_items(spec.components, "components", required=True),
        schedule_kinds=_items(spec.schedule_kinds, "scheduleKinds", required=True),
        support_languages=languages,
        price_includes=includes,
    )


def _check_provider_may_offer(profile: ProviderProfile, route: Route, day: date) -> None:
    if route is Route.Z and not profile.is_certified_on(day):
        raise errors.ProviderNotCertified(field="route")
    if route is Route.ONDERWIJS and not profile.has_diploma_recognition:
        raise errors.ProviderLacksDiplomaRecognition(field="route")


def _spec_of(course: Course) -> CourseSpec:
    return CourseSpec(
        title=course.title,
        route=course.route,
        target_level=course.target_level,
        total_hours=course.total_hours,
        language_hours=course.language_hours,
        hours_per_week=course.hours_per_week,
        format=course.format,
        schedule_kinds=list(course.schedule_kinds),
        max_class_size=course.max_class_size,
        price_cents=course.price_cents,
        description=course.description,
        stream=course.stream,
        components=list(course.components),
        support_languages=list(course.support_languages),
        price_includes=list(course.price_includes),
        exam_training_included=course.exam_training_included,
        cancellation_terms=course.cancellation_terms,
    )


def _apply_course(course: Course, spec: CourseSpec) -> None:
    for name, value in asdict(spec).items():
        setattr(course, name, list(value) if isinstance(value, tuple) else value)


async def create_course(
    session: AsyncSession, actor: Actor, provider_id: uuid.UUID, spec: CourseSpec
) -> Course:
    """A new course starts as a draft, visible only to the provider's staff."""
    require_manager(actor, provider_id)
    profile = await _provider_for_update(session, provider_id, field="providerId")
    spec = _checked_course(spec)
    _check_provider_may_offer(profile, spec.route, await today(session))
    course = Course(provider_id=provider_id, status=CourseStatus.DRAFT)
    _apply_course(course, spec)
    session.add(course)
    return await _saved(session, course)


async def _course_for_update(
    session: AsyncSession, actor: Actor, course_id: uuid.UUID, *, field: str = "id"
) -> tuple[Course, ProviderProfile]:
    actor.require_user()
    course = await session.get(Course, course_id, with_for_update=True)
    if course is None:
        raise errors.CourseNotFound(field=field)
    require_manager(actor, course.provider_id)
    profile = await _provider_for_update(session, course.provider_id)
    return course, profile


async def update_course(
    session: AsyncSession, actor: Actor, course_id: uuid.UUID, changes: CourseChanges
) -> Course:
    """A partial update: the changed course must satisfy every rule as a whole, whatever
    its status. Published courses stay published (learners see the change at once)."""
    course, profile = await _course_for_update(session, actor, course_id)
    if course.status is CourseStatus.ARCHIVED:
        raise errors.CourseArchived(field="id")
    spec = _checked_course(replace(_spec_of(course), **changes))
    _check_provider_may_offer(profile, spec.route, await today(session))
    # Online intakes have no location and the others must: the intakes fix the format.
    moves_online = (spec.format is Format.ONLINE) != (course.format is Format.ONLINE)
    if moves_online and await session.scalar(select(exists().where(Intake.course_id == course.id))):
        raise errors.FormatTiedToIntakes(field="format")
    _apply_course(course, spec)
    return await _saved(session, course)


async def publish_course(session: AsyncSession, actor: Actor, course_id: uuid.UUID) -> Course:
    """Make a draft visible to everyone (searchable once it has a bookable intake). The
    provider rules are checked again: a mark may have expired since the draft was saved."""
    course, profile = await _course_for_update(session, actor, course_id)
    if course.status is CourseStatus.ARCHIVED:
        raise errors.CourseArchived(field="id")
    _check_provider_may_offer(profile, course.route, await today(session))
    if course.status is CourseStatus.DRAFT:
        course.status = CourseStatus.PUBLISHED
        course.published_at = func.now()
        await _saved(session, course)
    return course


async def archive_course(session: AsyncSession, actor: Actor, course_id: uuid.UUID) -> Course:
    """Withdraw a course for good: it leaves the listing and can no longer be changed.
    Archiving twice is harmless."""
    course, _ = await _course_for_update(session, actor, course_id)
    if course.status is not CourseStatus.ARCHIVED:
        course.status = CourseStatus.ARCHIVED
        course.archived_at = func.now()
        await _saved(session, course)
    return course


async def find_course(session: AsyncSession, actor: Actor, course_id: uuid.UUID) -> Course | None:
    """A course the actor may see; None for any other, exactly as for an id nothing has,
    so that another provider's drafts do not even show that they exist."""
    return await session.scalar(
        select(Course).where(Course.id == course_id, visible_courses(actor))
    )


@dataclass(frozen=True, slots=True)
class NewestFirst:
    """A page of providers' courses, newest first: its size and the (created, id) of the
    last course already seen. Hashable, so that pages of several providers batch."""

    first: int
    after: tuple[datetime, uuid.UUID] | None = None

    @classmethod
    def of(cls, page: PageRequest) -> NewestFirst:
        """Raises InvalidCursor for a cursor of another listing."""
        return cls(page.first, created_cursor(page.after) if page.after is not None else None)


async def courses_of_providers(
    session: AsyncSession, actor: Actor, provider_ids: Sequence[uuid.UUID], page: NewestFirst
) -> dict[uuid.UUID, Page[Course]]:
    """Each provider's courses the actor may see, newest first: two statements for any
    number of providers (a search page shows twenty)."""
    scope = (Course.provider_id.in_(provider_ids), visible_courses(actor))
    totals: dict[uuid.UUID, int] = {
        provider_id: count
        for provider_id, count in await session.execute(
            select(Course.provider_id, func.count()).where(*scope).group_by(Course.provider_id)
        )
    }
    newest = (Course.created_at.desc(), Course.id.desc())
    position = func.row_number().over(partition_by=Course.provider_id, order_by=newest)
    ranked = select(Course.id, position.label("position")).where(*scope)
    if page.after is not None:
        ranked = ranked.where(tuple_(Course.created_at, Course.id) < tuple_(*page.after))
    window = ranked.subquery()
    rows = await session.scalars(
        select(Course)
        .join(window, window.c.id == Course.id)
        .where(window.c.position <= page.first + 1)
        .order_by(*newest)
    )
    courses: dict[uuid.UUID, list[Course]] = {provider_id: [] for provider_id in provider_ids}
    for course in rows:
        courses[course.provider_id].append(course)
    return {
        provider_id: newest_page(found, page.first, totals.get(provider_id, 0))
        for provider_id, found in courses.items()
    }


# -- intakes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleSlot:
    weekday: int  # ISO: Monday 1 .. Sunday 7
    start: time
    end: time

    def as_json(self) -> dict[str, Any]:
        return {
            "weekday": self.weekday,
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScheduleSlot:
        return cls(
            data["weekday"], time.fromisoformat(data["start"]), time.fromisoformat(data["end"])
        )


def weekly_schedule(stored: Iterable[dict[str, Any]]) -> list[ScheduleSlot]:
    """The slots of an intake's stored weekly_schedule."""
    return [ScheduleSlot.from_json(slot) for slot in stored]


@dataclass(frozen=True, slots=True)
class IntakeSpec:
    seat_capacity: int
    # Exactly one of: a local start date, or continuous intake (start any week).
    starts_on: date | None = None
    continuous: bool = False
    # Required for classroom and blended courses; none for online ones.
    location_id: uuid.UUID | None = None
    weekly_schedule: Sequence[ScheduleSlot] = ()
    waitlist_weeks: int = 0


class IntakeChanges(TypedDict, total=False):
    seat_capacity: int
    starts_on: date | None
    continuous: bool
    location_id: uuid.UUID | None
    weekly_schedule: Sequence[ScheduleSlot]
    waitlist_weeks: int


def _checked_schedule(slots: Sequence[ScheduleSlot]) -> list[ScheduleSlot]:
    if len(slots) > RULES.max_schedule_slots:
        raise errors.TooManyItems(RULES.max_schedule_slots, field="weeklySchedule")
    ordered = sorted(slots, key=lambda s: (s.weekday, s.start))
    for slot in ordered:
        _number(slot.weekday, 1, 7, "weeklySchedule")
        if slot.end <= slot.start:
            raise errors.InvalidWeeklySchedule(field="weeklySchedule")
    for before, after in pairwise(ordered):
        if before.weekday == after.weekday and after.start < before.end:
            raise errors.InvalidWeeklySchedule(field="weeklySchedule")
    return ordered


async def _check_intake(
    session: AsyncSession, course: Course, spec: IntakeSpec
) -> list[ScheduleSlot]:
    _number(spec.seat_capacity, 1, RULES.max_seat_capacity, "seatCapacity")
    _number(spec.waitlist_weeks, 0, RULES.max_waitlist_weeks, "waitlistWeeks")
    if (spec.starts_on is None) != spec.continuous:
        raise errors.StartDateOrContinuous(field="startsOn")
    if course.format is Format.ONLINE:
        if spec.location_id is not None:
            raise errors.LocationNotAllowed(field="locationId")
    elif spec.location_id is None:
        raise errors.LocationRequired(field="locationId")
    else:
        location = await session.get(Location, spec.location_id)
        if location is None:
            raise errors.LocationNotFound(field="locationId")
        if location.provider_id != course.provider_id:
            raise errors.LocationOfAnotherProvider(field="locationId")
    return _checked_schedule(spec.weekly_schedule)


def _apply_intake(intake: Intake, spec: IntakeSpec, slots: list[ScheduleSlot]) -> None:
    intake.seat_capacity = spec.seat_capacity
    intake.starts_on = spec.starts_on
    intake.location_id = spec.location_id
    intake.weekly_schedule = [slot.as_json() for slot in slots]
    intake.waitlist_weeks = spec.waitlist_weeks


def _upcoming(day: Any) -> Any:
    return or_(Intake.starts_on.is_(None), Intake.starts_on >= day)


async def create_intake(
    session: AsyncSession, actor: Actor, course_id: uuid.UUID, spec: IntakeSpec
) -> Intake:
    # The course row lock also serialises concurrent intake creation for the limit below.
    course, _ = await _course_for_update(session, actor, course_id, field="courseId")
    if course.status is CourseStatus.ARCHIVED:
        raise errors.CourseArchived(field="courseId")
    slots = await _check_intake(session, course, spec)
    day = await today(session)
    if spec.starts_on is not None and spec.starts_on < day:
        raise errors.StartDateInPast(field="startsOn")
    upcoming = await session.scalar(
        select(func.count())
        .select_from(Intake)
        .where(Intake.course_id == course_id, _upcoming(day))
    )
    if (upcoming or 0) >= RULES.max_upcoming_intakes:
        raise errors.TooManyIntakes(RULES.max_upcoming_intakes)
    intake = Intake(course_id=course_id, seats_taken=0)
    _apply_intake(intake, spec, slots)
    session.add(intake)
    return await _saved(session, intake)


async def update_intake(
    session: AsyncSession, actor: Actor, intake_id: uuid.UUID, changes: IntakeChanges
) -> Intake:
    """Seats taken are the enrollments' business, never edited here; the intake row is
    locked so a booking cannot slip in between the capacity check and the write."""
    actor.require_user()
    intake = await session.get(Intake, intake_id, with_for_update=True)
    if intake is None:
        raise errors.IntakeNotFound(field="id")
    course, _ = await _course_for_update(session, actor, intake.course_id)
    if course.status is CourseStatus.ARCHIVED:
        raise errors.CourseArchived(field="id")
    current = IntakeSpec(
        seat_capacity=intake.seat_capacity,
        starts_on=intake.starts_on,
        continuous=intake.starts_on is None,
        location_id=intake.location_id,
        weekly_schedule=weekly_schedule(intake.weekly_schedule),
        waitlist_weeks=intake.waitlist_weeks,
    )
    spec = replace(current, **changes)
    slots = await _check_intake(session, course, spec)
    if spec.seat_capacity < intake.seats_taken:
        raise errors.CapacityBelowSeatsTaken(field="seatCapacity")
    moved = spec.starts_on is not None and spec.starts_on != intake.starts_on
    if moved and spec.starts_on < await today(session):  # type: ignore[operator]
        raise errors.StartDateInPast(field="startsOn")
    _apply_intake(intake, spec, slots)
    return await _saved(session, intake)


async def upcoming_intakes(
    session: AsyncSession, course_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Intake]]:
    """The bookable intakes (continuous, or starting today or later) of visible courses,
    soonest first with continuous intake leading (bounded per course by the rules)."""
    rows = await session.scalars(
        select(Intake)
        .where(Intake.course_id.in_(course_ids), _upcoming(local_today()))
        .order_by(Intake.starts_on.asc().nulls_first(), Intake.id)
    )
    grouped: dict[uuid.UUID, list[Intake]] = defaultdict(list)
    for row in rows:
        grouped[row.course_id].append(row)
    return grouped


# --- Booking: what enrollment reads and writes of an intake ------------------------------


@dataclass(frozen=True, slots=True)
class BookableIntake:
    """An intake as a booking sees it, read under the intake's row lock: the terms the
    learner books on (copied onto the enrollment) and the counts enrollment keeps."""

    intake_id: uuid.UUID
    course_id: uuid.UUID
    provider_id: uuid.UUID
    price_cents: int
    cancellation_terms: str
    starts_on: date | None
    seat_capacity: int
    seats_taken: int
    queue_length: int
    # Published and not yet started (continuous intake never has).
    open_for_booking: bool
    # The provider holds a valid, verified Blik op Werk mark today.
    provider_certified: bool
    # The database's clock for the caller's transaction (its start: PostgreSQL's now()).
    now: datetime

    @property
    def free_seats(self) -> int:
        return self.seat_capacity - self.seats_taken


async def lock_for_booking(session: AsyncSession, intake_id: uuid.UUID) -> BookableIntake:
    """The intake, locked until the caller's transaction ends: every change of its seats
    happens under this lock, so holds never outnumber the capacity. One statement, run on
    the session's connection (market.db.driver): a booking is a handful of short
    statements, and SQLAlchemy's execution cost more than each of them."""
    rows = await driver.fetch(
        session, _LOCK_FOR_BOOKING, _LOCK_FOR_BOOKING.arguments({"intake_id": intake_id})
    )
    if not rows:
        raise errors.IntakeNotFound(field="intakeId")
    return BookableIntake(*rows[0])


_LOCK_FOR_BOOKING = driver.Statement.of(
    select(
        Intake.id,
        Course.id,
        Course.provider_id,
        Course.price_cents,
        Course.cancellation_terms,
        Intake.starts_on,
        Intake.seat_capacity,
        Intake.seats_taken,
        Intake.queue_length,
        and_(Course.status == CourseStatus.PUBLISHED, _upcoming(local_today())),
        func.coalesce(certified(local_today()), false()),
        func.now(),
    )
    .join(Course, Course.id == Intake.course_id)
    .join(ProviderProfile, ProviderProfile.organisation_id == Course.provider_id)
    .where(Intake.id == bindparam("intake_id"))
    .with_for_update(of=Intake)
)


async def record_occupancy(
    session: AsyncSession, intake_id: uuid.UUID, *, seats_taken: int, queue_length: int
) -> None:
    """Enrollment's counts for an intake it holds locked (`lock_for_booking`); an unchanged
    count writes nothing, so search refreshes only what moved."""
    counts = {"intake_id": intake_id, "seats_taken": seats_taken, "queue_length": queue_length}
    await driver.fetch(session, _RECORD_OCCUPANCY, _RECORD_OCCUPANCY.arguments(counts))


_RECORD_OCCUPANCY = driver.Statement.of(
    update(Intake)
    .where(
        Intake.id == bindparam("intake_id"),
        tuple_(Intake.seats_taken, Intake.queue_length).is_distinct_from(
            tuple_(bindparam("seats_taken"), bindparam("queue_length"))
        ),
    )
    .values(seats_taken=bindparam("seats_taken"), queue_length=bindparam("queue_length"))
)


async def provider_certified(session: AsyncSession, provider_id: uuid.UUID) -> bool:
    """The provider holds a valid, verified Blik op Werk mark today (False for none)."""
    arguments = _PROVIDER_CERTIFIED.arguments({"provider_id": provider_id})
    rows = await driver.fetch(session, _PROVIDER_CERTIFIED, arguments)
    return bool(rows and rows[0][0])


_PROVIDER_CERTIFIED = driver.Statement.of(
    select(func.coalesce(certified(local_today()), false())).where(
        ProviderProfile.organisation_id == bindparam("provider_id")
    )
)


async def provider_of_intake(session: AsyncSession, intake_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(
        select(Course.provider_id)
        .join(Intake, Intake.course_id == Course.id)
        .where(Intake.id == intake_id)
    )


async def intakes_with_free_seats(
    session: AsyncSession, intake_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Those of the intakes with fewer seats taken than their capacity, in id order."""
    return list(
        (
            await session.scalars(
                select(Intake.id)
                .where(Intake.id.in_(intake_ids), Intake.seats_taken < Intake.seat_capacity)
                .order_by(Intake.id)
            )
        ).all()
    )


async def booked_courses(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Course]:
    """Courses by id whatever their status: what a booking shows of the course it was made
    on (an archived course stays readable to those who booked it)."""
    rows = await session.scalars(select(Course).where(Course.id.in_(ids)))
    return {row.id: row for row in rows}


async def booked_intakes(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Intake]:
    """Intakes by id, for the bookings made on them (as `booked_courses`)."""
    rows = await session.scalars(select(Intake).where(Intake.id.in_(ids)))
    return {row.id: row for row in rows}


# --- Ratings: what the reviews domain keeps on a course -----------------------------------


async def add_ratings(
    session: AsyncSession, course_id: uuid.UUID, *, count: int, total: int
) -> None:
    """Count `count` more visible reviews (fewer when negative) whose ratings sum to `total`
    on the course: one atomic UPDATE, so concurrent reviews of one course all count (each
    waits for the row the one before it wrote). The course's `updated_at` stays: a review
    is no change of the listing. The database refuses a count below zero."""
    await session.execute(
        update(Course)
        .where(Course.id == course_id)
        .values(
            rating_count=Course.rating_count + count,
            rating_sum=Course.rating_sum + total,
            updated_at=Course.updated_at,
        )
        .execution_options(synchronize_session=False)
    )


async def provider_ratings(
    session: AsyncSession, provider_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, RatingSummary]:
    """Each provider's visible reviews over all its courses (one statement for a page)."""
    rows = await session.execute(
        select(Course.provider_id, func.sum(Course.rating_count), func.sum(Course.rating_sum))
        .where(Course.provider_id.in_(provider_ids))
        .group_by(Course.provider_id)
    )
    return {
        provider_id: RatingSummary(int(count or 0), int(total or 0))
        for provider_id, count, total in rows
    }
