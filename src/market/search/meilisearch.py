"""The course search on Meilisearch: the only module that talks to it (through
meilisearch-python-sdk's AsyncClient).

The index holds one document per bookable intake (see market.search.documents) with
`course_id` as its distinct attribute, so a search answers one hit per course. Settings
(searchable, filterable and sortable attributes, ranking rules, typo tolerance, synonyms,
stop words) are data in the top-level search/ folder, applied by `market search reindex`.

One search is two multi-search requests: the page of hits, the exhaustive total and the
facet counts in the first; the counts of the regions, contracting municipalities and
support languages it found in the second. A facet count
is the total of the same search with the facet's own filters replaced by its value, which
is exactly what the contract asks (and exact under distinct, where Meilisearch's own
facetDistribution would count intakes, not courses).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchApiError
from meilisearch_python_sdk.models.search import SearchParams, SearchResultsWithUID
from meilisearch_python_sdk.models.settings import MeilisearchSettings

from market.catalog import service as catalog
from market.catalog.models import Format, Level, Route, ScheduleKind
from market.db import driver
from market.geo import service as geo
from market.kernel.pagination import Page, PageRequest
from market.search import synonyms
from market.search.backend import next_cursor, offset_of
from market.search.criteria import (
    CERTIFICATION_LABELS,
    FORMAT_LABELS,
    ONLINE_FORMATS,
    PRICE_BAND_LABELS,
    ROUTE_LABELS,
    SCHEDULE_LABELS,
    SUPPORT_LANGUAGE_LABELS,
    Certification,
    CourseSearch,
    Facet,
    FacetField,
    FacetValue,
    PriceBand,
    SearchResult,
    SearchSort,
)
from market.search.documents import CourseDocuments, day_number
from market.search.hits import load_hits

# The alias searches read; `market search reindex` builds `courses_<timestamp>` and swaps.
INDEX = "courses"
SETTINGS_FILE = "index-settings.json"
STOP_WORDS_FILE = "stop_words.txt"
# Index tasks are queued; a writer waits this long for each before giving up (and retrying
# later: the catalog changes stay pending).
TASK_TIMEOUT_MS = 60_000


# -- settings as data ----------------------------------------------------------------------


def read_lines(path: Path) -> list[str]:
    """The meaningful lines of a plain list file: no blanks, no `#` comments."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def synonym_groups(path: Path) -> list[list[str]]:
    """One group of equivalent terms per line, separated by commas, lower-cased."""
    groups = []
    for line in read_lines(path):
        terms = list(dict.fromkeys(t.strip().lower() for t in line.split(",") if t.strip()))
        if len(terms) > 1:
            groups.append(terms)
    return groups


def synonym_map(groups: Iterable[Sequence[str]]) -> dict[str, list[str]]:
    """Meilisearch's synonyms object: every term maps to every other term of its groups
    (multi-way synonyms are listed both ways)."""
    others: dict[str, set[str]] = {}
    for group in groups:
        for term in group:
            others.setdefault(term, set()).update(t for t in group if t != term)
    return {term: sorted(words) for term, words in sorted(others.items())}


def load_settings(config_dir: Path) -> MeilisearchSettings:
    """The index settings kept in `config_dir` (the top-level search/ folder)."""
    data = json.loads((config_dir / SETTINGS_FILE).read_text(encoding="utf-8"))
    data["synonyms"] = synonym_map(synonym_groups(config_dir / synonyms.FILE_NAME))
    data["stopWords"] = read_lines(config_dir / STOP_WORDS_FILE)
    return MeilisearchSettings.model_validate(data)


# -- criteria in Meilisearch's filter and sort syntax --------------------------------------


def quoted(value: str) -> str:
    """A filter value in double quotes, with quotes and backslashes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def one_of(attribute: str, values: Iterable[str]) -> str:
    return f"{attribute} IN [{', '.join(quoted(v) for v in values)}]"


def certified_on(day: int) -> str:
    """A verified mark valid on `day` (documents of unverified marks have no validity)."""
    return f"(certification_valid_from <= {day} AND certification_valid_until >= {day})"


def _expected_start(today: int, *, at_most: int) -> str:
    """The intake's expected start is on or before day `at_most`: a continuous intake
    starts `delay_days` after today, a dated one on its stored expected start."""
    return (
        f"((continuous = true AND delay_days <= {at_most - today})"
        f" OR (continuous = false AND expected_start <= {at_most}))"
    )


@dataclass(frozen=True, slots=True)
class Filters:
    """The conditions of one search: those every query shares, and those each facet owns
    (left out when counting that facet, standard faceted search)."""

    shared: tuple[str, ...]
    owned: dict[FacetField, tuple[str, ...]] = field(default_factory=dict)

    def expression(
        self, *, without: FacetField | None = None, extra: str = ""
    ) -> list[str | list[str]]:
        """Meilisearch's array form: every element must hold."""
        owned = [c for facet, cs in self.owned.items() if facet is not without for c in cs]
        return [*self.shared, *owned, *([extra] if extra else [])]


