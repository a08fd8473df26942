"""The course search in PostgreSQL: a cheap check, then one statement for the page, the
total and every facet (or, while the process has a connection to spare, one for the page
and one for the counts at once: `_at_once`), then the page's cards (market.search.hits).

It reads `search_courses`, `search_intakes`, `search_places` and `search_bitmaps`
(migrations 0006_search, 0007_search_bitmaps and 0008_search_places), which triggers keep
true in the same transaction as every catalog write, so there is no lag. Two paths answer a
search, each for its own rows, and the statement adds them up:

- The bitmaps answer every row whose summary holds (the course's intakes all in one region,
  summary not gone stale) when no place filter is given: the filters become bits per chunk
  of 4,096 courses (facet values, words and `live` as stored; price, price per hour and
  expected start from their range buckets' keys, the edges of a range by index), and every
  count is a `bit_count` of their AND, so the cost does not grow with the number of
  matches. The page walks the courses in the sort's order (by index) and keeps those whose
  bit is set; a result of a few hundred or fewer is listed from its bits instead.
- Rows read one by one answer the rest (`_exact`): every row under a municipality or
  `near` filter (only intakes in the place can match; read from the course's places, one
  row per place of its bookable intakes, about half as many), and rows whose summary cannot
  answer (`_needs_exact`, read from their intakes): gone stale (a dated intake in it has
  started, or the certification began or ended since), or, without a place filter,
  intakes in several regions under a region or time filter. The check before the statement
  (`_prelude`) finds whether there are any; mostly there are none, and the statement is
  the bitmaps' (or the places') alone. Those rows are few (or, under a place filter, the
  place's), so they are grouped: rows alike in every facet key are counted once, each
  facet's own filter a flag on the group.

Contracting municipalities (`contracted_by`, searchCourses' contractedBy) are a facet like
the others: a bitmap key per municipality (`x:GM0363`) and an array on the rows read one by
one, written by the rows' refresh and by `search_refresh_contracts` (see `refresh_contracts`).
Support languages (supportLanguages) are one too: a bitmap key per language (`sl:ti`) and
an array on the rows read one by one (migration 0025_support_languages), written by the
rows' refresh.

Text: every clause of the query (search/synonyms.txt expands a word into alternative
phrases) must match: a phrase by all its Dutch stems (title, provider name, description),
or, for typos, every query word by a similar word of the title or provider name. Stem
matches rank above typo matches; within a rank the default order (soonest, cheapest) holds.
"""

# The statement is SQL text written from the code's own fragments; every client value is a
# bound parameter (Params), so the S608 warning on each f-string is noise here.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
import math
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import asyncpg
from sqlalchemy import ARRAY, BigInteger, Float, Integer, Text, bindparam, text
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from market.catalog.models import Format, Level, Route, ScheduleKind
from market.db import driver
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
    SUPPORT_LANGUAGE_LABELS,
    Certification,
    CourseHit,
    CourseSearch,
    Facet,
    FacetField,
    FacetValue,
    PriceBand,
    SearchResult,
    SearchSort,
)
from market.search.hits import TODAY, TODAY_EXPRESSION, IntakeFilters, Params

T = TypeVar("T")
U = TypeVar("U")
# A second read connection while the process has one to spare, else None
# (market.db.database.Database.spare_read_connection).
SpareReader = Callable[[], AbstractAsyncContextManager[asyncpg.Connection | None]]

KIND_BITS = {ScheduleKind.DAYTIME: 1, ScheduleKind.EVENING: 2, ScheduleKind.WEEKEND: 4}
# The small codes search_courses stores instead of the enums' text (migration 0006_search),
# which the bitmaps' keys carry too (migration 0007_search_bitmaps).
ROUTE_CODES = {Route.B1: 1, Route.ONDERWIJS: 2, Route.Z: 3}
LEVEL_CODES = {Level.A1: 1, Level.A2: 2, Level.B1: 3, Level.B2: 4}
FORMAT_CODES = {Format.CLASSROOM: 1, Format.ONLINE: 2, Format.BLENDED: 3}
BAND_WIDTH_CENTS = 250_000  # every band but the last is this wide (criteria.PRICE_BANDS)
BANDS = list(PriceBand)
# The bitmaps' key prefix of each facet with one key per value (REGION and CERTIFICATION
# are counted apart).
KEYED = {
    FacetField.ROUTE: ("r", sorted(ROUTE_CODES.values())),
    FacetField.LEVEL: ("l", sorted(LEVEL_CODES.values())),
    FacetField.FORMAT: ("f", sorted(FORMAT_CODES.values())),
    FacetField.PRICE_BAND: ("b", list(range(len(BANDS)))),
    FacetField.SCHEDULE_KIND: ("k", [bit.bit_length() - 1 for bit in KIND_BITS.values()]),
}
FACET_FLAGS = {
    FacetField.ROUTE: "f_route",
    FacetField.LEVEL: "f_level",
    FacetField.REGION: "f_region",
    FacetField.SCHEDULE_KIND: "f_kind",
    FacetField.FORMAT: "f_format",
    FacetField.CERTIFICATION: "f_cert",
    FacetField.PRICE_BAND: "f_band",
    FacetField.CONTRACTED_BY: "f_contracted",
    FacetField.SUPPORT_LANGUAGE: "f_language",
}
# The column each facet groups on in the rows read one by one; REGION and SCHEDULE_KIND
# are bit masks, CONTRACTED_BY and SUPPORT_LANGUAGE arrays of codes, spread after.
GROUPED = {
    FacetField.ROUTE: "route",
    FacetField.LEVEL: "level",
    FacetField.FORMAT: "format",
    FacetField.CERTIFICATION: "certified",
    FacetField.PRICE_BAND: "band",
    FacetField.REGION: "region_facet",
    FacetField.SCHEDULE_KIND: "kinds",
    FacetField.CONTRACTED_BY: "contracted_by",
    FacetField.SUPPORT_LANGUAGE: "support_languages",
}
# What the facet filters read: every facet count is a sum over groups of rows alike in these.
FACET_KEYS = (
    "route, level, format, kinds, band, certified, matched, region_facet, contracted_by, "
    "support_languages"
)
# What every page candidate carries: the course and each sort's keys.
CANDIDATE = (
    "course_id, rank, best_start, price_cents, price_per_hour_cents, stars, rating, distance_km"
)
CHUNK_BITS = 12  # 4,096 slots a chunk (migration 0007_search_bitmaps)
# The bitmaps' key prefix of a contracting municipality's courses (`x:GM0363`, migration
# 0024_search_contracts), as SQL.
CONTRACTED_KEY = "'x:'"
# The bitmaps' key prefix of the courses whose staff speak a language (`sl:ti`, migration
# 0025_support_languages).
LANGUAGE_PREFIX = "sl:"

