"""The course search in PostgreSQL: one statement for the page, the total and every facet.

It reads `search_courses` and `search_intakes` (migration 0006_search), which triggers keep
true in the same transaction as every catalog write, so there is no lag. Each course row
carries its filter attributes as small codes and a summary of its bookable intakes; the
intakes themselves (`exact`, one set-based aggregate) answer only where the summary cannot:
under a municipality or `near` filter (found by index on the intakes' places), for a
summary gone stale (a dated intake in it has started), or for intakes in several regions
under a region or time filter.

The statement, in steps:
1. `matching`: rows passing the filters no facet owns (text, prices, the intake-level
   filters but the region), each with its facet keys and the page's sort keys;
2. `grouped`: rows alike in every facet key counted once, each facet's own filter a flag
   on the group (a few thousand groups at most, however many rows match);
3. the page (all flags), the total, and per facet a sum under all flags but its own.
Facets with many values per course (regions, schedule kinds) are grouped on their bit
masks and spread over values after.
"""

from __future__ import annotations

import math

from sqlalchemy import ARRAY, BigInteger, Float, Text, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

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
from market.search.hits import TODAY, TODAY_EXPRESSION, IntakeFilters, Params

KIND_BITS = {ScheduleKind.DAYTIME: 1, ScheduleKind.EVENING: 2, ScheduleKind.WEEKEND: 4}
# The small codes search_courses stores instead of the enums' text (migration 0006_search).
ROUTE_CODES = {Route.B1: 1, Route.ONDERWIJS: 2, Route.Z: 3}
LEVEL_CODES = {Level.A1: 1, Level.A2: 2, Level.B1: 3, Level.B2: 4}
FORMAT_CODES = {Format.CLASSROOM: 1, Format.ONLINE: 2, Format.BLENDED: 3}
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
# What the facet filters read: every facet count is a sum over groups of rows alike in these.
FACET_KEYS = "route, level, format, kinds, band, certified, matched, region_facet"
# The sort keys a page's order reads, besides the course id.
SORT_COLUMNS = {
    SearchSort.RELEVANCE: ("best_start", "price_cents"),
    SearchSort.PRICE: ("price_cents",),
    SearchSort.PRICE_PER_HOUR: ("price_per_hour_cents",),
    SearchSort.SOONEST_START: ("best_start",),
    SearchSort.SHORTEST_WAIT: ("best_start",),
    SearchSort.DISTANCE: ("distance_km",),
    SearchSort.RATING: ("stars",),
}

assert all(
    low == index * BAND_WIDTH_CENTS for index, (low, _) in enumerate(PRICE_BAND_CENTS.values())
)


SEARCH_TABLES = ("search_courses", "search_intakes", "search_course_texts", "search_words")


async def refresh_stale(session: AsyncSession) -> int:
    """Re-summarise the courses whose summary a new day made stale (a dated intake in it has
    started); until then searches answer those rows the slower, exact way."""
    return int(await session.scalar(text("SELECT search_refresh_stale()")) or 0)