def filters_for(criteria: CourseSearch, today: int) -> Filters:
    shared = [
        # Bookable: continuous, or starting today or later.
        f"(continuous = true OR starts_on >= {today})",
        # A route's legal requirement on the provider holds at all times.
        f'(route != "z" OR {certified_on(today)})',
        '(route != "onderwijs" OR diploma_recognised = true)',
    ]
    if criteria.municipality_codes:
        shared.append(one_of("municipality_code", criteria.municipality_codes))
    if criteria.near is not None:
        near = criteria.near
        meters = round(near.radius_km * 1000)
        shared.append(f"_geoRadius({near.latitude}, {near.longitude}, {meters})")
    if criteria.min_price_cents is not None:
        shared.append(f"price_cents >= {criteria.min_price_cents}")
    if criteria.max_price_cents is not None:
        shared.append(f"price_cents <= {criteria.max_price_cents}")
    if criteria.max_price_per_hour_cents is not None:
        shared.append(f"price_per_hour_cents <= {criteria.max_price_per_hour_cents}")
    if criteria.max_wait_weeks is not None:
        # Wait in whole weeks rounded up: `wait <= n` is "starts within 7n days".
        shared.append(_expected_start(today, at_most=today + 7 * criteria.max_wait_weeks))
    if criteria.starts_before is not None:
        shared.append(_expected_start(today, at_most=day_number(criteria.starts_before) - 1))

    schedule = []
    if criteria.schedule_kinds:
        schedule.append(one_of("schedule_kinds", (k.value for k in criteria.schedule_kinds)))
    schedule += [
        f"schedule_kinds = {quoted(kind.value)}"
        for kind, wanted in ((ScheduleKind.EVENING, criteria.evening),
                             (ScheduleKind.WEEKEND, criteria.weekend))
        if wanted
    ]  # fmt: skip
    formats = []
    if criteria.formats:
        formats.append(one_of("format", (f.value for f in criteria.formats)))
    if criteria.online:
        formats.append(one_of("format", (f.value for f in ONLINE_FORMATS)))
    owned = {
        FacetField.ROUTE: [one_of("route", (r.value for r in criteria.routes))]
        if criteria.routes
        else [],
        FacetField.LEVEL: [one_of("level", (lv.value for lv in criteria.levels))]
        if criteria.levels
        else [],
        FacetField.REGION: [one_of("region_code", criteria.region_codes)]
        if criteria.region_codes
        else [],
        FacetField.SCHEDULE_KIND: schedule,
        FacetField.FORMAT: formats,
        FacetField.CERTIFICATION: [certified_on(today)] if criteria.certified_only else [],
        FacetField.PRICE_BAND: [one_of("price_band", (b.value for b in criteria.price_bands))]
        if criteria.price_bands
        else [],
        FacetField.CONTRACTED_BY: [f"contracted_by = {quoted(criteria.contracted_by)}"]
        if criteria.contracted_by is not None
        else [],
        # On an array attribute, IN holds when any element is one of the values.
        FacetField.SUPPORT_LANGUAGE: [one_of("support_languages", criteria.support_languages)]
        if criteria.support_languages
        else [],
    }
    return Filters(tuple(shared), {f: tuple(cs) for f, cs in owned.items() if cs})


def sort_for(criteria: CourseSearch) -> list[str] | None:
    """Meilisearch sort rules; the index ranks by them before text relevance (its ranking
    rules start with "sort"), so every order but RELEVANCE with a query is exact. Every
    order ends with the course id, as in PostgreSQL (lower-case UUID text sorts like the
    UUIDs themselves). Under the distinct attribute the best-ranked intake stands for its
    course: the earliest start, the nearest place."""
    by_id = ["course_id:asc"]
    match criteria.sort:
        case SearchSort.RELEVANCE:
            if criteria.query:
                return None  # text relevance decides
            return ["expected_start:asc", "price_cents:asc", *by_id]
        case SearchSort.PRICE:
            return ["price_cents:asc", *by_id]
        case SearchSort.PRICE_PER_HOUR:
            return ["price_per_hour_cents:asc", *by_id]
        case SearchSort.SOONEST_START | SearchSort.SHORTEST_WAIT:
            # The wait in whole weeks only grows with the expected start, so ordering by
            # the start orders by the wait too, and breaks its ties as the contract does.
            return ["expected_start:asc", "price_cents:asc", *by_id]
        case SearchSort.DISTANCE:
            assert criteria.near is not None  # the service refuses DISTANCE without near
            near = criteria.near
            return [f"_geoPoint({near.latitude}, {near.longitude}):asc", *by_id]
        case SearchSort.RATING:
            # The learners' rating score (0 without reviews), then the stars.
            return ["rating_score:desc", "star_rating:desc", *by_id]
    raise AssertionError(criteria.sort)


