"""What a learner asks the course search: the criteria, independent of the engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from market.catalog.models import Level, Route


class SearchSort(StrEnum):
    # Until the full-text engine ranks results, relevance means "newest published first".
    RELEVANCE = "relevance"
    PRICE = "price"


@dataclass(frozen=True, slots=True)
class CourseSearch:
    """A search over published courses with at least one bookable intake.

    Filters narrow together (AND); a list filter matches any of its values (OR). `evening`
    and `weekend` only narrow when true. Region and municipality filters match courses
    with a bookable intake at a location there, so online-only courses match no place.
    """

    query: str | None = None
    routes: Sequence[Route] = field(default_factory=tuple)
    levels: Sequence[Level] = field(default_factory=tuple)
    region_codes: Sequence[str] = field(default_factory=tuple)
    municipality_codes: Sequence[str] = field(default_factory=tuple)
    max_price_cents: int | None = None
    evening: bool = False
    weekend: bool = False
    # False also lists providers without a current mark, except for Z-route courses,
    # which by law exist only at certified providers.
    certified_only: bool = True
    sort: SearchSort = SearchSort.RELEVANCE