async def compact(engine: AsyncEngine) -> None:
    """After a bulk load: the triggers insert and then update each search row, leaving the
    tables several times their size. Rewrite them and refresh the planner's statistics."""
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text(f"VACUUM (FULL, ANALYZE) {', '.join(SEARCH_TABLES)}"))
        await autocommit.execute(text("ANALYZE"))


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
    place = criteria.near is not None or bool(criteria.municipality_codes)
    words_cte, text_join, text_conditions, rank = _text(criteria, sql)
    certified = f"coalesce(s.certified_from <= {TODAY} AND s.certified_until >= {TODAY}, false)"
    common = [
        *_course_conditions(criteria, sql),
        *text_conditions,
        f"(s.route <> {ROUTE_CODES[Route.Z]} OR {certified})",
        f"(s.route <> {ROUTE_CODES[Route.ONDERWIJS]} OR s.diploma_recognised)",
    ]

    def rows(source: str, conditions: list[str], answers: dict[str, str]) -> str:
        """Matching rows of one source, with what the facets and the page read."""
        columns = {
            "price_cents": "s.price_cents",
            "price_per_hour_cents": "s.price_per_hour_cents",
            "stars": "s.stars",
            **answers,
        }
        sort_columns = "".join(
            f", {columns[column]} AS {column}" for column in SORT_COLUMNS[criteria.sort]
        )
        return f"""
    SELECT s.course_id, s.route, s.level, s.format, s.kinds, s.band, {certified} AS certified,
           {columns["matched"]} AS matched, {columns["region_facet"]} AS region_facet
           {sort_columns}{rank}
    FROM {source} {text_join}
    WHERE {" AND ".join([*conditions, *common])}"""  # noqa: S608

    # The exact answers, from the intakes: every row under a place filter (only intakes in
    # the place can match), else the rows whose summary cannot answer.
    exact_rows = rows(
        "exact e JOIN search_courses s ON s.course_id = e.course_id",
        [],
        {
            "matched": "e.matched",
            "region_facet": "e.region_facet",
            "best_start": "e.best_start",
            "distance_km": "e.distance_km",
        },
    )
    matching = exact_rows
    if not place:
        # The summary answers the other rows.
        best = f"least({TODAY} + s.continuous_delay_days, s.dated_best_start)"
        summary = [_summary_answers(intake), "s.has_intake"]
        if intake.has_time:
            summary.append(f"{best} <= {intake.latest_start(sql)}")
        in_region = "true"
        if intake.regions:
            in_region = f"s.region_mask & {sql.bind('rbits', intake.regions, BigInteger)} <> 0"
        answers = {
            "matched": in_region,
            "region_facet": "s.region_mask",
            "best_start": best,
            "distance_km": "NULL::float8",
        }
        matching = rows("search_courses s", summary, answers) + "\n    UNION ALL" + exact_rows
    exact = _exact(criteria, intake, sql, place)
    flags = _flags(criteria, sql)
    names = list(FACET_FLAGS.values())
    all_flags = " AND ".join(flags[name] for name in names)
    others = {
        name: " AND ".join(other for other in names if other != name) or "true" for name in names
    }
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
WITH {words_cte}exact AS ({exact}
), matching AS ({matching}
), grouped AS (
    -- Rows alike in every facet key are one group: the facets sum the groups' counts.
    SELECT g.*, {", ".join(f"{flags[name]} AS {name}" for name in names)}
    FROM (SELECT {FACET_KEYS}, count(*) AS n FROM matching GROUP BY {FACET_KEYS}) g
), kept AS (
    -- Groups failing two facets' filters count for no facet.
    SELECT {", ".join(GROUPED.values())}, n, {" AND ".join(names)} AS all_ok,
           {", ".join(f"{others[name]} AS {name.replace('f_', 'o_')}" for name in names)}
    FROM grouped
    WHERE {" + ".join(f"(NOT {name})::int" for name in names)} <= 1
), counted AS (
    -- Every facet in one pass: a grouping set per facet, keyed also on whether the group
    -- meets the other facets' filters.
    SELECT CASE {which} END AS facet, coalesce({values}) AS value, sum(n) AS n
    FROM kept
    GROUP BY GROUPING SETS ({keys})
    HAVING coalesce({oks})
)
SELECT 'hit' AS kind, p.course_id, NULL::text AS value, NULL::text AS label, NULL::bigint AS n
FROM (SELECT course_id FROM matching WHERE {all_flags}
      ORDER BY {order} LIMIT {int(first)} OFFSET {int(offset)}) p
