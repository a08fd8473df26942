"""The course search in PostgreSQL: one statement for the page, the total and every facet.

It reads `search_courses` (migration 0006_search), which triggers keep true in the same
transaction as every catalog write, so there is no lag. Each row carries the course's
filter attributes and a summary of its bookable intakes; a row is checked against the
intakes themselves (`search_course_match`) only where the summary cannot answer exactly:
a municipality or `near` filter, a summary gone stale (a dated intake in it has started),
or intakes in several regions under a region or time filter.

The statement, in steps:
1. `candidates`: rows passing the filters no facet owns (text, prices, place prefilters),
   with the exact intake-level answers where needed;
2. `scored`: each facet's own filter as a flag; rows failing two or more can count for no
   facet and are dropped;
3. the page (all flags), the total, and per facet a count under all flags but its own.
Facets with many values per course (regions, schedule kinds) are grouped on their bit
masks first and spread over values after, so each facet is one small aggregate.
"""

from __future__ import annotations

import math

from sqlalchemy import ARRAY, BigInteger, Text, text
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Format, Level, Route, ScheduleKind
from market.kernel.pagination import Page, PageRequest
from market.search import hits, synonyms
from market.search.backend import next_cursor, offset_of
from market.search.criteria import (
    CERTIFICATION_LABELS,
    FORMAT_LABELS,
    ONLINE_FORMATS,
    PRICE_BAND_CENTS,
    PRICE_BAND_LABELS,
    ROUTE_LABELS,
    SCHEDULE_LABELS,
    Certification,
    CourseSearch,
    Facet,
    FacetField,
    FacetValue,
    PriceBand,
    SearchResult,
    SearchSort,
)
from market.search.hits import TODAY, IntakeFilters, Params

KIND_BITS = {ScheduleKind.DAYTIME: 1, ScheduleKind.EVENING: 2, ScheduleKind.WEEKEND: 4}
BAND_WIDTH_CENTS = 250_000  # every band but the last is this wide (criteria.PRICE_BANDS)
BANDS = list(PriceBand)
FACET_FLAGS = {
    FacetField.ROUTE: "f_route",
    FacetField.LEVEL: "f_level",
    FacetField.REGION: "f_region",
    FacetField.SCHEDULE_KIND: "f_kind",
    FacetField.FORMAT: "f_format",
    FacetField.CERTIFICATION: "f_cert",
    FacetField.PRICE_BAND: "f_band",
}
# The column each facet groups on; REGION and SCHEDULE_KIND are bit masks, spread after.
GROUPED = {
    FacetField.ROUTE: "route",
    FacetField.LEVEL: "level",
    FacetField.FORMAT: "format",
    FacetField.CERTIFICATION: "certified",
    FacetField.PRICE_BAND: "band",
    FacetField.REGION: "region_facet",
    FacetField.SCHEDULE_KIND: "kinds",
}

assert all(
    low == index * BAND_WIDTH_CENTS for index, (low, _) in enumerate(PRICE_BAND_CENTS.values())
)


class PostgresSearch:
    async def search(
        self, session: AsyncSession, criteria: CourseSearch, page: PageRequest
    ) -> SearchResult:
        offset = offset_of(criteria.sort, page)
        sql = Params()
        statement = text(_query(criteria, sql, offset, page.first)).bindparams(*sql.values.values())
        rows = (await session.execute(statement)).all()
        ids = [row.course_id for row in rows if row.kind == "hit"]
        total = next((row.n for row in rows if row.kind == "total"), 0)
        counts: dict[str, dict[str, int]] = {}
        labels: dict[str, str] = {}
        for row in rows:
            if row.kind not in ("hit", "total"):
                counts.setdefault(row.kind, {})[row.value] = row.n
                if row.label is not None:
                    labels[row.value] = row.label
        found = await hits.load_hits(session, criteria, ids)
        has_next, end = next_cursor(criteria.sort, offset, len(found), total)
        return SearchResult(
            Page(found, has_next, end, total),
            _facets(counts, labels),
        )