ZERO = "repeat('0', 4096)::bit(4096)"
# Up to this many matches a page lists the result's bits; above, it walks the sort's index
# (which then finds a page within some thousands of rows at most).
LISTED_AT_MOST = 300

assert all(
    low == index * BAND_WIDTH_CENTS for index, (low, _) in enumerate(PRICE_BAND_CENTS.values())
)


SEARCH_TABLES = (
    "search_courses",
    "search_intakes",
    "search_places",
    "search_course_texts",
    "search_words",
    "search_bitmaps",
)


async def refresh_stale(session: AsyncSession) -> int:
    """Re-summarise the courses whose summary a new day made stale (a dated intake in it has
    started, or the certification began or ended); until then searches answer those rows
    the slower, exact way."""
    return int(await session.scalar(text("SELECT search_refresh_stale()")) or 0)


async def refresh_contracts(
    session: AsyncSession, provider_ids: Sequence[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Bring the contracting municipalities on the rows of these providers' courses (None:
    of every provider with a contract, and of every row still carrying one) up to today's
    contracts (`search_refresh_contracts`, market/search/sql/refresh.sql); returns the
    courses whose rows changed. Idempotent: a second run changes nothing."""
    providers = None if provider_ids is None else list(provider_ids)
    changed = await session.scalar(
        text("SELECT search_refresh_contracts(:providers)").bindparams(
            bindparam("providers", providers, type_=ARRAY(PG_UUID(as_uuid=True)))
        )
    )
    return list(changed or [])


async def compact_slots(session: AsyncSession) -> int:
    """Move the listed courses with the highest slots into the slots freed by courses no
    longer listed, so the bitmaps stay as wide as the catalog (`search_compact_slots`,
    market/search/sql/bitmaps.sql). Returns the number of courses moved."""
    return int(await session.scalar(text("SELECT search_compact_slots()")) or 0)


async def compact(engine: AsyncEngine) -> None:
    """After a bulk load: the triggers insert and then update each search row, leaving the
    tables several times their size. Rewrite them (intakes and places in municipality order,
    so that a place's rows share pages) and refresh the planner's statistics."""
    clustered = {
        "search_intakes": "ix_search_intakes_municipality",
        "search_places": "ix_search_places_municipality",
    }
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table, index in clustered.items():
            await autocommit.execute(text(f"CLUSTER {table} USING {index}"))
        others = ", ".join(table for table in SEARCH_TABLES if table not in clustered)
        await autocommit.execute(text(f"VACUUM (FULL, ANALYZE) {others}"))
        await autocommit.execute(text("ANALYZE"))


class PostgresSearch:
    def __init__(
        self,
        listed_at_most: int = LISTED_AT_MOST,
        *,
        spare: SpareReader | None = None,
        config_dir: Path = synonyms.PACKAGED_CONFIG_DIR,
    ) -> None:
        # Up to this many matches a page lists the result's bits, else walks the sort's
        # index (tests set 0 to walk every page).
        self.listed_at_most = listed_at_most
        # A second connection, when the process has one to spare (`_at_once`).
        self.spare = spare
        # Read once, here: a missing file stops start-up instead of searching without.
        self.thesaurus = synonyms.load(config_dir / synonyms.FILE_NAME)

    async def search(
        self, reader: driver.Reader, criteria: CourseSearch, page: PageRequest
    ) -> SearchResult:
        offset = offset_of(criteria.sort, page)
        [(apart, *_)] = await driver.fetch(reader, _prelude(criteria), ())
        shape = _Shape(criteria, offset, page.first, self.listed_at_most, apart, self.thesaurus)
        if self.spare is not None:
            async with self.spare() as other:
                if other is not None:
                    return await _at_once(reader, other, shape)
        answers = _Answers.of(await driver.fetch(reader, *_statement(*shape, _Part.WHOLE)))
        found = await hits.load_hits(reader, criteria, answers.ids)
        return answers.result(criteria, offset, found)


# The page (its hits, then their cards) on one connection while the total and the facets
# are counted on another: for a search alone in its process, the time of the longer of
# the two instead of both in turn (measured on the benchmark's searches: 1.5 to 4 ms of
# 7 to 16 less; `near` 6 ms less, its page then reading only what the page needs). Under
# load the other core is busy with other searches, and one statement is cheaper than two
# that both find the matches: a process with other searches under way has no spare.
async def _at_once(reader: driver.Reader, other: asyncpg.Connection, shape: _Shape) -> SearchResult:
    criteria = shape.criteria

    async def page() -> tuple[_Answers, list[CourseHit]]:
        answers = _Answers.of(await driver.fetch(reader, *_statement(*shape, _Part.PAGE)))
        return answers, await hits.load_hits(reader, criteria, answers.ids)

    async def counts() -> _Answers:
        if criteria.near is not None:  # planned as the prelude set for the first connection
            await driver.fetch(other, _NEAR_PLANNING, ())
        return _Answers.of(await driver.fetch(other, *_statement(*shape, _Part.COUNTS)))

    (answers, found), counted = await _both(page(), counts())
    return replace(counted, ids=answers.ids).result(criteria, shape.offset, found)


async def _both(first: Awaitable[T], second: Awaitable[U]) -> tuple[T, U]:
    """Both results; when either fails, the other is stopped at once and the error goes on
    (neither connection is left running a statement, nor the other waited for)."""
    tasks = asyncio.ensure_future(first), asyncio.ensure_future(second)
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error
    return tasks[0].result(), tasks[1].result()


class _Part(Enum):
    """What a statement answers."""

    WHOLE = "the page's hits, the total and the facets"
    PAGE = "the page's hits"
    COUNTS = "the total and the facets"


@dataclass(frozen=True, slots=True)
class _Answers:
    """A statement's rows, sorted out."""

    ids: list[uuid.UUID]
    total: int
    counts: dict[str, dict[str, int]]
    labels: dict[str, str]

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]]) -> _Answers:
        ids = []
        total = 0
        counts: dict[str, dict[str, int]] = {}
        labels: dict[str, str] = {}
        for kind, course_id, value, label, n in rows:
            if kind == "hit":
                ids.append(course_id)
            elif kind == "total":
                total += n
            elif kind != _SET_BACK:
                values = counts.setdefault(kind, {})
                values[value] = values.get(value, 0) + n
                if label is not None:
                    labels[value] = label
        return cls(ids, total, counts, labels)

    def result(self, criteria: CourseSearch, offset: int, found: list[CourseHit]) -> SearchResult:
        has_next, end = next_cursor(criteria.sort, offset, len(found), self.total)
        return SearchResult(
            Page(found, has_next, end, self.total), _facets(self.counts, self.labels)
        )


