"""GraphQL types of the search: light hits around the catalog's Course, and facets.

A hit arrives with everything a result card shows (see market.search.hits), so its fields
resolve without awaiting: no per-hit coroutines or DataLoader batches on a search page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

import strawberry

from market.api.graphql.catalog.types import CONTRACTED_BY, CourseFields, Intake, Provider
from market.api.graphql.geo.types import Municipality
from market.api.graphql.pagination import PageInfo
from market.kernel.i18n import Language
from market.search import criteria
from market.search.labels import facet_label, label_key

FacetField = strawberry.enum(criteria.FacetField, name="CourseFacetField")


@strawberry.type(
    description="A course as a search hit shows it: the catalog's Course, with the provider "
    "it was found with."
)
class HitCourse(CourseFields):
    # A plain field, set when the hit is built from the provider the search read with the
    # course: a search page resolves nothing per hit, and no resolver is passed over.
    provider: Provider
    contracted_by: list[Municipality] = strawberry.field(description=CONTRACTED_BY)

    @classmethod
    def of(
        cls,
        row: criteria.HitCourse,
        provider: Provider,
        contracted_by: Sequence[criteria.ContractingMunicipality],
    ) -> HitCourse:
        return cls(
            **cls.fields_of(row),
            provider=provider,
            contracted_by=[Municipality(**asdict(m)) for m in contracted_by],
        )


@strawberry.type(description="One course found, with what makes it match.")
class CourseHit:
    course: HitCourse
    distance_km: float | None = strawberry.field(
        description="Kilometres to the nearest matching intake's location; null without near."
    )
    expected_start: date = strawberry.field(
        description="When a learner booking today can expect to start at the best matching "
        "intake: its start date (today for continuous intake) when a seat is free, else "
        "later by the provider's declared waitlist weeks (at least one)."
    )
    wait_weeks: int = strawberry.field(
        description="Whole weeks from today to expectedStart, rounded up (0: starts today)."
    )
    matching_intakes: list[Intake] = strawberry.field(
        description="The bookable intakes meeting the place and time filters, best first."
    )

    @classmethod
    def of(cls, hit: criteria.CourseHit, provider: Provider) -> CourseHit:
        return cls(
            course=HitCourse.of(hit.course, provider, hit.contracted_by),
            distance_km=hit.distance_km,
            expected_start=hit.expected_start,
            wait_weeks=hit.wait_weeks,
            matching_intakes=[Intake.of(intake) for intake in hit.matching_intakes],
        )


@strawberry.type
class FacetValue:
    value: str = strawberry.field(
        description="What the matching filter takes: an enum value (B1, EVENING, "
        "FROM_2500_TO_5000, CERTIFIED), a region code (AM18), a municipality code "
        "(GM0363, the facet CONTRACTED_BY) or a language code (ti, the facet "
        "SUPPORT_LANGUAGE)."
    )
    label: str = strawberry.field(
        description="The value's name for people, in the request's language "
        "(Accept-Language: nl, en, ar, tr or ti; Dutch otherwise)."
    )
    label_key: str = strawberry.field(
        description="The stable key of the label (route.B1, price_band.FROM_2500_TO_5000, "
        "region.AM18), for clients that word it themselves."
    )
    count: int

    @classmethod
    def of(
        cls, field: criteria.FacetField, value: criteria.FacetValue, language: Language
    ) -> FacetValue:
        key = label_key(field, value.value)
        return cls(
            value=value.value,
            label=facet_label(key, language, named=value.label),
            label_key=key,
            count=value.count,
        )


@strawberry.type(
    description="Courses per value under every other active filter: the total one would "
    "get by choosing that value instead. Values with a count of zero are left out."
)
class Facet:
    field: FacetField  # type: ignore[valid-type]
    values: list[FacetValue]


@strawberry.type
class CourseSearchConnection:
    nodes: list[CourseHit]
    page_info: PageInfo
    total_count: int
    facets: list[Facet]

    @classmethod
    def of(cls, result: criteria.SearchResult, language: Language) -> CourseSearchConnection:
        page = result.page
        # A provider with several courses on the page is shown from one object.
        providers = {hit.course.provider_id: Provider.of(hit.provider) for hit in page.items}
        return cls(
            nodes=[CourseHit.of(hit, providers[hit.course.provider_id]) for hit in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
            facets=[
                Facet(
                    field=facet.field,
                    values=[FacetValue.of(facet.field, v, language) for v in facet.values],
                )
                for facet in result.facets
            ],
        )
