"""The search page (/{lang}/ and /{lang}/search): a GET form, so every search is an address
to share; results as cards that double as the compare form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from litestar import Request, get
from litestar.datastructures import MultiDict
from litestar.params import SkipValidation
from litestar.response import Template

from market.catalog.models import Level, Route, ScheduleKind
from market.catalog.ratings import RatingSummary
from market.db.database import Database
from market.kernel.errors import InvalidInput
from market.kernel.pagination import PageRequest
from market.search import service
from market.search.backend import SearchBackend
from market.search.criteria import (
    ONLINE_FORMATS,
    CourseHit,
    CourseSearch,
    FacetField,
    SearchResult,
    SearchSort,
)
from market.search.labels import (
    facet_label,
    label_key,
    support_language_label,
    support_language_options,
)
from market.web.forms import field_errors
from market.web.page import Page

PAGE_SIZE = 20
RADII_KM = (5, 10, 25, 50)
DEFAULT_RADIUS_KM = 10
# A highest price above every course's is no limit; far larger would overflow the query.
MAX_PRICE_EUROS = 1_000_000

E = TypeVar("E", bound=StrEnum)

# The service's names of the filters -> the form's fields (an error shows beside its field).
SERVICE_FIELDS = {
    "query": "q",
    "postcode": "postcode",
    "radiusKm": "radius",
    "maxPriceCents": "max_price",
    "maxWaitWeeks": "max_wait",
    "routes": "route",
    "levels": "level",
    "sort": "sort",
    "supportLanguages": "support_language",
}


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The form as the address carries it: text as typed, so a wrong value is shown back."""

    q: str = ""
    postcode: str = ""
    radius: str = str(DEFAULT_RADIUS_KM)
    route: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    # Languages a teacher explains things in (market.catalog.policies.SUPPORT_LANGUAGES).
    support_language: tuple[str, ...] = ()
    max_price: str = ""
    max_wait: str = ""
    evening: bool = False
    weekend: bool = False
    online: bool = False
    sort: str = SearchSort.RELEVANCE.value
    # This page's cursor, and those of the pages before it (so "previous" needs no state).
    after: str = ""
    trail: tuple[str, ...] = ()

    @classmethod
    def of(cls, query: MultiDict[Any]) -> SearchForm:
        def text(name: str, default: str = "") -> str:
            return str(query.get(name) or default).strip()

        return cls(
            q=text("q"),
            postcode=text("postcode"),
            radius=text("radius", str(DEFAULT_RADIUS_KM)),
            route=tuple(query.getall("route", [])),
            level=tuple(query.getall("level", [])),
            support_language=tuple(query.getall("support_language", [])),
            max_price=text("max_price"),
            max_wait=text("max_wait"),
            evening=bool(query.get("evening")),
            weekend=bool(query.get("weekend")),
            online=bool(query.get("online")),
            sort=text("sort", SearchSort.RELEVANCE.value),
            after=text("after"),
            trail=tuple(value for value in query.getall("trail", []) if value),
        )

    def query(self, **changes: Any) -> dict[str, Any]:
        """The address's query for this search (changed as asked), without empty fields."""
        chosen = replace(self, **changes)
        values = {
            "q": chosen.q,
            "postcode": chosen.postcode,
            "radius": chosen.radius if chosen.postcode else "",
            "route": list(chosen.route),
            "level": list(chosen.level),
            "support_language": list(chosen.support_language),
            "max_price": chosen.max_price,
            "max_wait": chosen.max_wait,
            "evening": "1" if chosen.evening else "",
            "weekend": "1" if chosen.weekend else "",
            "online": "1" if chosen.online else "",
            "sort": "" if chosen.sort == SearchSort.RELEVANCE.value else chosen.sort,
            "after": chosen.after,
            "trail": list(chosen.trail),
        }
        return {name: value for name, value in values.items() if value}

    @property
    def page_number(self) -> int:
        return len(self.trail) + 2 if self.after else 1

    def previous(self) -> dict[str, Any] | None:
        if not self.after:
            return None
        return self.query(after=self.trail[-1] if self.trail else "", trail=self.trail[:-1])

    def following(self, end_cursor: str) -> dict[str, Any]:
        trail = (*self.trail, self.after) if self.after else self.trail
        return self.query(after=end_cursor, trail=trail)


@dataclass(slots=True)
class Asked:
    """The form read as the search's criteria, or the errors of the fields it could not
    read (what the service refuses comes later, beside the same fields)."""

    criteria: CourseSearch = field(default_factory=CourseSearch)
    near: service.NearPostcode | None = None
    errors: dict[str, str] = field(default_factory=dict)


def read(page: Page, form: SearchForm) -> Asked:
    _ = page.texts.gettext
    asked = Asked()
    choose = _("Kies uit de lijst.")
    routes = _members(Route, form.route, "route", asked, choose)
    levels = _members(Level, form.level, "level", asked, choose)
    max_price = _whole(form.max_price, "max_price", asked, _("Vul een bedrag in hele euro's in."))
    if max_price is not None and max_price > MAX_PRICE_EUROS:
        most = page.money(MAX_PRICE_EUROS * 100)
        asked.errors["max_price"] = _("Vul een bedrag in van hoogstens %(most)s.", most=most)
        max_price = None
    max_wait = _whole(form.max_wait, "max_wait", asked, _("Vul een aantal weken in."))
    sort = _member(SearchSort, form.sort, "sort", asked, choose, SearchSort.RELEVANCE)
    if form.postcode:
        try:
            asked.near = service.NearPostcode(form.postcode, float(form.radius))
        except ValueError:
            asked.errors["radius"] = choose
    elif sort is SearchSort.DISTANCE:
        # (The service's own refusal names the API's filter.near.)
        asked.errors["postcode"] = _("Vul uw postcode in om op afstand te sorteren.")
    asked.criteria = CourseSearch(
        query=form.q or None,
        routes=routes,
        levels=levels,
        support_languages=form.support_language,
        max_price_cents=None if max_price is None else max_price * 100,
        evening=form.evening,
        weekend=form.weekend,
        online=form.online,
        max_wait_weeks=max_wait,
        sort=sort,
    )
    return asked


