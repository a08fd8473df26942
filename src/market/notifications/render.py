"""Writing a text in one language: its translation from the catalog, its `{fields}` filled
in with values formatted the way the language writes them (Babel's locale data): money in
euros, dates and times in Amsterdam time, a count in the right plural form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal

from market.kernel import catalogs
from market.kernel.catalogs import Message

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in euro cents."""

    cents: int


@dataclass(frozen=True, slots=True)
class Phrase:
    """A text of its own inside another, in the same language; `count` picks the plural
    form and fills `{count}`."""

    text: Message
    values: Mapping[str, Value] = field(default_factory=dict)
    count: int | None = None


# A moment (datetime) is written as Amsterdam's date and time; a date as a date; a Decimal
# (a score) to SCORE_PLACES decimal places.
Value = str | int | Decimal | Money | date | datetime | Phrase
SCORE_PLACES = 4


class Words:
    """The texts and formats of one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._catalog = catalogs.translations("mails", language)

    def translate(self, text: Message, count: int | None = None) -> str:
        catalog, context = self._catalog, text.context
        if text.plural is not None:
            n = count or 0
            if context is None:
                return catalog.ngettext(text.msgid, text.plural, n)
            return catalog.npgettext(context, text.msgid, text.plural, n)
        if context is None:
            return catalog.gettext(text.msgid)
        return str(catalog.pgettext(context, text.msgid))

    def write(self, text: Message, values: Mapping[str, Value], count: int | None = None) -> str:
        filled = {name: self.format(value) for name, value in values.items()}
        if count is not None:
            filled["count"] = self.format(count)
        return self.translate(text, count).format(**filled)

    def format(self, value: Value) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, Phrase):
            return self.write(value.text, value.values, value.count)
        if isinstance(value, Money):
            euros = Decimal(value.cents).scaleb(-2)
            return format_currency(euros, "EUR", locale=self.locale)
        if isinstance(value, datetime):
            local = value.astimezone(AMSTERDAM)
            # The language's way of joining a date and a time ("{1}, {0}").
            pattern = str(get_datetime_format("long", locale=self.locale))
            return (
                pattern.replace("'", "")
                .replace("{0}", format_time(local, "short", locale=self.locale))
                .replace("{1}", format_date(local.date(), "full", locale=self.locale))
            )
        if isinstance(value, date):
            return format_date(value, "full", locale=self.locale)
        if isinstance(value, Decimal):
            pattern = "#,##0." + "0" * SCORE_PLACES
            return format_decimal(value, pattern, locale=self.locale, decimal_quantization=True)
        return format_decimal(value, locale=self.locale)