# -- facets --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FacetOption:
    field: FacetField
    value: str  # as the API names it
    label: str
    condition: str


def _options(
    facet: FacetField, attribute: str, labels: dict[Any, str], members: Iterable[StrEnum]
) -> list[FacetOption]:
    return [
        FacetOption(facet, m.name, labels.get(m, m.name), f"{attribute} = {quoted(m.value)}")
        for m in members
    ]


def fixed_facet_options(today: int) -> list[FacetOption]:
    """Every value of the facets with a fixed set of values, in the contract's order."""
    certification = {
        Certification.CERTIFIED: certified_on(today),
        Certification.UNCERTIFIED: f"NOT {certified_on(today)}",
    }
    return [
        *_options(FacetField.ROUTE, "route", ROUTE_LABELS, Route),
        *_options(FacetField.LEVEL, "level", {lv: lv.name for lv in Level}, Level),
        *_options(FacetField.SCHEDULE_KIND, "schedule_kinds", SCHEDULE_LABELS, ScheduleKind),
        *_options(FacetField.FORMAT, "format", FORMAT_LABELS, Format),
        *(
            FacetOption(FacetField.CERTIFICATION, m.name, CERTIFICATION_LABELS[m], certification[m])
            for m in Certification
        ),
        *_options(FacetField.PRICE_BAND, "price_band", PRICE_BAND_LABELS, PriceBand),
    ]


@dataclass(frozen=True, slots=True)
class FoundFacet:
    """A facet whose values are codes found in the index (the regions, the contracting
    municipalities and the support languages of the matching courses), labelled by their
    names."""

    field: FacetField
    attribute: str
    names: Callable[[driver.Reader, Sequence[str]], Awaitable[dict[str, str]]]

    async def options(
        self, reader: driver.Reader, found: SearchResultsWithUID[Any]
    ) -> list[FacetOption]:
        """The codes the distribution found with courses, by code (each is counted again:
        the distribution counts intakes, not courses)."""
        counts = (found.facet_distribution or {}).get(self.attribute, {})
        names = await self.names(reader, [code for code, n in counts.items() if n > 0])
        return [
            FacetOption(self.field, code, name, f"{self.attribute} = {quoted(code)}")
            for code, name in sorted(names.items())
        ]


async def support_language_names(_: driver.Reader, codes: Sequence[str]) -> dict[str, str]:
    """The languages' labels (market.search.labels), of the codes that have one."""
    return {
        code: SUPPORT_LANGUAGE_LABELS[code] for code in codes if code in SUPPORT_LANGUAGE_LABELS
    }


FOUND_FACETS = (
    FoundFacet(FacetField.REGION, "region_code", geo.region_names),
    FoundFacet(FacetField.CONTRACTED_BY, "contracted_by", geo.municipality_names),
    FoundFacet(FacetField.SUPPORT_LANGUAGE, "support_languages", support_language_names),
)


def facets_from(options: Sequence[FacetOption], counts: Sequence[int]) -> tuple[Facet, ...]:
    """Facets in the contract's field order, values with a count above zero only."""
    values: dict[FacetField, list[FacetValue]] = {f: [] for f in FacetField}
    for option, count in zip(options, counts, strict=True):
        if count > 0:
            values[option.field].append(FacetValue(option.value, option.label, count))
    return tuple(Facet(f, tuple(vs)) for f, vs in values.items())


# -- the engine ----------------------------------------------------------------------------