# Every search but `near` is planned once per connection and statement text, not on every
# run: planning the statement costs 2 to 4 ms, and a plan made without the values is as
# fast here (measured on the benchmark's searches: the same or up to a third faster)
# because the bitmaps' work does not depend on how many courses match. The read
# connections the search runs on are set so (market.db.database.READ_SETTINGS).
#
# `near` is planned for its circle on every run: its plan depends on the circle, and the
# plan PostgreSQL would otherwise settle on after five runs of a prepared statement is a
# third slower (15 km around Utrecht: 38 instead of 27 ms). And the planner cannot tell
# how many rows lie within a circle (a point in a box has a fixed estimate of 0.1 % of the
# rows), so it sorts the place's rows to group them by course; grouping them by hash is a
# fifth faster (measured on the 11,600 intakes within 15 km: 21 -> 17 ms). For that
# statement alone: the hits' statements after it plan disastrously without sorting (1.5 s
# instead of 1 ms), and are planned once, as every other search's are (the page's hits:
# 1 ms less on each run). Set for the connection by the statement that runs first (so
# costing no round trip of its own), and set back to the connection's own by the page's
# statement as it ends (planned under them, it leaves the statements after it planned as
# every other search's): a set_config to NULL resets. If the page's statement fails
# before, a read connection is not pooled again, and a session's transaction takes the
# settings back with it.
_STALE = f"EXISTS (SELECT 1 FROM search_courses WHERE summary_until < {TODAY_EXPRESSION})"
_MIXED = "EXISTS (SELECT 1 FROM search_courses WHERE NOT uniform_region)"
_PLANNED_PER_RUN = (
    "set_config('plan_cache_mode', 'force_custom_plan', false) "
    "|| set_config('enable_sort', 'off', false)"
)
_NEAR = driver.Statement.of(text(f"SELECT {_STALE}, {_PLANNED_PER_RUN}"))
_NEAR_PLANNING = driver.Statement.of(text(f"SELECT {_PLANNED_PER_RUN}"))
_SET_BACK = "settings back"
_ANY_STALE = driver.Statement.of(text(f"SELECT {_STALE}"))
_ANY_STALE_OR_MIXED = driver.Statement.of(text(f"SELECT {_STALE} OR {_MIXED}"))


def _prelude(criteria: CourseSearch) -> driver.Statement:
    """Answers whether any row needs reading from its intakes (`_needs_exact`; under a
    place filter: any stale row), and for `near` sets how its statement is planned. Mostly
    none does, and the statement is then the bitmaps' alone (planned in half the time), or
    under a place filter the places' alone."""
    if criteria.near is not None:
        return _NEAR
    if criteria.municipality_codes:
        return _ANY_STALE
    intake = IntakeFilters.of(criteria)
    return _ANY_STALE_OR_MIXED if intake.regions or intake.has_time else _ANY_STALE


class _Shape(NamedTuple):
    """What a search's statements are written for (`_statement`'s arguments but the part)."""

    criteria: CourseSearch
    offset: int
    first: int
    listed_at_most: int  # up to this many matches a page lists their bits
    apart: bool  # some rows are read from their intakes (`_needs_exact`)
    thesaurus: synonyms.Thesaurus


@lru_cache(maxsize=512)
def _statement(
    criteria: CourseSearch,
    offset: int,
    first: int,
    listed_at_most: int,
    apart: bool,
    thesaurus: synonyms.Thesaurus,
    part: _Part,
) -> tuple[driver.Statement, tuple[Any, ...]]:
    """The statement and its arguments, kept for the next identical search (a popular
    search, the next page): writing and compiling its SQL text costs about 2 ms of CPU."""
    sql = Params()
    statement = sql.statement(
        _query(criteria, sql, offset, first, listed_at_most, apart, thesaurus, part)
    )
    return statement, sql.arguments(statement)


def _query(
    criteria: CourseSearch,
    sql: Params,
    offset: int,
    first: int,
    listed_at_most: int,
    apart: bool,
    thesaurus: synonyms.Thesaurus,
    part: _Part,
) -> str:
    """The statement answering `part` (see `_statement` for the rest)."""
    place = criteria.near is not None or bool(criteria.municipality_codes)
    # Under a place filter every row is read one by one: from its places, or its intakes.
    rows = apart or place
    words = _Text.of(criteria, thesaurus, sql, rows=rows, bitmaps=not place)
    ctes = list(words.ctes)
    answers: list[str] = []
    limit = offset + first
    candidates: list[str] = []
    if rows:
        ctes += _row_ctes(criteria, sql, words, place=place, apart=apart)
        answers += _row_answers()
        candidates.append(_row_candidates(criteria, sql, limit))
    if not place:
        ctes += _bitmap_ctes(criteria, sql, words, apart)
        answers += _bitmap_answers()
        candidates += _bitmap_candidates(criteria, words, limit, listed_at_most)
    order = _order(criteria.sort, bool(criteria.query))
    page = f"""
(SELECT 'hit' AS kind, h.course_id, NULL::text AS value, NULL::text AS label, NULL::bigint AS n
 FROM ({" UNION ".join(candidates)}) h
 ORDER BY {order} LIMIT {int(first)} OFFSET {int(offset)})"""
    branches = {
        _Part.WHOLE: [page, *answers],
        _Part.PAGE: [page],
        _Part.COUNTS: answers,
    }[part]
    if criteria.near is not None:  # last: Append runs its branches in order
        branches.append(f"""
SELECT '{_SET_BACK}', NULL, set_config('plan_cache_mode', NULL, false)
       || set_config('enable_sort', NULL, false), NULL, NULL::bigint""")
    return "WITH " + ",\n".join(_read_by(ctes, branches)) + "\n" + "\nUNION ALL".join(branches)


def _read_by(ctes: list[str], branches: list[str]) -> list[str]:
    """The CTEs the branches read, directly or through one another: a statement for part
    of the answer leaves out what only the other part reads. Not only less to plan:
    PostgreSQL folds a CTE read once into its reader, which then computes only the columns
    it uses (`near`'s page: 5.6 instead of 9.6 ms)."""
    read = "\n".join(branches)
    kept = []
    for cte in reversed(ctes):  # a CTE reads only those before it
        if re.search(rf"\b{cte.split(maxsplit=1)[0]}\b", read):
            kept.append(cte)
            read += cte
    return kept[::-1]


