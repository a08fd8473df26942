"""What a learner asks the course search, and what it answers: independent of the engine.

Every engine (market.search.postgres, the Meilisearch backend) takes a `CourseSearch` and
returns a `SearchResult`; one contract test suite holds them to the same answers.

Matching, precisely:
- A course is listed when it is published, its provider may offer its route today (Z-route:
  a valid Blik op Werk mark; Onderwijsroute: a verified diploma recognition), and it has at
  least one *matching intake*.
- An intake is bookable when it is continuous or starts today or later. A matching intake is
  a bookable intake that meets every intake-level filter: the place filters
  (`region_codes`, `municipality_codes`, `near`: its location lies there; intakes without a
  location, online ones, match no place), `max_wait_weeks` and `starts_before` (on its
  expected start, see market.catalog.availability).
- Every other filter is on the course. Filters narrow together (AND); a list filter matches
  any of its values (OR); boolean filters only narrow when true.
- A hit's expected start and wait are those of its best matching intake (the earliest
  expected start, then the shortest wait); its distance (with `near`) is that of the
  nearest matching intake.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from market.catalog.models import (
    Component,
    CourseStatus,
    Format,
    Level,
    Route,
    ScheduleKind,
    Stream,
)
from market.catalog.policies import SUPPORT_LANGUAGES
from market.catalog.service import ProviderView
from market.kernel.i18n import DEFAULT_LANGUAGE
from market.kernel.pagination import Page
from market.search.labels import SUPPORT_LANGUAGE, facet_label, label_key, support_language_label

_Member = TypeVar("_Member", bound=StrEnum)


class SearchSort(StrEnum):
    """Every order ends with the course id, so pages never skip or repeat a course."""

    # With a text query: best text match first. Without: soonest expected start, then
    # cheapest (what a learner without a question most wants to see first).
    RELEVANCE = "relevance"
    PRICE = "price"  # all-in price, cheapest first
    PRICE_PER_HOUR = "price_per_hour"  # price per lesson hour, cheapest first
    SOONEST_START = "soonest_start"  # expected start of the best matching intake
    SHORTEST_WAIT = "shortest_wait"  # whole weeks of wait, then expected start
    DISTANCE = "distance"  # nearest matching intake first; needs `near`
    # Learners' rating (a Bayesian average, market.catalog.ratings), reviewed courses
    # first; then Blik op Werk stars, most first (aspirant and unrated last)
    RATING = "rating"


class PriceBand(StrEnum):
    """All-in price bands in euros; the top band starts at DUO's maximum loan (EUR 10,000)."""

    UNDER_2500 = "under_2500"
    FROM_2500_TO_5000 = "2500_5000"
    FROM_5000_TO_7500 = "5000_7500"
    FROM_7500_TO_10000 = "7500_10000"
    FROM_10000 = "10000_up"


# The lower bound (inclusive) and upper bound (exclusive) of each band in cents.
PRICE_BAND_CENTS: dict[PriceBand, tuple[int, int | None]] = {
    PriceBand.UNDER_2500: (0, 250_000),
    PriceBand.FROM_2500_TO_5000: (250_000, 500_000),
    PriceBand.FROM_5000_TO_7500: (500_000, 750_000),
    PriceBand.FROM_7500_TO_10000: (750_000, 1_000_000),
    PriceBand.FROM_10000: (1_000_000, None),
}


def price_band(price_cents: int) -> PriceBand:
    for band, (low, high) in PRICE_BAND_CENTS.items():
        if price_cents >= low and (high is None or price_cents < high):
            return band
    raise ValueError(price_cents)  # prices are never negative


class Certification(StrEnum):
    """Whether the provider holds a verified Blik op Werk mark valid today."""

    CERTIFIED = "certified"
    UNCERTIFIED = "uncertified"


# Formats a learner can follow (at least partly) online: what `online: true` keeps.
ONLINE_FORMATS = (Format.ONLINE, Format.BLENDED)


@dataclass(frozen=True, slots=True)
class Near:
    """A circle on the map: the service resolves a postcode to its area's centroid."""

    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class CourseSearch:
    query: str | None = None
    routes: Sequence[Route] = field(default_factory=tuple)
    levels: Sequence[Level] = field(default_factory=tuple)
    region_codes: Sequence[str] = field(default_factory=tuple)
    municipality_codes: Sequence[str] = field(default_factory=tuple)
    near: Near | None = None
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    price_bands: Sequence[PriceBand] = field(default_factory=tuple)
    max_price_per_hour_cents: int | None = None
    # Schedule: `schedule_kinds` keeps courses with any of the kinds; `evening` and
    # `weekend` each keep only courses that have that kind (both: courses with both).
    schedule_kinds: Sequence[ScheduleKind] = field(default_factory=tuple)
    evening: bool = False
    weekend: bool = False
    formats: Sequence[Format] = field(default_factory=tuple)
    # True: only formats in ONLINE_FORMATS (online or blended).
    online: bool = False
    # search.service.UNLIMITED_WAIT_WEEKS or more is no limit.
    max_wait_weeks: int | None = None
    # Expected start strictly before this local date.
    starts_before: date | None = None
    # False also lists providers without a current mark, except for Z-route courses,
    # which by law exist only at certified providers.
    certified_only: bool = True
    # A municipality's CBS code: courses whose provider holds a contract with that
    # municipality running today (market.tenders' contracts, starts_on <= today < ends_on).
    contracted_by: str | None = None
    # Courses whose staff speak any of these languages besides Dutch (codes of
    # market.catalog.policies.SUPPORT_LANGUAGES).
    support_languages: Sequence[str] = field(default_factory=tuple)
    sort: SearchSort = SearchSort.RELEVANCE