class MeilisearchSearch:
    """The SearchBackend on Meilisearch, and the writes that keep its index true."""

    def __init__(self, client: AsyncClient, *, index: str = INDEX) -> None:
        self.client = client
        self.index = index

    @classmethod
    def connect(cls, url: str, api_key: str = "", *, index: str = INDEX) -> MeilisearchSearch:
        return cls(AsyncClient(url, api_key or None, timeout=10), index=index)

    async def aclose(self) -> None:
        await self.client.aclose()

    # The search ------------------------------------------------------------------------

    def _query(
        self, criteria: CourseSearch, filter: list[str | list[str]], **params: Any
    ) -> SearchParams:
        return SearchParams(
            index_uid=self.index,
            q=criteria.query,
            filter=filter,
            attributes_to_retrieve=["course_id"],
            # Every word must match, as in PostgreSQL (the default, "last", drops words
            # from the end of the query until enough documents match).
            matching_strategy="all",
            **params,
        )

    def _count(self, criteria: CourseSearch, filter: list[str | list[str]]) -> SearchParams:
        # hitsPerPage 0: no documents, but the exhaustive totalHits.
        return self._query(criteria, filter, hits_per_page=0, page=1)

    async def _search(self, queries: list[SearchParams]) -> list[SearchResultsWithUID[Any]]:
        results = await self.client.multi_search(queries)
        assert isinstance(results, list)  # without federation: one result per query
        return results

    async def search(
        self, reader: driver.Reader, criteria: CourseSearch, page: PageRequest
    ) -> SearchResult:
        offset = offset_of(criteria.sort, page)
        today = day_number(await catalog.today(reader))
        filters = filters_for(criteria, today)
        options = fixed_facet_options(today)
        everything = filters.expression()
        first = await self._search(
            [
                self._query(
                    criteria, everything, offset=offset, limit=page.first, sort=sort_for(criteria)
                ),
                self._count(criteria, everything),
                *(
                    self._query(
                        criteria,
                        filters.expression(without=facet.field),
                        facets=[facet.attribute],
                        hits_per_page=0,
                        page=1,
                    )
                    for facet in FOUND_FACETS
                ),
                *(
                    self._count(criteria, filters.expression(without=o.field, extra=o.condition))
                    for o in options
                ),
            ]
        )
        hits, total, *rest = first
        distributions, counts = rest[: len(FOUND_FACETS)], rest[len(FOUND_FACETS) :]
        found = [
            option
            for facet, distribution in zip(FOUND_FACETS, distributions, strict=True)
            for option in await facet.options(reader, distribution)
        ]
        if found:
            second = await self._search(
                [
                    self._count(
                        criteria,
                        filters.expression(without=option.field, extra=option.condition),
                    )
                    for option in found
                ]
            )
            options += found
            counts += second
        course_ids = [uuid.UUID(hit["course_id"]) for hit in hits.hits]
        total_hits = total.total_hits or 0
        has_next, end = next_cursor(criteria.sort, offset, len(course_ids), total_hits)
        return SearchResult(
            Page(await load_hits(reader, criteria, course_ids), has_next, end, total_hits),
            facets_from(options, [result.total_hits or 0 for result in counts]),
        )

    # Keeping the index true ------------------------------------------------------------

    async def _wait(self, task_uid: int) -> None:
        await self.client.wait_for_task(task_uid, timeout_in_ms=TASK_TIMEOUT_MS,
                                        raise_for_status=True)  # fmt: skip

    async def apply(self, change: CourseDocuments, *, index: str | None = None) -> None:
        """Write the courses' documents and remove what no longer belongs, waiting until
        Meilisearch has processed each task (a failed task raises: the caller keeps its
        catalog changes pending and tries again)."""
        target = self.client.index(index or self.index)
        tasks = []
        if change.documents:
            tasks.append(await target.add_documents(change.documents, primary_key="id"))
        if change.stale_intake_ids:
            tasks.append(await target.delete_documents(change.stale_intake_ids))
        if change.missing_course_ids:
            tasks.append(
                await target.delete_documents_by_filter(
                    one_of("course_id", change.missing_course_ids)
                )
            )
        for task in tasks:
            await self._wait(task.task_uid)

    async def create_index(self, config_dir: Path, *, now: datetime) -> str:
        """A new, empty index with the settings of `config_dir` applied first (Meilisearch
        indexes documents once, with the final settings, when they come after)."""
        settings = load_settings(config_dir)
        uid = f"{self.index}_{now.astimezone(UTC):%Y%m%d%H%M%S}"
        index = await self.client.create_index(uid, "id", timeout_in_ms=TASK_TIMEOUT_MS)
        await self._wait((await index.update_settings(settings)).task_uid)
        return uid

    async def swap_in(self, uid: str) -> None:
        """Make `uid` the live index in one atomic swap, then delete the old one (which
        carries `uid`'s name after the swap)."""
        try:
            await self.client.get_index(self.index)
        except MeilisearchApiError as error:
            if error.code != "index_not_found":
                raise
            # First build: swap with an empty index of the live name.
            await self.client.create_index(self.index, "id", timeout_in_ms=TASK_TIMEOUT_MS)
        await self._wait((await self.client.swap_indexes([(self.index, uid)])).task_uid)
        await self._wait((await self.client.index(uid).delete()).task_uid)