@dataclass(frozen=True)
class _Text:
    """The query's words in both paths' forms: tsqueries for the rows read one by one
    (`words`), sets of bits for the others (`matched_text`: bits, and `stemmed` for the
    rank)."""

    ctes: tuple[str, ...] = ()
    # The bits of the matches (`matched_text`) are among the CTEs.
    bits: bool = False
    # For the rows read one by one: the join, the condition and the rank.
    join: str = ""
    condition: str | None = None
    rank: str = "0"

    @classmethod
    def of(
        cls,
        criteria: CourseSearch,
        thesaurus: synonyms.Thesaurus,
        sql: Params,
        *,
        rows: bool,
        bitmaps: bool,
    ) -> _Text:
        if not criteria.query:
            return cls()
        clauses = synonyms.expand(criteria.query, thesaurus)
        if not clauses:
            return cls(condition="false")
        query_words = list(dict.fromkeys(synonyms.words(criteria.query)))
        plain = sql.bind("q_words", query_words, ARRAY(Text))
        ctes = []
        if rows:
            # Stop words have no stem: a phrase of only those drops out, and so does a
            # clause of only such phrases (the tsquery operators do so with empty operands).
            stemmed = " && ".join(
                "("
                + " || ".join(
                    f"plainto_tsquery('dutch_unaccent', {sql.bind(f'q{i}_{j}', phrase, Text)})"
                    for j, phrase in enumerate(clause)
                )
                + ")"
                for i, clause in enumerate(clauses)
            )
            ctes.append(
                f"""words AS MATERIALIZED (
    SELECT {stemmed} AS stemmed,
           (SELECT CASE WHEN count(*) = {len(query_words)}
                        THEN to_tsquery('simple', string_agg(alternatives, ' & ')) END
            FROM (SELECT '(' || string_agg(quote_literal(w.word), ' | ') || ')' AS alternatives
                  FROM unnest({plain}) AS q(word)
                  JOIN search_words w ON w.word %> q.word
                  GROUP BY q.word) x) AS typos
)"""
            )
        if bitmaps:
            numbers = [i for i, clause in enumerate(clauses) for _ in clause]
            phrases = [phrase for clause in clauses for phrase in clause]
            ctes += [
                f"""phrases AS MATERIALIZED (
    SELECT p.clause, p.phrase,
           array(SELECT DISTINCT 'w:' || lexeme
                 FROM unnest(to_tsvector('dutch_unaccent', p.words))) AS keys
    FROM unnest({sql.bind("t_clauses", numbers, ARRAY(Integer))},
                {sql.bind("t_phrases", phrases, ARRAY(Text))})
         WITH ORDINALITY AS p(clause, words, phrase)
)""",
                # A phrase: all its stems; a clause: any of its phrases; the query: every
                # clause with a stem.
                """stemmed_set AS (
    SELECT chunk, bit_and(bits) AS bits
    FROM (SELECT clause, chunk, bit_or(bits) AS bits
          FROM (SELECT p.clause, b.chunk, bit_and(b.bits) AS bits
                FROM phrases p JOIN search_bitmaps b ON b.key = ANY (p.keys)
                GROUP BY p.clause, p.phrase, b.chunk, p.keys
                HAVING count(*) = cardinality(p.keys)) by_phrase
          GROUP BY clause, chunk) by_clause
    GROUP BY chunk
    HAVING count(*) = (SELECT count(DISTINCT clause) FROM phrases WHERE keys <> '{}')
)""",
                # Typos: every query word, by any of its similar words.
                f"""typo_set AS (
    SELECT chunk, bit_and(bits) AS bits
    FROM (SELECT q.word, b.chunk, bit_or(b.bits) AS bits
          FROM unnest({plain}) AS q(word)
          JOIN search_words w ON w.word %> q.word
          JOIN search_bitmaps b ON b.key = 'n:' || w.word
          GROUP BY q.word, b.chunk) by_word
    GROUP BY chunk
    HAVING count(*) = {len(query_words)}
)""",
                f"""matched_text AS (
    SELECT chunk, coalesce(s.bits, {ZERO}) | coalesce(t.bits, {ZERO}) AS bits,
           coalesce(s.bits, {ZERO}) AS stemmed
    FROM stemmed_set s FULL JOIN typo_set t USING (chunk)
)""",
            ]
        stemmed_match = "t.document @@ (SELECT stemmed FROM words)"
        return cls(
            ctes=tuple(ctes),
            bits=bitmaps,
            join="JOIN search_course_texts t ON t.course_id = s.course_id",
            condition=f"({stemmed_match} OR t.names @@ (SELECT typos FROM words))",
            rank=f"CASE WHEN {stemmed_match} THEN 1 ELSE 0 END",
        )


# -- the rows read one by one -------------------------------------------------------------


def _row_ctes(
    criteria: CourseSearch, sql: Params, words: _Text, *, place: bool, apart: bool
) -> list[str]:
    intake = IntakeFilters.of(criteria)
    flags = _flags(criteria, sql)
    names = list(FACET_FLAGS.values())
    others = {
        name: " AND ".join(other for other in names if other != name) or "true" for name in names
    }
    keys = ", ".join(
        f"({GROUPED[facet]}, {FACET_FLAGS[facet].replace('f_', 'o_')})" for facet in FacetField
    )
    which = " ".join(
        f"WHEN grouping({GROUPED[facet]}) = 0 THEN '{facet.value}'" for facet in FacetField
    )
    values = ", ".join(f"{GROUPED[facet]}::text" for facet in FacetField)
    oks = ", ".join(FACET_FLAGS[facet].replace("f_", "o_") for facet in FacetField)
    return [
        f"""matching AS (
    SELECT s.*, {words.rank} AS rank
    FROM ({_exact(criteria, intake, sql, place=place, apart=apart)}
    ) s {words.join}
    WHERE {words.condition or "true"}
)""",
        f"""grouped AS (
    -- Rows alike in every facet key are one group: the facets sum the groups' counts.
    SELECT g.*, {", ".join(f"{flags[name]} AS {name}" for name in names)}
    FROM (SELECT {FACET_KEYS}, count(*) AS n FROM matching GROUP BY {FACET_KEYS}) g
)""",
        f"""kept AS (
    -- Groups failing two facets' filters count for no facet.
    SELECT {", ".join(GROUPED.values())}, n, {" AND ".join(names)} AS all_ok,
           {", ".join(f"{others[name]} AS {name.replace('f_', 'o_')}" for name in names)}
    FROM grouped
    WHERE {" + ".join(f"(NOT {name})::int" for name in names)} <= 1
)""",
        f"""counted AS (
    -- Every facet in one pass: a grouping set per facet, keyed also on whether the group
    -- meets the other facets' filters.
    SELECT CASE {which} END AS facet, coalesce({values}) AS value, sum(n) AS n
    FROM kept
    GROUP BY GROUPING SETS ({keys})
    HAVING coalesce({oks})
)""",
    ]