def _query(criteria: CourseSearch, sql: Params, offset: int, first: int) -> str:
    intake = IntakeFilters.of(criteria)
    exact = _needs_exact(criteria, intake)
    match_args = intake.arguments(sql)
    text_join, text_conditions, rank = _text(criteria, sql)
    best_simple = f"least({TODAY} + s.continuous_delay_days, s.dated_best_start)"
    simple_time_ok = f"{best_simple} <= {intake.latest_start(sql)}" if intake.has_time else "true"
    simple_in_region = "true"
    if intake.regions:
        simple_in_region = f"s.region_mask & {sql.bind('rbits', intake.regions, BigInteger)} <> 0"
    conditions = [*_course_conditions(criteria, sql), *text_conditions]
    candidates = f"""
    SELECT s.course_id, s.route, s.level, s.format, s.kinds, s.price_cents,
           s.price_per_hour_cents, s.stars, s.diploma_recognised,
           coalesce(s.certified_from <= {TODAY} AND s.certified_until >= {TODAY}, false)
               AS certified,
           least(s.price_cents / {BAND_WIDTH_CENTS}, {len(BANDS) - 1}) AS band,
           s.has_intake, s.region_mask, {simple_time_ok} AS simple_time_ok,
           {simple_in_region} AS simple_in_region, {best_simple} AS simple_best,
           CASE WHEN {exact} THEN search_course_match(s.course_id, {TODAY}, {match_args})
           END AS m,
           {rank} AS rank
    FROM search_courses s {text_join}
    WHERE {" AND ".join(conditions) or "true"}
    OFFSET 0"""  # noqa: S608 (fixed fragments; every value is bound)
    flags = _flags(criteria, sql)
    names = list(FACET_FLAGS.values())
    others = {name: " AND ".join(other for other in names if other != name) for name in names}
    order = _order(criteria.sort, bool(criteria.query))
    keys = ", ".join(
        f"({GROUPED[facet]}, {FACET_FLAGS[facet].replace('f_', 'o_')})" for facet in FacetField
    )
    which = " ".join(
        f"WHEN grouping({GROUPED[facet]}) = 0 THEN '{facet.value}'" for facet in FacetField
    )
    values = ", ".join(f"{GROUPED[facet]}::text" for facet in FacetField)
    oks = ", ".join(FACET_FLAGS[facet].replace("f_", "o_") for facet in FacetField)
    return f"""
WITH candidates AS ({candidates}
), resolved AS (
    -- The exact answers unpacked; the record itself goes no further.
    SELECT c.course_id, c.route, c.level, c.format, c.kinds, c.price_cents,
           c.price_per_hour_cents, c.stars, c.diploma_recognised, c.certified, c.band, c.rank,
           CASE WHEN c.m IS NULL THEN c.has_intake AND c.simple_time_ok AND c.simple_in_region
                ELSE (c.m).matched END AS matched,
           CASE WHEN c.m IS NULL THEN c.has_intake AND c.simple_time_ok
                ELSE (c.m).available END AS available,
           CASE WHEN c.m IS NULL THEN
                    CASE WHEN c.has_intake AND c.simple_time_ok THEN c.region_mask ELSE 0 END
                ELSE (c.m).region_mask END AS region_facet,
           CASE WHEN c.m IS NULL THEN c.simple_best ELSE (c.m).best_start END AS best_start,
           (c.m).distance_km AS distance_km
    FROM candidates c
), flagged AS (
    SELECT r.*, {", ".join(f"{expression} AS {name}" for name, expression in flags.items())}
    FROM resolved r
    WHERE r.available
      AND (r.route <> 'z' OR r.certified)
      AND (r.route <> 'onderwijs' OR r.diploma_recognised)
), kept AS MATERIALIZED (
    -- Rows failing two facets' filters count for no facet.
    SELECT course_id, route, level, format, kinds, price_cents, price_per_hour_cents, stars,
           certified, band, rank, region_facet, best_start, distance_km,
           {" AND ".join(names)} AS all_ok,
           {", ".join(f"{others[name]} AS {name.replace('f_', 'o_')}" for name in names)}
    FROM flagged
    WHERE {" + ".join(f"(NOT {name})::int" for name in names)} <= 1
), counted AS (
    -- Every facet in one pass: a grouping set per facet, keyed also on whether the row
    -- meets the other facets' filters.
    SELECT CASE {which} END AS facet, coalesce({values}) AS value,
           count(*) AS n, count(*) FILTER (WHERE all_ok) AS hits
    FROM kept
    GROUP BY GROUPING SETS ({keys})
    HAVING coalesce({oks})
)
SELECT 'hit' AS kind, p.course_id, NULL::text AS value, NULL::text AS label, NULL::bigint AS n
FROM (SELECT course_id FROM kept WHERE all_ok
      ORDER BY {order} LIMIT {int(first)} OFFSET {int(offset)}) p
UNION ALL
SELECT 'total', NULL, NULL, NULL, coalesce(sum(hits), 0)::bigint FROM counted WHERE facet = 'route'
UNION ALL
SELECT facet, NULL, value, NULL, n FROM counted WHERE facet <> 'region'
UNION ALL
-- Region masks spread over the regions' bits.
SELECT 'region', NULL, lmr.code, lmr.name, sum(c.n)::bigint
FROM counted c
JOIN labour_market_regions lmr ON c.value::bigint & (1::bigint << substr(lmr.code, 3)::int) <> 0
WHERE c.facet = 'region'
GROUP BY lmr.code, lmr.name
"""  # noqa: S608


