"""The languages people are answered in.

A text for people comes from a gettext catalog (market.kernel.catalogs), never from a
class or enum name, so wording and translations change without touching the code that
uses them. Dutch is the platform's language: it is what a reader gets who asks for none it
speaks.
"""

from __future__ import annotations

from enum import StrEnum

from babel import Locale


class Language(StrEnum):
    """A language spoken here, by its ISO 639-1 code (also its Babel locale)."""

    NL = "nl"
    EN = "en"
    AR = "ar"
    TR = "tr"
    TI = "ti"

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.value)

    @property
    def direction(self) -> str:
        """How its script runs: `rtl` (Arabic) or `ltr`, as HTML's `dir` takes it."""
        return "rtl" if self.locale.text_direction == "rtl" else "ltr"


DEFAULT_LANGUAGE = Language.NL


def native_name(code: str) -> str:
    """What a language calls itself (Nederlands, العربية, ትግርኛ), from Babel's locale data."""
    return str(Locale.parse(code).get_display_name(code))


def negotiate(accept_language: str) -> Language:
    """The language an `Accept-Language` header prefers most among those spoken here:
    ranges by weight (ties keep their order), matched by their primary subtag, so `en-GB`
    is English; `*` or nothing spoken here gives the default."""
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(accept_language.split(",")):
        tag, _, parameters = entry.strip().partition(";")
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                continue
        if weight > 0:
            ranked.append((-weight, position, tag.strip().split("-")[0].lower()))
    spoken = {language.value: language for language in Language}
    for _, _, primary in sorted(ranked):
        if primary in spoken:
            return spoken[primary]
    return DEFAULT_LANGUAGE