def _row_answers() -> list[str]:
    return [
        """
SELECT 'total', NULL, NULL, NULL, coalesce(sum(n) FILTER (WHERE all_ok), 0)::bigint FROM kept""",
        """
SELECT facet, NULL, value, NULL, n::bigint FROM counted
WHERE facet NOT IN ('region', 'contracted_by', 'support_language')""",
        """
-- Region masks spread over the regions' bits.
SELECT 'region', NULL, lmr.code, lmr.name, sum(c.n)::bigint
FROM counted c
JOIN labour_market_regions lmr ON c.value::bigint & (1::bigint << substr(lmr.code, 3)::int) <> 0
WHERE c.facet = 'region'
GROUP BY lmr.code, lmr.name""",
        """
-- Arrays of contracting municipalities spread over their codes.
SELECT 'contracted_by', NULL, m.cbs_code, m.name, sum(c.n)::bigint
FROM counted c
JOIN municipalities m ON m.cbs_code = ANY (c.value::text[])
WHERE c.facet = 'contracted_by'
GROUP BY m.cbs_code, m.name""",
        """
-- Arrays of support languages spread over their codes.
SELECT 'support_language', NULL, l.code, NULL, sum(c.n)::bigint
FROM counted c
CROSS JOIN unnest(c.value::text[]) l(code)
WHERE c.facet = 'support_language'
GROUP BY l.code""",
    ]


def _row_candidates(criteria: CourseSearch, sql: Params, limit: int) -> str:
    every = " AND ".join(_flags(criteria, sql).values())
    order = _order(criteria.sort, bool(criteria.query))
    return f"""
    (SELECT {CANDIDATE} FROM matching WHERE {every} ORDER BY {order} LIMIT {int(limit)})"""


# -- the rows the bitmaps answer ----------------------------------------------------------


def _bitmap_ctes(criteria: CourseSearch, sql: Params, words: _Text, apart: bool) -> list[str]:
    intake = IntakeFilters.of(criteria)
    ctes, joins, factors = [], [], ["l.bits"]
    if apart:
        # The rows read one by one (`_needs_exact`): bits of neither path count twice.
        rows = [
            _bits_of(f"SELECT slot FROM search_courses WHERE summary_until < {TODAY_EXPRESSION}")
        ]
        if intake.regions or intake.has_time:
            rows.append("SELECT chunk, bits FROM search_bitmaps WHERE key = 'm'")
        ctes.append(
            f"""apart AS (
    SELECT chunk, bit_or(bits) AS bits FROM ({" UNION ALL ".join(rows)}) x GROUP BY chunk
)"""
        )
        joins.append("LEFT JOIN apart x ON x.chunk = l.chunk")
        factors.append(f"~coalesce(x.bits, {ZERO})")
    # The filters no facet owns: ranges (by their keys) and the words.
    ranges = _range_filters(criteria, intake, sql)
    ctes += [f"range{i} AS ({select}\n)" for i, select in enumerate(ranges)]
    joins += [f"JOIN range{i} ON range{i}.chunk = l.chunk" for i in range(len(ranges))]
    factors += [f"range{i}.bits" for i in range(len(ranges))]
    stemmed = ""
    if words.bits:
        joins.append("JOIN matched_text t ON t.chunk = l.chunk")
        factors.append("t.bits")
        stemmed = ", t.stemmed"
    nothing = words.condition == "false"
    ctes.append(
        f"""n AS (
    SELECT l.chunk, {" & ".join(factors)} AS bits{stemmed}
    FROM search_bitmaps l {" ".join(joins)}
    WHERE l.key = 'live'{" AND false" if nothing else ""}
)"""
    )
    # Each facet's own filter, and per facet the result under all the others.
    filters = _bitmap_filters(criteria, sql)
    ctes += [f"fs_{facet.value} AS ({select})" for facet, select in filters.items()]
    factor = {facet: f"coalesce(fs_{facet.value}.bits, {ZERO})" for facet in filters}

    def under(but: FacetField | None = None) -> str:
        return " & ".join(["n.bits", *(f for facet, f in factor.items() if facet is not but)])

    columns = [f"{under()} AS a", *(f"{under(facet)} AS o_{facet.value}" for facet in FacetField)]
    if stemmed:
        columns.append("n.stemmed")
    filter_joins = " ".join(
        f"LEFT JOIN fs_{facet.value} ON fs_{facet.value}.chunk = n.chunk" for facet in filters
    )
    ctes.append(f"o AS (\n    SELECT n.chunk, {', '.join(columns)}\n    FROM n {filter_joins}\n)")
    # The result per rank as one bit string over every slot (bit n: slot n), so that a page
    # looks a slot up in constant time, and its size.
    parts = ", ".join(
        f"search_bits_concat(coalesce({bits}, {ZERO}) ORDER BY c) AS p{i}, "
        f"coalesce(sum(bit_count({bits})), 0) AS n{i}"
        for i, (_, bits) in enumerate(_ranks(words))
    )
    ctes.append(
        f"""pages AS (
    SELECT {parts}
    FROM generate_series(0, (SELECT max(chunk) FROM o)) c LEFT JOIN o ON o.chunk = c
)"""
    )
    return ctes


def _bits_of(slots: str) -> str:
    """The slots `slots` selects as bits per chunk: first as 64-bit words (an integer
    aggregate, no bit string per row), then each chunk's 64 words at once."""
    return f"""
    WITH words AS (
        SELECT slot >> 6 AS word, bit_or(1::bigint << (63 - (slot & 63))) AS bits
        FROM ({slots}) slots GROUP BY 1
    )
    SELECT chunk, string_agg(coalesce(w.bits, 0)::bit(64)::text, '' ORDER BY n)::bit(4096) AS bits
    FROM (SELECT DISTINCT word >> 6 AS chunk FROM words) c
    CROSS JOIN generate_series(0, 63) n
    LEFT JOIN words w ON w.word = (c.chunk << 6) + n
    GROUP BY chunk"""


def _range_filters(criteria: CourseSearch, intake: IntakeFilters, sql: Params) -> list[str]:
    """The range filters, each as bits per chunk (all must hold)."""
    ranges = []
    if criteria.min_price_cents is not None or criteria.max_price_cents is not None:
        ranges.append(
            _range_bits(
                "p", "price_cents", 10_000, criteria.min_price_cents, criteria.max_price_cents
            )
        )
    if criteria.max_price_per_hour_cents is not None:
        ranges.append(
            _range_bits("h", "price_per_hour_cents", 100, None, criteria.max_price_per_hour_cents)
        )
    if intake.has_time:
        # A start by `latest`: a dated intake's day up to it, or a continuous intake's delay
        # up to the days from today until it.
        latest = intake.latest_start(sql)
        ranges.append(
            f"""SELECT chunk, bit_or(bits) AS bits FROM search_bitmaps
    WHERE key BETWEEN 'd:' AND 'd:' || to_char({latest}, 'YYYY-MM-DD')
       OR key BETWEEN 'cd:000000' AND 'cd:' || lpad(({latest} - {TODAY})::text, 6, '0')
    GROUP BY chunk"""
        )
    return ranges