def _needs_exact(criteria: CourseSearch, intake: IntakeFilters) -> str:
    """When a row's summary cannot answer the intake-level filters exactly."""
    fresh = f"(s.summary_until IS NULL OR s.summary_until >= {TODAY})"
    if criteria.near is not None or criteria.municipality_codes:
        return "true"
    if intake.regions or intake.has_time:
        return f"NOT ({fresh} AND s.uniform_region)"
    return f"NOT {fresh}"


def _course_conditions(criteria: CourseSearch, sql: Params) -> list[str]:
    """Filters no facet owns, on the course row (and prefilters of intake-level ones)."""
    conditions = []
    if criteria.min_price_cents is not None:
        conditions.append(f"s.price_cents >= {sql.bind('min_price', criteria.min_price_cents)}")
    if criteria.max_price_cents is not None:
        conditions.append(f"s.price_cents <= {sql.bind('max_price', criteria.max_price_cents)}")
    if criteria.max_price_per_hour_cents is not None:
        limit = sql.bind("max_pph", criteria.max_price_per_hour_cents)
        conditions.append(f"s.price_per_hour_cents <= {limit}")
    if criteria.municipality_codes:
        codes = sql.bind("munis_prefilter", list(criteria.municipality_codes), ARRAY(Text))
        conditions.append(f"s.municipality_codes && {codes}")
    if criteria.near is not None:
        # The circle's bounding box: a degree of latitude is 111.2 km everywhere, one of
        # longitude shrinks with the cosine of the latitude (taken at the box's edge
        # nearest the pole, so the box holds the whole circle).
        near = criteria.near
        dlat = near.radius_km / 111.19
        pole_lat = min(abs(near.latitude) + dlat, 89.0)
        dlon = near.radius_km / (111.19 * math.cos(math.radians(pole_lat)))
        box = sql.bind(
            "near_box",
            f"(({near.longitude - dlon},{near.latitude - dlat}),"
            f"({near.longitude + dlon},{near.latitude + dlat}))",
            Text,
        )
        conditions.append(f"s.area && CAST({box} AS box)")
    if criteria.contracted_by is not None:
        # No contracts exist yet: the filter validly matches nothing until tenders feed a
        # contract table (municipality code, course id) this condition will read.
        conditions.append("false")
    return conditions


def _text(criteria: CourseSearch, sql: Params) -> tuple[str, list[str], str]:
    """(join, conditions, rank): Dutch stemming on accent-free words, synonyms from
    search/synonyms.txt, and trigram similarity on title and provider name for typos."""
    if not criteria.query:
        return "", [], "0::real"
    clauses = synonyms.expand(criteria.query)
    if not clauses:
        return "", ["false"], "0::real"
    parts = []
    for i, clause in enumerate(clauses):
        alternatives = [
            f"phraseto_tsquery('dutch_unaccent', {sql.bind(f'q{i}_{j}', phrase, Text)})"
            for j, phrase in enumerate(clause)
        ]
        parts.append("(" + " || ".join(alternatives) + ")")
    tsquery = " && ".join(parts)
    plain = sql.bind("q", " ".join(synonyms.words(criteria.query)), Text)
    join = "JOIN search_course_texts t ON t.course_id = s.course_id"
    condition = f"(t.document @@ ({tsquery}) OR {plain} <% t.names)"
    rank = (
        f"CASE WHEN t.document @@ ({tsquery}) THEN 1 + ts_rank(t.document, {tsquery}) "
        f"ELSE word_similarity({plain}, t.names) END"
    )
    return join, [condition], rank