class FacetField(StrEnum):
    ROUTE = "route"
    LEVEL = "level"
    REGION = "region"
    SCHEDULE_KIND = "schedule_kind"
    FORMAT = "format"
    CERTIFICATION = "certification"
    PRICE_BAND = "price_band"
    CONTRACTED_BY = "contracted_by"
    SUPPORT_LANGUAGE = SUPPORT_LANGUAGE


@dataclass(frozen=True, slots=True)
class FacetValue:
    """`value` is what the matching filter takes, as the API names it: an enum member's
    name (`B1`, `EVENING`, `FROM_2500_TO_5000`, `CERTIFIED`), a region code (`AM18`), a
    municipality code (`GM0363`) or a support language's code (`ti`)."""

    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Facet:
    """Counts of matching courses per value, computed under every active filter except the
    facet's own ones (standard faceted search), so each count is the total one would get by
    choosing that value instead. Only values with a count above zero, in a fixed order
    (the enum's order; regions, municipalities and support languages by code).

    The facet's own filters: ROUTE `routes`; LEVEL `levels`; REGION `region_codes`;
    SCHEDULE_KIND `schedule_kinds`, `evening`, `weekend`; FORMAT `formats`, `online`;
    CERTIFICATION `certified_only`; PRICE_BAND `price_bands`; CONTRACTED_BY `contracted_by`;
    SUPPORT_LANGUAGE `support_languages`.
    """

    field: FacetField
    values: tuple[FacetValue, ...]


@dataclass(frozen=True, slots=True)
class HitCourse:
    """A found course's columns as a result card may show them (market.search.hits reads
    exactly these fields, in this order)."""

    id: uuid.UUID
    provider_id: uuid.UUID
    title: str
    description: str
    route: Route
    target_level: Level
    stream: Stream | None
    components: Sequence[Component]
    total_hours: int
    language_hours: int
    hours_per_week: int
    format: Format
    schedule_kinds: Sequence[ScheduleKind]
    max_class_size: int
    support_languages: Sequence[str]
    price_cents: int
    price_per_hour_cents: int
    price_includes: Sequence[str]
    exam_training_included: bool
    cancellation_terms: str
    status: CourseStatus
    published_at: datetime | None
    # The learners' visible reviews (market.catalog.ratings).
    rating_count: int
    rating_sum: int


@dataclass(frozen=True, slots=True)
class HitIntake:
    """A matching intake's columns (read like HitCourse)."""

    id: uuid.UUID
    location_id: uuid.UUID | None
    starts_on: date | None
    # The stored weekly schedule as JSON text: decoded only when shown (seldom in a list).
    weekly_schedule_json: str
    seat_capacity: int
    seats_taken: int
    waitlist_weeks: int
    queue_length: int

    @property
    def weekly_schedule(self) -> list[dict[str, Any]]:
        """As stored: see market.catalog.service.weekly_schedule."""
        slots: list[dict[str, Any]] = json.loads(self.weekly_schedule_json)
        return slots


@dataclass(frozen=True, slots=True)
class ContractingMunicipality:
    """A municipality under whose contract a found course's provider works today."""

    code: str
    name: str
    province: str
    region_code: str
    population: int
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class CourseHit:
    course: HitCourse
    provider: ProviderView
    # Kilometres to the nearest matching intake's location; None without `near`.
    distance_km: float | None
    expected_start: date
    wait_weeks: int
    # The matching intakes, best first (earliest expected start, then id).
    matching_intakes: tuple[HitIntake, ...]
    # The municipalities contracting the course's provider today, by code (its badge).
    contracted_by: tuple[ContractingMunicipality, ...] = ()

    @property
    def matching_intake_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(intake.id for intake in self.matching_intakes)


@dataclass(frozen=True, slots=True)
class SearchResult:
    page: Page[CourseHit]
    facets: tuple[Facet, ...]


# The default language's labels, which the backends put on facet values; the API answers
# them in the request's language, from the same catalog (search/labels.py).
def _labels(field: FacetField, members: Iterable[_Member]) -> dict[_Member, str]:
    return {
        m: facet_label(label_key(field, m.name), DEFAULT_LANGUAGE, named=m.name) for m in members
    }


ROUTE_LABELS = _labels(FacetField.ROUTE, Route)
SCHEDULE_LABELS = _labels(FacetField.SCHEDULE_KIND, ScheduleKind)
FORMAT_LABELS = _labels(FacetField.FORMAT, Format)
CERTIFICATION_LABELS = _labels(FacetField.CERTIFICATION, Certification)
PRICE_BAND_LABELS = _labels(FacetField.PRICE_BAND, PriceBand)
SUPPORT_LANGUAGE_LABELS = {
    code: support_language_label(code, DEFAULT_LANGUAGE) for code in SUPPORT_LANGUAGES
}