def _range_bits(prefix: str, column: str, width: int, low: int | None, high: int | None) -> str:
    """Bits of the courses with `low` <= column <= `high` (None: unbounded): the buckets of
    `width` wholly inside by their keys, and the rows at the edges by the column's index."""
    first = -(-low // width) if low is not None else 0
    last = (high + 1) // width - 1 if high is not None else 999_999
    edges = []
    parts = []
    if first <= last:
        parts.append(
            "SELECT chunk, bits FROM search_bitmaps "
            f"WHERE key BETWEEN '{prefix}:{first:06d}' AND '{prefix}:{last:06d}'"
        )
        if low is not None and low < first * width:
            edges.append((low, first * width - 1))
        if high is not None and (last + 1) * width <= high:
            edges.append(((last + 1) * width, high))
    else:
        edges.append((low or 0, high if high is not None else 2**31 - 1))
    if edges:
        slots = " UNION ALL ".join(
            f"SELECT slot FROM search_courses WHERE {column} BETWEEN {int(a)} AND {int(b)}"
            for a, b in edges
        )
        parts.append(f"SELECT chunk, bits FROM ({_bits_of(slots)}) edges")
    union = "\n    UNION ALL\n    ".join(parts)
    return f"SELECT chunk, bit_or(bits) AS bits FROM ({union}) r GROUP BY chunk"


def _ranks(words: _Text) -> list[tuple[int, str]]:
    """The result's parts by text rank, best first: stem matches, then typo matches."""
    if words.bits:
        return [(1, "o.a & o.stemmed"), (0, "o.a & ~o.stemmed")]
    return [(0, "o.a")]


def _bitmap_filters(criteria: CourseSearch, sql: Params) -> dict[FacetField, str]:
    """Each facet's own filter (those given) as bits per chunk."""
    filters: dict[FacetField, str] = {}
    if criteria.routes:
        filters[FacetField.ROUTE] = _keys_bits([f"r{ROUTE_CODES[r]}" for r in criteria.routes])
    if criteria.levels:
        filters[FacetField.LEVEL] = _keys_bits([f"l{LEVEL_CODES[v]}" for v in criteria.levels])
    if criteria.region_codes:
        filters[FacetField.REGION] = _keys_bits([f"g{int(c[2:])}" for c in criteria.region_codes])
    every = [ScheduleKind.EVENING] * criteria.evening + [ScheduleKind.WEEKEND] * criteria.weekend
    if criteria.schedule_kinds or every:
        filters[FacetField.SCHEDULE_KIND] = _keys_bits(
            [f"k{KIND_BITS[kind].bit_length() - 1}" for kind in criteria.schedule_kinds] or None,
            [f"k{KIND_BITS[kind].bit_length() - 1}" for kind in every],
        )
    if criteria.formats or criteria.online:
        allowed = set(criteria.formats or Format) & set(
            ONLINE_FORMATS if criteria.online else Format
        )
        filters[FacetField.FORMAT] = _keys_bits(sorted(f"f{FORMAT_CODES[f]}" for f in allowed))
    if criteria.certified_only:
        filters[FacetField.CERTIFICATION] = _keys_bits(["c"])
    if criteria.price_bands:
        filters[FacetField.PRICE_BAND] = _keys_bits(
            [f"b{BANDS.index(b)}" for b in criteria.price_bands]
        )
    if criteria.contracted_by is not None:
        # The client's code (a known municipality's, checked) as a bound value.
        code = sql.bind("contracted_by", criteria.contracted_by, Text)
        filters[FacetField.CONTRACTED_BY] = (
            f"SELECT chunk, bits FROM search_bitmaps WHERE key = {CONTRACTED_KEY} || {code}"
        )
    if criteria.support_languages:
        # Checked against the list (catalog.policies.SUPPORT_LANGUAGES): the keys are ours.
        filters[FacetField.SUPPORT_LANGUAGE] = _keys_bits(
            [f"{LANGUAGE_PREFIX}{code}" for code in criteria.support_languages]
        )
    return filters


def _keys_bits(any_of: Sequence[str] | None, all_of: Sequence[str] = ()) -> str:
    """Bits per chunk of the courses having any key of `any_of` (None: no such condition)
    and every key of `all_of`. The keys are the code's own (never the client's text)."""
    keys = sorted({*(any_of or ()), *all_of})
    if not keys:
        return f"SELECT NULL::integer AS chunk, {ZERO} AS bits WHERE false"

    def listed(names: Sequence[str]) -> str:
        return ", ".join(f"'{name}'" for name in names)

    parts, having = [], ""
    if any_of is not None:
        parts.append(f"coalesce(bit_or(bits) FILTER (WHERE key IN ({listed(any_of)})), {ZERO})")
    if all_of:
        parts.append(f"coalesce(bit_and(bits) FILTER (WHERE key IN ({listed(all_of)})), {ZERO})")
        having = f" HAVING count(*) FILTER (WHERE key IN ({listed(all_of)})) = {len(all_of)}"
    return (
        f"SELECT chunk, {' & '.join(parts)} AS bits FROM search_bitmaps "
        f"WHERE key IN ({listed(keys)}) GROUP BY chunk{having}"
    )


def _bitmap_answers() -> list[str]:
    """The total and every facet's counts: bits in common, summed over the chunks. The
    facet values' keys in one join, each counted under the other facets' filters."""
    values = [
        (
            f"{prefix}{code}",
            facet.value,
            str(1 << code if facet is FacetField.SCHEDULE_KIND else code),
        )
        for facet, (prefix, codes) in KEYED.items()
        for code in codes
    ]  # the kinds as the bit masks of the other path
    values.append(("c", FacetField.CERTIFICATION.value, "true"))
    listed = ", ".join(f"('{key}', '{facet}', '{value}')" for key, facet, value in values)
    under = " ".join(f"WHEN '{facet.value}' THEN o.o_{facet.value}" for facet in FacetField)
    cert = f"o.o_{FacetField.CERTIFICATION.value}"
    return [
        "\nSELECT 'total', NULL, NULL, NULL, coalesce(sum(bit_count(a)), 0)::bigint FROM o",
        f"""
SELECT 'certification', NULL, 'false', NULL,
       coalesce(sum(bit_count({cert} & ~coalesce(b.bits, {ZERO}))), 0)::bigint
FROM o LEFT JOIN search_bitmaps b ON b.chunk = o.chunk AND b.key = 'c'""",
        f"""
SELECT x.facet, NULL, x.value, lmr.name, sum(x.n)::bigint
FROM (SELECT f.facet, f.value, bit_count(CASE f.facet {under} END & b.bits) AS n
      FROM (VALUES {listed}
            UNION ALL
            SELECT 'g' || substr(code, 3)::int, 'region', code FROM labour_market_regions
           ) f(key, facet, value)
      JOIN search_bitmaps b ON b.key = f.key
      JOIN o ON o.chunk = b.chunk
      OFFSET 0) x  -- counted before grouping: the bits go no further
LEFT JOIN labour_market_regions lmr ON x.facet = 'region' AND lmr.code = x.value
GROUP BY x.facet, x.value, lmr.name""",
        # The contracting municipalities' keys, by the key's index (a few dozen at most).
        f"""
SELECT 'contracted_by', NULL, m.cbs_code, m.name,
       sum(bit_count(o.o_{FacetField.CONTRACTED_BY.value} & b.bits))::bigint
FROM search_bitmaps b
JOIN o ON o.chunk = b.chunk
JOIN municipalities m ON m.cbs_code = substr(b.key, 3)
WHERE b.key BETWEEN {CONTRACTED_KEY} AND {CONTRACTED_KEY} || '~'
GROUP BY m.cbs_code, m.name""",
        # The support languages' keys, by the key's index (a few dozen at most).
        f"""
SELECT 'support_language', NULL, substr(b.key, {len(LANGUAGE_PREFIX) + 1}), NULL,
       sum(bit_count(o.o_{FacetField.SUPPORT_LANGUAGE.value} & b.bits))::bigint
FROM search_bitmaps b
JOIN o ON o.chunk = b.chunk
WHERE b.key BETWEEN '{LANGUAGE_PREFIX}' AND '{LANGUAGE_PREFIX}~'
GROUP BY b.key""",
    ]


def _bitmap_candidates(
    criteria: CourseSearch, words: _Text, limit: int, listed_at_most: int
) -> list[str]:
    """Per rank, the first `limit` courses of the result in the sort's order: walking the
    sort's index (two for the expected start: continuous and dated intakes), or, for a
    small result, listing its bits."""
    best = _summary_start("s")
    order = _order(criteria.sort, bool(criteria.query))
    walks = {
        SearchSort.PRICE: [("true", "s.price_cents, s.course_id")],
        SearchSort.PRICE_PER_HOUR: [("true", "s.price_per_hour_cents, s.course_id")],
        SearchSort.RATING: [("true", "s.rating DESC, s.stars DESC NULLS LAST, s.course_id")],
    }.get(  # DISTANCE needs `near`, which the bitmaps never answer
        criteria.sort,
        [
            ("s.dated_best_start IS NOT NULL", "s.dated_best_start, s.price_cents, s.course_id"),
            (
                "s.continuous_delay_days IS NOT NULL",
                "s.continuous_delay_days, s.price_cents, s.course_id",
            ),
        ],
    )
    candidates = []
    for i, (rank, _) in enumerate(_ranks(words)):
        columns = (
            f"s.course_id, {rank} AS rank, {best} AS best_start, s.price_cents, "
            "s.price_per_hour_cents, s.stars, s.rating, NULL::float8 AS distance_km"
        )
        # get_bit past the end (slots added since) raises: the bound keeps them out.
        member = (
            f"s.slot < length((SELECT p{i} FROM pages)) "
            f"AND get_bit((SELECT p{i} FROM pages), s.slot) = 1"
        )
        # The walk reads the sort's index alone (it holds the slot), the page's rows after:
        # a walk past thousands of non-matching courses then reads no table rows for them
        # (B1 by price per hour: 7,348 passed, 10.9 -> 7.5 ms).
        candidates += [
            f"""
    (SELECT {columns}
     FROM (SELECT s.course_id FROM search_courses s
           WHERE (SELECT n{i} FROM pages) > {int(listed_at_most)} AND {where} AND {member}
           ORDER BY {index_order} LIMIT {int(limit)}) walked
     JOIN search_courses s USING (course_id))"""
            for where, index_order in walks
        ]
        # Listing: the set bits, 64 at a time.
        candidates.append(
            f"""
    (SELECT * FROM (
        SELECT {columns}
        FROM (SELECT p{i} AS bits FROM pages) p
        CROSS JOIN LATERAL generate_series(0, (length(p.bits) - 1) / 64) w
        CROSS JOIN LATERAL (SELECT substring(p.bits FROM w * 64 + 1 FOR 64) AS bits
                            OFFSET 0) word
        CROSS JOIN LATERAL generate_series(0, length(word.bits) - 1) j
        -- by the slot's index, bit by bit (LIMIT: not a join the planner may turn around)
        CROSS JOIN LATERAL (SELECT * FROM search_courses s
                            WHERE s.slot = w * 64 + j LIMIT 1) s
        WHERE (SELECT n{i} FROM pages) BETWEEN 1 AND {int(listed_at_most)}
          AND bit_count(word.bits) > 0 AND get_bit(word.bits, j) = 1
     ) listed ORDER BY {order} LIMIT {int(limit)})"""
        )
    return candidates


# -- shared --------------------------------------------------------------------------------


def _needs_exact(intake: IntakeFilters, place: bool) -> str:
    """When a row's summary cannot answer the intake-level filters exactly: it has gone stale
    (a dated intake in it has started, or the certification began or ended), or, without a
    place filter (whose places carry their own regions and starts), its intakes lie in
    several regions under a region or time filter (its best intake overall need not be its
    best in the region). Written for the indexes on summary_until and on the mixed-region
    rows, with today as an expression rather than an InitPlan, so that the planner
    estimates how few rows are stale. The same rule, as bits and as a check:
    `_bitmap_ctes` (`apart`) and `_prelude`."""
    stale = f"s.summary_until < {TODAY_EXPRESSION}"
    if not place and (intake.regions or intake.has_time):
        return f"({stale} OR NOT s.uniform_region)"
    return stale


def _exact(
    criteria: CourseSearch, intake: IntakeFilters, sql: Params, *, place: bool, apart: bool
) -> str:
    """Per course, from its bookable intakes meeting the filters (the course's own ones too,
    as every intake row carries them): the facet keys and sort keys, whether an intake is in
    the filter's regions (matched), their regions (the region facet), the best expected
    start and the smallest distance of those in the regions. Set-based: under a place
    filter, the places there (by index), and, for the rows whose summary went stale
    (`apart`), their intakes there instead; else the intakes of the rows whose summary
    cannot answer (`_needs_exact`)."""
    certified = f"coalesce(i.certified_from <= {TODAY} AND i.certified_until >= {TODAY}, false)"
    in_region = "true"
    if intake.regions:
        in_region = f"i.region_bit & {sql.bind('i_regions', intake.regions, BigInteger)} <> 0"
    # On what places and intakes alike carry.
    conditions = [
        *_course_conditions(criteria, sql),
        f"(i.route <> {ROUTE_CODES[Route.Z]} OR {certified})",
        f"(i.route <> {ROUTE_CODES[Route.ONDERWIJS]} OR i.diploma_recognised)",
    ]
    chord = "NULL::float8"
    # Conditions on the computed start and distance, applied after each is computed once.
    computed = []
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
        # The chord to the point, as search_intake_matches measures it (0007_search_bitmaps).
        chord = (
            f"search_chord2(i.x, i.y, i.z, {sql.bind('i_lat', near.latitude, Float)}, "
            f"{sql.bind('i_lon', near.longitude, Float)})"
        )
        conditions.append(f"point(i.longitude, i.latitude) <@ CAST({box} AS box)")
        radius = sql.bind("i_radius", near.radius_km, Float)
        computed.append(f"i.chord2 <= search_km_chord2({radius})")
    if intake.has_time:
        computed.append(f"i.start <= {intake.latest_start(sql)}")
    needed = f"SELECT s.course_id FROM search_courses s WHERE {_needs_exact(intake, place)}"
    sources = []
    if place:
        start = _summary_start("i")
        held = [f"i.course_id NOT IN ({needed})"] if apart else []
        sources.append(_read("search_places", start, chord, [*conditions, *held]))
    if apart:
        start = f"intake_expected_start(i.starts_on, i.delay_days, {TODAY})"
        bookable = f"(i.starts_on IS NULL OR i.starts_on >= {TODAY})"
        where = [bookable, *conditions, f"i.course_id IN ({needed})"]
        sources.append(_read("search_intakes", start, chord, where))
    # A course's attributes are the same on each of its rows: min() takes them.
    return f"""
    SELECT i.course_id, min(i.route) AS route, min(i.level) AS level,
           min(i.format) AS format, min(i.kinds) AS kinds, min(i.band) AS band,
           coalesce(min(i.certified_from) <= {TODAY} AND min(i.certified_until) >= {TODAY},
                    false) AS certified,
           min(i.price_cents) AS price_cents,
           min(i.price_per_hour_cents) AS price_per_hour_cents, min(i.stars) AS stars,
           min(i.rating) AS rating, min(i.contracted_by) AS contracted_by,
           min(i.support_languages) AS support_languages,
           bool_or({in_region}) AS matched, bit_or(i.region_bit) AS region_facet,
           min(i.start) FILTER (WHERE {in_region}) AS best_start,
           search_chord_km(min(i.chord2) FILTER (WHERE {in_region})) AS distance_km
    FROM ({" UNION ALL ".join(sources)}
          OFFSET 0) i
    WHERE {" AND ".join(computed) or "true"}
    GROUP BY i.course_id"""


def _summary_start(row: str) -> str:
    """The expected start a summary gives (a course's in search_courses, a place's in
    search_places), while it holds: the sooner of its continuous and dated intakes'."""
    return f"least({TODAY} + {row}.continuous_delay_days, {row}.dated_best_start)"


def _read(table: str, start: str, chord: str, conditions: list[str]) -> str:
    """What `_exact` reads of each row of `table` (search_places or search_intakes)."""
    return f"""
          SELECT i.course_id, i.route, i.level, i.format, i.kinds, i.band, i.certified_from,
                 i.certified_until, i.price_cents, i.price_per_hour_cents, i.stars,
                 i.rating, i.region_bit, i.contracted_by, i.support_languages,
                 {start} AS start,
                 {chord} AS chord2
          FROM {table} i
          WHERE {" AND ".join(conditions)}"""


def _course_conditions(criteria: CourseSearch, sql: Params) -> list[str]:
    """Filters no facet owns, on the course's attributes (as its intake rows carry them)."""
    conditions = []
    if criteria.min_price_cents is not None:
        conditions.append(f"i.price_cents >= {sql.bind('min_price', criteria.min_price_cents)}")
    if criteria.max_price_cents is not None:
        conditions.append(f"i.price_cents <= {sql.bind('max_price', criteria.max_price_cents)}")
    if criteria.max_price_per_hour_cents is not None:
        limit = sql.bind("max_pph", criteria.max_price_per_hour_cents)
        conditions.append(f"i.price_per_hour_cents <= {limit}")
    return conditions


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
    if criteria.contracted_by is not None:
        code = sql.bind("contracted_by", criteria.contracted_by, Text)
        flags["f_contracted"] = f"{code} = ANY (contracted_by)"
    if criteria.support_languages:
        languages = sql.bind("languages", list(criteria.support_languages), ARRAY(Text))
        flags["f_language"] = f"support_languages && {languages}"
    return flags


def _order(sort: SearchSort, has_query: bool) -> str:
    by_id = "course_id"
    if sort is SearchSort.RELEVANCE:
        if has_query:
            return f"rank DESC, best_start, price_cents, {by_id}"
        return f"best_start, price_cents, {by_id}"
    return {
        SearchSort.PRICE: f"price_cents, {by_id}",
        SearchSort.PRICE_PER_HOUR: f"price_per_hour_cents, {by_id}",
        # The wait in weeks grows with the expected start: the same order, soonest first.
        SearchSort.SOONEST_START: f"best_start, price_cents, {by_id}",
        SearchSort.SHORTEST_WAIT: f"best_start, price_cents, {by_id}",
        SearchSort.DISTANCE: f"distance_km, {by_id}",
        # The learners' rating (market.catalog.ratings: 0 without reviews), then the stars.
        SearchSort.RATING: f"rating DESC, stars DESC NULLS LAST, {by_id}",
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
    contracting = counts.get(FacetField.CONTRACTED_BY.value, {})
    languages = counts.get(FacetField.SUPPORT_LANGUAGE.value, {})
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
        Facet(
            FacetField.CONTRACTED_BY,
            values([(code, labels[code], contracting[code]) for code in sorted(contracting)]),
        ),
        Facet(
            FacetField.SUPPORT_LANGUAGE,
            values(
                [
                    (code, SUPPORT_LANGUAGE_LABELS.get(code, code), languages[code])
                    for code in sorted(languages)
                ]
            ),
        ),
    )
