"""GraphQL types of the search: light hits around the catalog's Course, and facets."""

from __future__ import annotations

import uuid
from datetime import date

import strawberry

from market.api.graphql.catalog import loaders
from market.api.graphql.catalog.types import Course, Intake
from market.api.graphql.context import Info
from market.api.graphql.pagination import PageInfo
from market.search import criteria

FacetField = strawberry.enum(criteria.FacetField, name="CourseFacetField")


@strawberry.type(description="One course found, with what makes it match.")
class CourseHit:
    course: Course
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
    matching_intake_ids: strawberry.Private[tuple[uuid.UUID, ...]]

    @classmethod
    def of(cls, hit: criteria.CourseHit) -> CourseHit:
        return cls(
            course=Course.of(hit.course),
            distance_km=hit.distance_km,
            expected_start=hit.expected_start,
            wait_weeks=hit.wait_weeks,
            matching_intake_ids=hit.matching_intake_ids,
        )

    @strawberry.field(
        description="The bookable intakes meeting the place and time filters, best first."
    )
    async def matching_intakes(self, info: Info) -> list[Intake]:
        rows = await loaders.upcoming_intakes(info).load(self.course.course_id)
        by_id = {row.id: row for row in rows}
        return [Intake.of(by_id[i]) for i in self.matching_intake_ids if i in by_id]


@strawberry.type
class FacetValue:
    value: str = strawberry.field(
        description="What the matching filter takes: an enum value (B1, EVENING, "
        "FROM_2500_TO_5000, CERTIFIED) or a region code (AM18)."
    )
    label: str
    count: int


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
    def of(cls, result: criteria.SearchResult) -> CourseSearchConnection:
        page = result.page
        return cls(
            nodes=[CourseHit.of(hit) for hit in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
            facets=[
                Facet(
                    field=facet.field,
                    values=[
                        FacetValue(value=v.value, label=v.label, count=v.count)
                        for v in facet.values
                    ],
                )
                for facet in result.facets
            ],
        )