def _flags(criteria: CourseSearch, sql: Params) -> dict[str, str]:
    """Each facet's own filters as one boolean column ('true' when it has none)."""
    flags = {name: "true" for name in FACET_FLAGS.values()}
    if criteria.routes:
        routes = sql.bind("routes", [r.value for r in criteria.routes], ARRAY(Text))
        flags["f_route"] = f"r.route = ANY ({routes})"
    if criteria.levels:
        levels = sql.bind("levels", [v.value for v in criteria.levels], ARRAY(Text))
        flags["f_level"] = f"r.level = ANY ({levels})"
    if criteria.region_codes:
        flags["f_region"] = "r.matched"
    kind_conditions = []
    if criteria.schedule_kinds:
        any_of = sum(KIND_BITS[kind] for kind in criteria.schedule_kinds)
        kind_conditions.append(f"r.kinds & {any_of} <> 0")
    every = (KIND_BITS[ScheduleKind.EVENING] if criteria.evening else 0) | (
        KIND_BITS[ScheduleKind.WEEKEND] if criteria.weekend else 0
    )
    if every:
        kind_conditions.append(f"r.kinds & {every} = {every}")
    if kind_conditions:
        flags["f_kind"] = " AND ".join(kind_conditions)
    format_conditions = []
    if criteria.formats:
        formats = sql.bind("formats", [f.value for f in criteria.formats], ARRAY(Text))
        format_conditions.append(f"r.format = ANY ({formats})")
    if criteria.online:
        online = sql.bind("online", [f.value for f in ONLINE_FORMATS], ARRAY(Text))
        format_conditions.append(f"r.format = ANY ({online})")
    if format_conditions:
        flags["f_format"] = " AND ".join(format_conditions)
    if criteria.certified_only:
        flags["f_cert"] = "r.certified"
    if criteria.price_bands:
        bands = ", ".join(str(BANDS.index(band)) for band in criteria.price_bands)
        flags["f_band"] = f"r.band IN ({bands})"
    return flags


def _order(sort: SearchSort, has_query: bool) -> str:
    by_id = "course_id"
    if sort is SearchSort.RELEVANCE:
        if has_query:
            return f"rank DESC, {by_id}"
        return f"best_start, price_cents, {by_id}"
    return {
        SearchSort.PRICE: f"price_cents, {by_id}",
        SearchSort.PRICE_PER_HOUR: f"price_per_hour_cents, {by_id}",
        SearchSort.SOONEST_START: f"best_start, {by_id}",
        SearchSort.SHORTEST_WAIT: f"(best_start - {TODAY} + 6) / 7, best_start, {by_id}",
        SearchSort.DISTANCE: f"distance_km, {by_id}",
        SearchSort.RATING: f"stars DESC NULLS LAST, {by_id}",
    }[sort]


def _facets(counts: dict[str, dict[str, int]], labels: dict[str, str]) -> tuple[Facet, ...]:
    """The raw groups as facet values in a fixed order, labelled, zero counts left out."""

    def spread(groups: dict[str, int], bits: dict[int, str]) -> dict[str, int]:
        totals: dict[str, int] = {}
        for mask, n in groups.items():
            for bit, value in bits.items():
                if int(mask) & (1 << bit):
                    totals[value] = totals.get(value, 0) + n
        return totals

    def values(pairs: list[tuple[str, str, int]]) -> tuple[FacetValue, ...]:
        return tuple(FacetValue(value, label, n) for value, label, n in pairs if n > 0)

    route = counts.get(FacetField.ROUTE.value, {})
    level = counts.get(FacetField.LEVEL.value, {})
    fmt = counts.get(FacetField.FORMAT.value, {})
    cert = counts.get(FacetField.CERTIFICATION.value, {})
    band = counts.get(FacetField.PRICE_BAND.value, {})
    kinds = spread(
        counts.get(FacetField.SCHEDULE_KIND.value, {}),
        {bit.bit_length() - 1: kind.value for kind, bit in KIND_BITS.items()},
    )
    regions = counts.get(FacetField.REGION.value, {})
    certified = {Certification.CERTIFIED: "true", Certification.UNCERTIFIED: "false"}
    return (
        Facet(
            FacetField.ROUTE,
            values([(r.name, ROUTE_LABELS[r], route.get(r.value, 0)) for r in Route]),
        ),
        Facet(FacetField.LEVEL, values([(v.name, v.name, level.get(v.value, 0)) for v in Level])),
        Facet(
            FacetField.REGION,
            values([(code, labels[code], regions[code]) for code in sorted(regions)]),
        ),
        Facet(
            FacetField.SCHEDULE_KIND,
            values([(k.name, SCHEDULE_LABELS[k], kinds.get(k.value, 0)) for k in ScheduleKind]),
        ),
        Facet(
            FacetField.FORMAT,
            values([(f.name, FORMAT_LABELS[f], fmt.get(f.value, 0)) for f in Format]),
        ),
        Facet(
            FacetField.CERTIFICATION,
            values(
                [
                    (c.name, CERTIFICATION_LABELS[c], cert.get(certified[c], 0))
                    for c in Certification
                ]
            ),
        ),
        Facet(
            FacetField.PRICE_BAND,
            values(
                [(b.name, PRICE_BAND_LABELS[b], band.get(str(i), 0)) for i, b in enumerate(BANDS)]
            ),
        ),
    )
