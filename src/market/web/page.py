"""What every page handler and template gets: the page's language, its reader and texts,
the way numbers are written, and the response that carries the page."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_day_names
from babel.numbers import format_currency, format_decimal
from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.response import Template

from market.db.database import Database
from market.identity.policies import Actor
from market.kernel.i18n import Language, native_name
from market.settings import Settings
from market.web import i18n, session

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The language a visitor last read the pages in: `/` sends them back to it.
LANGUAGE_COOKIE = "market_language"
_YEAR = 365 * 24 * 3600

# The pages load nothing from elsewhere (the payment step adds Stripe's origins).
_POLICY = (
    "default-src 'none'; script-src 'self'{scripts}; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'{connect}; frame-src {frames}; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def content_security_policy(stripe_origins: tuple[str, ...] = ()) -> str:
    origins = "".join(f" {origin}" for origin in stripe_origins)
    return _POLICY.format(scripts=origins, connect=origins, frames=origins.strip() or "'none'")


@dataclass(frozen=True, slots=True)
class Page:
    lang: Language
    actor: Actor
    settings: Settings
    # This page's path after the language prefix, with its query: the switcher's target.
    rest: str

    def signed_in(self) -> Actor:
        """The signed-in visitor; anyone else is sent to sign in first, and back."""
        if not self.actor.is_authenticated:
            raise session.SignInFirst()
        return self.actor

    @property
    def dir(self) -> str:
        return self.lang.direction

    @property
    def texts(self) -> i18n.Gettext:
        return i18n.Gettext(self.lang)

    def url(self, path: str = "/", query: Mapping[str, Any] | None = None) -> str:
        """A page's address in this page's language."""
        suffix = f"?{urlencode(query, doseq=True)}" if query else ""
        return f"/{self.lang.value}{path}{suffix}"

    def languages(self) -> list[tuple[str, str, str]]:
        """(code, name in its own language, this page in it) for the switcher."""
        return [
            (lang.value, native_name(lang.value), f"/{lang.value}{self.rest}") for lang in Language
        ]

    def money(self, cents: int) -> str:
        return _money(cents, self.lang.value)

    def number(self, value: float, digits: int = 0) -> str:
        return format_decimal(round(value, digits), locale=self.lang.value)

    def date(self, day: date, style: str = "medium") -> str:
        return _date(day, style, self.lang.value)

    def weekday(self, iso_weekday: int) -> str:
        """Monday (1) to Sunday (7)."""
        return str(get_day_names("wide", locale=self.lang.value)[iso_weekday - 1])

    def time(self, at: time) -> str:
        """A local clock time (a lesson's start)."""
        return format_time(at, "short", locale=self.lang.value)

    def moment(self, at: datetime) -> str:
        return format_datetime(at, "medium", tzinfo=AMSTERDAM, locale=self.lang.value)

    def render(
        self,
        template: str,
        *,
        status_code: int = 200,
        stripe_origins: tuple[str, ...] = (),
        cookies: list[Cookie] | None = None,
        **context: Any,
    ) -> Template:
        return Template(
            template_name=template,
            context={"page": self, **self.texts.callables(), **context},
            status_code=status_code,
            headers={
                "Content-Security-Policy": content_security_policy(stripe_origins),
                "Referrer-Policy": "same-origin",
                "Content-Language": self.lang.value,
            },
            cookies=[
                Cookie(
                    key=LANGUAGE_COOKIE,
                    value=self.lang.value,
                    max_age=_YEAR,
                    path="/",
                    secure=True,
                    httponly=True,
                    samesite="lax",
                ),
                *(cookies or []),
            ],
        )


# A result page writes some forty amounts and dates: Babel takes a tenth of a millisecond
# for each, and the same prices and start dates come back page after page.
@functools.lru_cache(maxsize=4096)
def _money(cents: int, locale: str) -> str:
    return format_currency(cents / 100, "EUR", locale=locale)


@functools.lru_cache(maxsize=4096)
def _date(day: date, style: str, locale: str) -> str:
    return format_date(day, style, locale=locale)


async def provide_page(
    request: Request[Any, Any, Any], db: Database, settings: Settings, lang: str
) -> Page:
    """The page a request under /{lang}/ reads: an unknown language prefix is no page."""
    chosen = i18n.language(lang)
    if chosen is None:
        raise NotFoundException()
    prefix = f"/{lang}"
    rest = request.url.path[len(prefix) :] or "/"
    if request.url.query:
        rest += f"?{request.url.query}"
    return Page(chosen, await session.actor(db, request), settings, rest)