UNION ALL
SELECT 'total', NULL, NULL, NULL, coalesce(sum(n) FILTER (WHERE all_ok), 0)::bigint FROM kept
UNION ALL
SELECT facet, NULL, value, NULL, n::bigint FROM counted WHERE facet <> 'region'
UNION ALL
-- Region masks spread over the regions' bits.
SELECT 'region', NULL, lmr.code, lmr.name, sum(c.n)::bigint
FROM counted c
JOIN labour_market_regions lmr ON c.value::bigint & (1::bigint << substr(lmr.code, 3)::int) <> 0
WHERE c.facet = 'region'
GROUP BY lmr.code, lmr.name
"""  # noqa: S608


def _needs_exact(intake: IntakeFilters) -> str:
    """When a row's summary cannot answer the intake-level filters exactly: it has gone stale
    (a dated intake in it has started), or its intakes lie in several regions under a region
    or time filter (its best intake overall need not be its best in the region). Written for
    the indexes on summary_until and on the mixed-region rows, with today as an expression
    rather than an InitPlan, so that the planner estimates how few rows are stale."""
    stale = f"s.summary_until < {TODAY_EXPRESSION}"
    if intake.regions or intake.has_time:
        return f"({stale} OR NOT s.uniform_region)"
    return stale


def _summary_answers(intake: IntakeFilters) -> str:
    """The negation of `_needs_exact` (a NULL summary_until: only continuous intakes).
    Nearly every row: written so that no index is tried for it."""
    fresh = f"coalesce(s.summary_until >= {TODAY}, true)"
    if intake.regions or intake.has_time:
        return f"{fresh} AND s.uniform_region"
    return fresh


def _exact(criteria: CourseSearch, intake: IntakeFilters, sql: Params, place: bool) -> str:
    """Per course, from its bookable intakes meeting the place and time filters: whether one
    is in the filter's regions (matched), their regions (the region facet), the best expected
    start and the smallest distance of those in the regions. Set-based over search_intakes:
    the intakes in the place (by index) with a place filter, else only those of the rows
    whose summary cannot answer (`_needs_exact`)."""
    start = f"(greatest(coalesce(i.starts_on, {TODAY}), {TODAY}) + i.delay_days)"
    in_region = "true"
    if intake.regions:
        in_region = f"i.region_bit & {sql.bind('i_regions', intake.regions, BigInteger)} <> 0"
    conditions = [f"(i.starts_on IS NULL OR i.starts_on >= {TODAY})"]
    distance = "NULL::float8"
    if criteria.municipality_codes:
        codes = sql.bind("i_munis", list(criteria.municipality_codes), ARRAY(Text))
        conditions.append(f"i.municipality_code = ANY ({codes})")
    if criteria.near is not None:
        near = criteria.near
        # The circle's bounding box on the index first: a degree of latitude is 111.2 km
        # everywhere, one of longitude shrinks with the cosine of the latitude (taken at the
        # box's edge nearest the pole, so the box holds the whole circle).
        dlat = near.radius_km / 111.19
        pole_lat = min(abs(near.latitude) + dlat, 89.0)
        dlon = near.radius_km / (111.19 * math.cos(math.radians(pole_lat)))
        box = sql.bind(
            "near_box",
            f"(({near.longitude - dlon},{near.latitude - dlat}),"
            f"({near.longitude + dlon},{near.latitude + dlat}))",
            Text,
        )
        distance = (
            f"search_distance_km({sql.bind('i_lat', near.latitude, Float)}, "
            f"{sql.bind('i_lon', near.longitude, Float)}, i.latitude, i.longitude)"
        )
        conditions.append(f"point(i.longitude, i.latitude) <@ CAST({box} AS box)")
        conditions.append(f"{distance} <= {sql.bind('i_radius', near.radius_km, Float)}")
    if intake.has_time:
        conditions.append(f"{start} <= {intake.latest_start(sql)}")
    if not place:
        needed = _needs_exact(intake)
        conditions.append(
            f"i.course_id IN (SELECT s.course_id FROM search_courses s WHERE {needed})"  # noqa: S608
        )
    return f"""
    SELECT i.course_id, bool_or({in_region}) AS matched, bit_or(i.region_bit) AS region_facet,
           min({start}) FILTER (WHERE {in_region}) AS best_start,
           min({distance}) FILTER (WHERE {in_region}) AS distance_km
    FROM search_intakes i
    WHERE {" AND ".join(conditions)}
    GROUP BY i.course_id"""  # noqa: S608


def _course_conditions(criteria: CourseSearch, sql: Params) -> list[str]:
    """Filters no facet owns, on the course row."""
    conditions = []
    if criteria.min_price_cents is not None:
        conditions.append(f"s.price_cents >= {sql.bind('min_price', criteria.min_price_cents)}")
    if criteria.max_price_cents is not None:
        conditions.append(f"s.price_cents <= {sql.bind('max_price', criteria.max_price_cents)}")
    if criteria.max_price_per_hour_cents is not None:
        limit = sql.bind("max_pph", criteria.max_price_per_hour_cents)
        conditions.append(f"s.price_per_hour_cents <= {limit}")
    if criteria.contracted_by is not None:
        # No contracts exist yet: the filter validly matches nothing until tenders feed a
        # contract table (municipality code, course id) this condition will read.
        conditions.append("false")
    return conditions


def _text(criteria: CourseSearch, sql: Params) -> tuple[str, str, list[str], str]:
    """(CTE, join, conditions, rank column): Dutch stemming on accent-free words, synonyms
    from search/synonyms.txt; and typos: every query word similar (pg_trgm word similarity)
    to a word of the course's title or provider name. The similar words come from the small
    search_words table and then find courses through the `names` index, so no similarity is
    computed per course. Exact matches rank above typo matches."""
    if not criteria.query:
        return "", "", [], ""
    clauses = synonyms.expand(criteria.query)
    if not clauses:
        return "", "", ["false"], ", 0::real AS rank"
    parts = []
    for i, clause in enumerate(clauses):
        alternatives = [
            f"phraseto_tsquery('dutch_unaccent', {sql.bind(f'q{i}_{j}', phrase, Text)})"
            for j, phrase in enumerate(clause)
        ]
        parts.append("(" + " || ".join(alternatives) + ")")
    tsquery = " && ".join(parts)
    query_words = list(dict.fromkeys(synonyms.words(criteria.query)))
    plain = sql.bind("q_words", query_words, ARRAY(Text))
    cte = f"""words AS MATERIALIZED (
    SELECT {tsquery} AS stemmed,
           (SELECT CASE WHEN count(*) = {len(query_words)}
                        THEN to_tsquery('simple', string_agg(alternatives, ' & ')) END
            FROM (SELECT '(' || string_agg(quote_literal(w.word), ' | ') || ')' AS alternatives
                  FROM unnest({plain}) AS q(word)
                  JOIN search_words w ON w.word %> q.word
                  GROUP BY q.word) x) AS typos
), """  # noqa: S608
    stemmed, typos = "(SELECT stemmed FROM words)", "(SELECT typos FROM words)"
    # The matches with their rank, narrow: the words themselves go no further.
    cte += f"""texts AS MATERIALIZED (
    SELECT t.course_id,
           CASE WHEN t.document @@ {stemmed} THEN 1 + ts_rank(t.document, {stemmed})
                ELSE ts_rank(t.names, {typos}) END AS rank
    FROM search_course_texts t
    WHERE t.document @@ {stemmed} OR t.names @@ {typos}
), """  # noqa: S608
    return cte, "JOIN texts t ON t.course_id = s.course_id", [], ", t.rank AS rank"


def _flags(criteria: CourseSearch, sql: Params) -> dict[str, str]:
    """Each facet's own filters as one boolean expression ('true' when it has none), on the
    facet keys (so on rows and on groups alike)."""
    flags = {name: "true" for name in FACET_FLAGS.values()}
    if criteria.routes:
        flags["f_route"] = f"route IN ({', '.join(str(ROUTE_CODES[r]) for r in criteria.routes)})"
    if criteria.levels:
        flags["f_level"] = f"level IN ({', '.join(str(LEVEL_CODES[v]) for v in criteria.levels)})"
    if criteria.region_codes:
        flags["f_region"] = "matched"
    kind_conditions = []
    if criteria.schedule_kinds:
        any_of = sum(KIND_BITS[kind] for kind in criteria.schedule_kinds)
        kind_conditions.append(f"kinds & {any_of} <> 0")
    every = (KIND_BITS[ScheduleKind.EVENING] if criteria.evening else 0) | (
        KIND_BITS[ScheduleKind.WEEKEND] if criteria.weekend else 0
    )
    if every:
        kind_conditions.append(f"kinds & {every} = {every}")
    if kind_conditions:
        flags["f_kind"] = " AND ".join(kind_conditions)
    format_conditions = []
    if criteria.formats:
        codes = ", ".join(str(FORMAT_CODES[f]) for f in criteria.formats)
        format_conditions.append(f"format IN ({codes})")
    if criteria.online:
        codes = ", ".join(str(FORMAT_CODES[f]) for f in ONLINE_FORMATS)
        format_conditions.append(f"format IN ({codes})")
    if format_conditions:
        flags["f_format"] = " AND ".join(format_conditions)
    if criteria.certified_only:
        flags["f_cert"] = "certified"
    if criteria.price_bands:
        bands = ", ".join(str(BANDS.index(band)) for band in criteria.price_bands)
        flags["f_band"] = f"band IN ({bands})"
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
            values([(r.name, ROUTE_LABELS[r], route.get(str(ROUTE_CODES[r]), 0)) for r in Route]),
        ),
        Facet(
            FacetField.LEVEL,
            values([(v.name, v.name, level.get(str(LEVEL_CODES[v]), 0)) for v in Level]),
        ),
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
            values([(f.name, FORMAT_LABELS[f], fmt.get(str(FORMAT_CODES[f]), 0)) for f in Format]),
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
