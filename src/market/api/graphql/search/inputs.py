from __future__ import annotations

from datetime import date

import strawberry

from market.api.graphql.catalog.types import Format, Level, Route, ScheduleKind
from market.search import criteria
from market.search.criteria import CourseSearch, SearchSort
from market.search.service import NearPostcode

CourseSort = strawberry.enum(
    SearchSort,
    name="CourseSort",
    description="RELEVANCE: best text match first (matches by word stem before matches by "
    "a similar word), then soonest expected start, then cheapest; PRICE: cheapest first; "
    "PRICE_PER_HOUR: cheapest lesson hour first; SOONEST_START: earliest expected start, "
    "then cheapest; SHORTEST_WAIT: fewest weeks of wait, then earliest start, then "
    "cheapest; DISTANCE: nearest first (needs filter.near); RATING: best learners' rating "
    "first (a Bayesian average: the reviews with 5 imagined ratings of 3, so a few reviews "
    "weigh little), courses without reviews after all reviewed ones, ties by most Blik op "
    "Werk stars. Ties are broken by course id, so pages never skip or repeat.",
)
PriceBand = strawberry.enum(
    criteria.PriceBand,
    name="PriceBand",
    description="All-in price bands in euros: under 2,500; 2,500 to 5,000; 5,000 to 7,500; "
    "7,500 to 10,000; 10,000 and more (above DUO's maximum loan).",
)


@strawberry.input(description="Courses with a bookable intake within radiusKm of a postcode.")
class NearInput:
    postcode: str = strawberry.field(
        description="A Dutch postcode (1011 AB) or its four digits; distances are measured "
        "from the centroid of its four-digit area."
    )
    radius_km: float = strawberry.field(description="At least 0.1, at most 250.")


@strawberry.input(
    description="Filters narrow together; a list matches any of its values; a boolean only "
    "narrows when true. Place and time filters hold for one intake: a course matches when "
    "one of its bookable intakes is at a place asked for (online intakes match no place) and "
    "starts in time."
)
class CourseFilter:
    routes: list[Route] | None = None  # type: ignore[valid-type]
    levels: list[Level] | None = None  # type: ignore[valid-type]
    region_codes: list[str] | None = strawberry.field(
        default=None, description="Labour-market region codes, e.g. AM18."
    )
    municipality_codes: list[str] | None = strawberry.field(
        default=None, description="CBS codes, e.g. GM0363."
    )
    near: NearInput | None = None
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    price_bands: list[PriceBand] | None = None  # type: ignore[valid-type]
    max_price_per_hour_cents: int | None = None
    schedule_kinds: list[ScheduleKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Courses with lessons at any of these times."
    )
    evening: bool | None = strawberry.field(
        default=None, description="true: only courses with evening lessons."
    )
    weekend: bool | None = strawberry.field(
        default=None, description="true: only courses with weekend lessons."
    )
    formats: list[Format] | None = None  # type: ignore[valid-type]
    online: bool | None = strawberry.field(
        default=None,
        description="true: only courses that can be followed (at least partly) online: "
        "format ONLINE or BLENDED.",
    )
    max_wait_weeks: int | None = strawberry.field(
        default=None,
        description="Expected start at most this many weeks from today (see waitWeeks); "
        "5200 (a century) or more: no limit.",
    )
    starts_before: date | None = strawberry.field(
        default=None, description="Expected start before this date."
    )
    certified_only: bool = strawberry.field(
        default=True,
        description="Only providers with a verified Blik op Werk mark valid today (needed "
        "for a DUO loan). Z-route courses always need one.",
    )
    contracted_by: str | None = strawberry.field(
        default=None,
        description="A municipality's CBS code (GM0363): courses of providers holding a "
        "contract with that municipality that runs today (from its start date up to, not "
        "including, its end date; an exercised extension moves the end). Its own facet "
        "(CONTRACTED_BY) keeps counting the other municipalities.",
    )
    support_languages: list[str] | None = strawberry.field(
        default=None,
        description="ISO 639 codes (ar, ti, prs): courses whose teachers or staff speak any "
        "of these languages besides Dutch. Codes from the list the SUPPORT_LANGUAGE facet "
        "names; another is InvalidLanguageCode.",
    )

    def to_criteria(self, query: str | None, sort: SearchSort) -> CourseSearch:
        return CourseSearch(
            query=query,
            routes=tuple(self.routes or ()),
            levels=tuple(self.levels or ()),
            region_codes=tuple(self.region_codes or ()),
            municipality_codes=tuple(self.municipality_codes or ()),
            min_price_cents=self.min_price_cents,
            max_price_cents=self.max_price_cents,
            price_bands=tuple(self.price_bands or ()),
            max_price_per_hour_cents=self.max_price_per_hour_cents,
            schedule_kinds=tuple(self.schedule_kinds or ()),
            evening=bool(self.evening),
            weekend=bool(self.weekend),
            formats=tuple(self.formats or ()),
            online=bool(self.online),
            max_wait_weeks=self.max_wait_weeks,
            starts_before=self.starts_before,
            certified_only=self.certified_only,
            contracted_by=self.contracted_by,
            support_languages=tuple(self.support_languages or ()),
            sort=sort,
        )

    def near_postcode(self) -> NearPostcode | None:
        if self.near is None:
            return None
        return NearPostcode(self.near.postcode, self.near.radius_km)
