from __future__ import annotations

import strawberry

from market.api.graphql.catalog.types import Level, Route
from market.search.criteria import CourseSearch, SearchSort

CourseSort = strawberry.enum(
    SearchSort,
    name="CourseSort",
    description="RELEVANCE: best match (for now newest published first); PRICE: cheapest "
    "first. Ties are broken by course id, so pages never skip or repeat.",
)


@strawberry.input(
    description="Filters narrow together; a list matches any of its values. Places match "
    "courses with a bookable intake at a location there (online courses match no place)."
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
    max_price_cents: int | None = None
    evening: bool | None = strawberry.field(
        default=None, description="true: only courses with evening lessons."
    )
    weekend: bool | None = strawberry.field(
        default=None, description="true: only courses with weekend lessons."
    )
    certified_only: bool = strawberry.field(
        default=True,
        description="Only providers with a verified Blik op Werk mark valid today (needed "
        "for a DUO loan). Z-route courses always need one.",
    )

    def to_criteria(self, query: str | None, sort: SearchSort) -> CourseSearch:
        return CourseSearch(
            query=query,
            routes=tuple(self.routes or ()),
            levels=tuple(self.levels or ()),
            region_codes=tuple(self.region_codes or ()),
            municipality_codes=tuple(self.municipality_codes or ()),
            max_price_cents=self.max_price_cents,
            evening=bool(self.evening),
            weekend=bool(self.weekend),
            certified_only=self.certified_only,
            sort=sort,
        )
