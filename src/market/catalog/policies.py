"""Catalog rules in one place: the configurable figures, who may manage what, who sees what."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Date, and_, cast, false, func, or_, true

from market.catalog.errors import InvalidLanguageCode, NotProviderStaff
from market.catalog.models import Course, CourseStatus, ProviderProfile
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor

# Intake dates and certification periods are local dates in the Netherlands.
TIMEZONE = "Europe/Amsterdam"

# Roles of a provider's staff that may edit its profile, locations, courses and intakes.
CATALOG_ROLES = frozenset({Role.OWNER, Role.EDITOR})


@dataclass(frozen=True, slots=True)
class CatalogRules:
    """Figures from the law (DOMAIN.md) and sanity bounds; change them here only."""

    z_route_min_language_hours: int = 800
    max_title_length: int = 150
    max_name_length: int = 120
    max_address_length: int = 200
    max_description_length: int = 5000
    max_terms_length: int = 2000
    max_website_length: int = 300
    max_total_hours: int = 5000
    max_hours_per_week: int = 40
    max_class_size: int = 100
    # EUR 50,000: far above any real course; catches a price typed in cents twice.
    max_price_cents: int = 5_000_000
    max_list_items: int = 20
    # Languages a course's staff speak besides Dutch (SUPPORT_LANGUAGES): a school that
    # claims more is listing its city, not its teachers.
    max_support_languages: int = 8
    max_price_include_length: int = 100
    max_seat_capacity: int = 500
    max_waitlist_weeks: int = 104
    max_schedule_slots: int = 14
    max_locations_per_provider: int = 100
    # Upcoming (bookable) intakes per course; keeps a course's intake list small enough to
    # return whole.
    max_upcoming_intakes: int = 60
    # compareCourses sets 2 to 4 courses side by side.
    min_compared_courses: int = 2
    max_compared_courses: int = 4
    # DUO's maximum civic-integration loan (EUR 10,000); a learner's remaining loan above
    # it is a typing mistake.
    duo_max_loan_cents: int = 1_000_000


RULES = CatalogRules()

# The support languages a course may declare (languages its teachers or staff speak besides
# Dutch): the languages of the larger groups of newcomers and family migrants in the
# Netherlands, as lower-case ISO 639-1 codes, or ISO 639-3 where a language has no 639-1
# code (prs Dari, rif Tarifit). Farsi is fa; Dari (Afghanistan) is listed apart, as
# learners look for it by that name; Kurdish (ku) covers Kurmanji and Sorani. Search
# filters and facets by these codes, labelled in market.search.labels.
SUPPORT_LANGUAGES = (
    "am",  # Amharic
    "ar",  # Arabic
    "bg",  # Bulgarian
    "en",  # English
    "es",  # Spanish
    "fa",  # Persian (Farsi)
    "fr",  # French
    "hi",  # Hindi
    "ku",  # Kurdish
    "pl",  # Polish
    "prs",  # Dari
    "ps",  # Pashto
    "pt",  # Portuguese
    "rif",  # Tarifit (Riffian Berber)
    "ro",  # Romanian
    "ru",  # Russian
    "so",  # Somali
    "ti",  # Tigrinya
    "tr",  # Turkish
    "uk",  # Ukrainian
    "ur",  # Urdu
    "zh",  # Chinese
)
_SUPPORT_LANGUAGE_SET = frozenset(SUPPORT_LANGUAGES)


def support_languages(codes: Iterable[str], *, field: str = "supportLanguages") -> list[str]:
    """The codes trimmed, lower-cased and with duplicates collapsed (first one kept), or
    InvalidLanguageCode when one is not in SUPPORT_LANGUAGES."""
    normalised = list(dict.fromkeys(code.strip().lower() for code in codes))
    if not _SUPPORT_LANGUAGE_SET.issuperset(normalised):
        raise InvalidLanguageCode(field=field)
    return normalised


# Rough bounding box of the Netherlands (incl. the Wadden islands and south Limburg).
NL_LATITUDE = (50.70, 53.60)
NL_LONGITUDE = (3.30, 7.25)


def local_today() -> ColumnElement[date]:
    """Today in the Netherlands by the database clock (deadlines never use the app's)."""
    return cast(func.timezone(TIMEZONE, func.now()), Date)


def managed_providers(actor: Actor) -> frozenset[uuid.UUID]:
    return actor.organisations(OrganisationKind.PROVIDER, CATALOG_ROLES)


def may_manage(actor: Actor, provider_id: uuid.UUID) -> bool:
    return actor.is_platform_admin or provider_id in managed_providers(actor)


def require_manager(actor: Actor, provider_id: uuid.UUID) -> None:
    actor.require_user()
    if not may_manage(actor, provider_id):
        raise NotProviderStaff()


def visible_courses(actor: Actor) -> ColumnElement[bool]:
    """Published courses for everyone; drafts and archived ones for their own staff."""
    if actor.is_platform_admin:
        return true()
    managed = managed_providers(actor)
    own = Course.provider_id.in_(managed) if managed else false()
    return or_(Course.status == CourseStatus.PUBLISHED, own)


def certified(day: ColumnElement[date]) -> ColumnElement[bool]:
    """The provider holds a verified Blik op Werk mark valid on `day` (SQL twin of
    ProviderProfile.is_certified_on)."""
    return and_(
        ProviderProfile.certification_verified_at.is_not(None),
        ProviderProfile.certification_valid_from <= day,
        ProviderProfile.certification_valid_until >= day,
    )


def diploma_recognised() -> ColumnElement[bool]:
    return and_(
        ProviderProfile.diploma_recognition_claimed.is_(True),
        ProviderProfile.diploma_recognition_verified_at.is_not(None),
    )
