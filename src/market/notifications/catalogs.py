"""The message catalogs: every language the mails are written in, read with Babel.

The source texts are English (`market.notifications.messages`); each other language is one
gettext catalog, `locale/<language>/LC_MESSAGES/messages.po`, shipped in the package and
read as it is when a mail is first written in it (no compile step, no .mo files): adding a
language is adding its .po file. `locale/messages.pot` is the template a translator starts
from (`msginit`, `pybabel init`, or a copy with the msgstr filled in).

A message missing from a catalog, left empty or marked fuzzy would silently fall back to
English; `problems` finds them, and a test runs it over every catalog.

    python -m market.notifications.catalogs   # after changing a source text

writes the template anew and updates every catalog from it (new texts added untranslated,
changed ones marked fuzzy, removed ones kept as obsolete `#~` entries).
"""

from __future__ import annotations

import functools
import io
import re
import string
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from market.notifications import messages

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
# The language of the source texts: it needs no catalog.
SOURCE_LANGUAGE = "en"

_POT_HEADER = """\
# The texts of market's mails, to translate (the template of every catalog).
# Source: src/market/notifications/messages.py; written by
# `python -m market.notifications.catalogs`. A new language: copy this file to
# locale/<language>/LC_MESSAGES/messages.po, set its Language and Plural-Forms headers,
# and fill in every msgstr."""

_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


def catalog_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def languages(locale_dir: Path = LOCALE_DIR) -> frozenset[str]:
    """The languages mails are written in: English and every language with a catalog."""
    found = {
        folder.name
        for folder in locale_dir.iterdir()
        if _LANGUAGE.match(folder.name) and catalog_path(folder.name, locale_dir).is_file()
    }
    return frozenset({SOURCE_LANGUAGE, *found})


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


@functools.cache
def translations(language: str, locale_dir: Path = LOCALE_DIR) -> NullTranslations:
    """The language's catalog, read once per process (English without one: the source)."""
    path = catalog_path(language, locale_dir)
    if not path.is_file():
        if language != SOURCE_LANGUAGE:
            raise LookupError(f"no message catalog for {language!r}")
        return NullTranslations()
    compiled = io.BytesIO()
    # Fuzzy entries are left out, as msgfmt does: a text changed since its translation
    # reads in English until a translator confirms it (and the catalog test fails).
    write_mo(compiled, read(path), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _key(text: messages.Text) -> str | tuple[str, str]:
    return text.msgid if text.plural is None else (text.msgid, text.plural)


def problems(catalog: Catalog, texts: Iterable[messages.Text] = messages.ALL) -> list[str]:
    """What keeps `catalog` from translating every text: a message missing, untranslated
    (in any plural form), fuzzy, or naming other `{fields}` than its source."""
    found = []
    for text in texts:
        label = f"{text.context + ': ' if text.context else ''}{text.msgid[:60]!r}"
        entry = catalog.get(_key(text), context=text.context)
        if entry is None:
            found.append(f"missing {label}")
            continue
        if entry.fuzzy:
            found.append(f"fuzzy {label}")
        forms = (entry.string,) if isinstance(entry.string, str) else tuple(entry.string or ())
        if text.plural is not None and len(forms) < catalog.num_plurals:
            found.append(f"too few plural forms for {label}")
        if not all(forms):
            found.append(f"untranslated {label}")
            continue
        source = _fields(text.msgid) | _fields(text.plural or "")
        if any(_fields(form) != source for form in forms if form):
            found.append(f"other {{fields}} than the source in {label}")
    return found


def template() -> Catalog:
    """The template (messages.pot) of every source text."""
    pot = Catalog(project="market", domain=DOMAIN, fuzzy=False, header_comment=_POT_HEADER)
    for text in messages.ALL:
        pot.add(_key(text), context=text.context)
    return pot


def update(locale_dir: Path = LOCALE_DIR) -> None:
    """Write the template, and bring every catalog in step with it."""
    pot = template()
    with (locale_dir / f"{DOMAIN}.pot").open("wb") as out:
        write_po(out, pot, omit_header=False, width=100)
    for language in sorted(languages(locale_dir) - {SOURCE_LANGUAGE}):
        path = catalog_path(language, locale_dir)
        catalog = read(path)
        catalog.update(pot, no_fuzzy_matching=False)
        with path.open("wb") as out:
            write_po(out, catalog, width=100)


if __name__ == "__main__":
    update()
