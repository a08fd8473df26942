"""The pages' languages: which there are, how each is written, and their texts.

The source texts of the pages are plain (B1) Dutch, so Dutch needs no catalog; every other
language reads the `web` gettext catalog. Templates call `_("...")` with newstyle
placeholders (`_("%(count)s courses", count=n)`): the translation is trusted markup, the
values are escaped into it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from market.kernel import catalogs
from market.kernel.i18n import Language, negotiate


def language(code: str) -> Language | None:
    """The language a URL prefix names, or None."""
    try:
        return Language(code)
    except ValueError:
        return None


def chosen(remembered: str | None, accept_language: str) -> Language:
    """The language for a visitor who named none: the one they chose before, or else the
    one their browser prefers."""
    return language(remembered or "") or negotiate(accept_language)


class Gettext:
    """A language's newstyle `_`, `gettext` and `ngettext` for templates and pages."""

    def __init__(self, lang: Language) -> None:
        self._translations = catalogs.translations("web", lang)

    def gettext(self, message: str, /, **variables: Any) -> Markup:
        text = Markup(self._translations.gettext(message))  # noqa: S704 (our own catalog)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, count: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", count)
        text = Markup(self._translations.ngettext(singular, plural, count))  # noqa: S704
        return text % variables

    def callables(self) -> dict[str, Callable[..., Markup]]:
        return {"_": self.gettext, "gettext": self.gettext, "ngettext": self.ngettext}
