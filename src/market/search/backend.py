"""The contract every search engine fulfils (PostgreSQL, Meilisearch).

An engine answers one validated `CourseSearch` with one page of hits, the total count and
the facets. Engines page by offset (both engines can; ranks by text relevance have no
stable keyset): the cursor holds the sort and the offset of the next hit, and a cursor of
another sort is refused. An engine that finds ids elsewhere (Meilisearch) turns them into
hits with `market.search.hits.load_hits`, which reads the courses, their providers and
their matching intakes from PostgreSQL in a fixed number of statements, keeping the
engine's order.
"""

from __future__ import annotations

from typing import Protocol

from market.db.driver import Reader
from market.kernel.pagination import InvalidCursor, PageRequest, decode_cursor, encode_cursor
from market.search.criteria import CourseSearch, SearchResult, SearchSort

# Deeper than this nobody reads; it bounds the engines' work (Meilisearch's default
# maxTotalHits is 1000 too).
MAX_OFFSET = 1000


class SearchBackend(Protocol):
    async def search(
        self, reader: Reader, criteria: CourseSearch, page: PageRequest
    ) -> SearchResult:
        """One page of matching courses in the criteria's order, with the total count and
        the facets. `criteria` arrive validated (see market.search.service)."""
        ...


def offset_of(sort: SearchSort, page: PageRequest) -> int:
    """Where the requested page starts; raises InvalidCursor for a foreign cursor."""
    if page.after is None:
        return 0
    offset: int
    sort_value, offset = decode_cursor(page.after, (str, int))
    if sort_value != sort.value or not 0 < offset <= MAX_OFFSET:
        raise InvalidCursor(field="after")
    return offset


def next_cursor(sort: SearchSort, offset: int, shown: int, total: int) -> tuple[bool, str | None]:
    """(has_next_page, end_cursor) of a page of `shown` hits starting at `offset`."""
    end = offset + shown
    has_next = end < total and end < MAX_OFFSET
    return has_next, encode_cursor([sort.value, end]) if shown else None