def _members(
    kind: type[E], names: Iterable[str], name: str, asked: Asked, message: str
) -> tuple[E, ...]:
    """The members the form names as the API does (B1, ONDERWIJS); another name is an
    address edited by hand, answered like any wrong value."""
    try:
        return tuple(kind[value] for value in names)
    except KeyError:
        asked.errors[name] = message
        return ()


def _member(kind: type[E], value: str, name: str, asked: Asked, message: str, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        asked.errors[name] = message
        return default


def _whole(text: str, name: str, asked: Asked, message: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        asked.errors[name] = message
        return None


def beside_fields(page: Page, fact: InvalidInput) -> dict[str, str]:
    """The service's refusal beside the form's field it is about (the form names its
    fields for the address, not as the service does)."""
    refused = field_errors(page, fact, SERVICE_FIELDS)
    return {SERVICE_FIELDS.get(name, name): text for name, text in refused.items()}


@dataclass(frozen=True, slots=True)
class Option:
    """A choice in the form with the number of courses choosing it would find."""

    value: str
    label: str
    count: int | None
    chosen: bool


@dataclass(frozen=True, slots=True)
class Card:
    hit: CourseHit
    rating: RatingSummary
    url: str
    # The course's support languages by name, in the page's language.
    languages: list[str]


class Counts:
    """The facets' counts by field and value; none when there was no search."""

    def __init__(self, result: SearchResult | None) -> None:
        self._counts = {
            facet.field: {value.value: value.count for value in facet.values}
            for facet in (result.facets if result else ())
        }
        self.known = result is not None

    def of(self, facet: FacetField, *values: str) -> int | None:
        if not self.known:
            return None
        counts = self._counts.get(facet, {})
        return sum(counts.get(value, 0) for value in values)


def options(
    page: Page, facet: FacetField, kind: type[StrEnum], chosen: Iterable[str], counts: Counts
) -> list[Option]:
    picked = set(chosen)
    return [
        Option(
            member.name,
            facet_label(label_key(facet, member.name), page.lang, named=member.name),
            counts.of(facet, member.name),
            member.name in picked,
        )
        for member in kind
    ]


def language_names(page: Page, codes: Iterable[str]) -> list[str]:
    """Support languages by name, in the page's language (for a card, a course, a row)."""
    return [support_language_label(code, page.lang) for code in codes]


def language_options(page: Page, chosen: Iterable[str], counts: Counts) -> list[Option]:
    """The support languages some found course offers, and those chosen: a list of every
    language would be long on a phone, and mostly lead to nothing."""
    picked = set(chosen)
    options = [
        Option(code, label, counts.of(FacetField.SUPPORT_LANGUAGE, code), code in picked)
        for code, label in support_language_options(page.lang)
    ]
    return [option for option in options if option.chosen or option.count]


def cards(page: Page, result: SearchResult, form: SearchForm) -> list[Card]:
    where = {"postcode": form.postcode} if form.postcode else None
    return [
        Card(
            hit,
            RatingSummary(hit.course.rating_count, hit.course.rating_sum),
            page.url(f"/courses/{hit.course.id}", where),
            language_names(page, hit.course.support_languages),
        )
        for hit in result.page.items
    ]


async def _search(
    db: Database, backend: SearchBackend, asked: Asked, form: SearchForm
) -> SearchResult:
    async with db.read_connection() as connection:
        return await service.search_courses(
            connection,
            asked.criteria,
            PageRequest(PAGE_SIZE, form.after or None),
            near=asked.near,
            backend=backend,
        )


@get(["/", "/search"])
async def search_page(
    request: Request[Any, Any, Any],
    page: Page,
    db: Database,
    # A protocol: nothing to validate, and it cannot be checked with isinstance.
    search: SkipValidation[SearchBackend],
) -> Template:
    form = SearchForm.of(request.query_params)
    asked = read(page, form)
    result = None
    if not asked.errors:
        try:
            result = await _search(db, search, asked, form)
        except InvalidInput as fact:
            asked.errors = beside_fields(page, fact)
    counts = Counts(result)
    return page.render(
        "search/search.html",
        status_code=400 if asked.errors else 200,
        form=form,
        errors=asked.errors,
        result=result,
        cards=cards(page, result, form) if result else [],
        routes=options(page, FacetField.ROUTE, Route, form.route, counts),
        levels=options(page, FacetField.LEVEL, Level, form.level, counts),
        languages=language_options(page, form.support_language, counts),
        evening_count=counts.of(FacetField.SCHEDULE_KIND, ScheduleKind.EVENING.name),
        weekend_count=counts.of(FacetField.SCHEDULE_KIND, ScheduleKind.WEEKEND.name),
        online_count=counts.of(FacetField.FORMAT, *(kind.name for kind in ONLINE_FORMATS)),
        radii=RADII_KM,
        sorts=list(SearchSort),
    )


ROUTES = [search_page]
