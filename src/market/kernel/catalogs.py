"""The gettext catalogs every text for people is translated by, read with Babel.

One layout for every domain (a set of texts with one source language):
`market/locale/<language>/LC_MESSAGES/<domain>.po`, shipped in the package and read as it
is when a text is first wanted in that language (no compile step, no .mo files), with
`market/locale/<domain>.pot` the template a translator starts from. The domains:

- `mails`: the mails (source texts English, market.notifications.messages);
- `errors`: the message of every error reason (source texts English, each fact's
  `message`, under its reason as context);
- `labels`: the search's facet labels (source texts Dutch, under their label key);
- `web`: the learners' pages (source texts plain Dutch, from the templates and web code).

The source language needs no catalog: its texts are the msgids. A message missing from a
catalog, left empty, marked fuzzy or naming other placeholders than its source would
silently read in the source language or break its formatting; `problems` finds them, and a
test runs it over every domain in every language. `python -m market.locale` writes the
templates anew and updates every catalog from them.
"""

from __future__ import annotations

import functools
import io
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from market.kernel.errors import DomainError
from market.kernel.i18n import Language

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# Each domain's source language: the language its msgids are written in.
SOURCES: dict[str, Language] = {
    "mails": Language.EN,
    "errors": Language.EN,
    "labels": Language.NL,
    "web": Language.NL,
}


@dataclass(frozen=True, slots=True)
class Message:
    """One translatable text: its source wording is its msgid (with a `context` where the
    same words could mean two things); `plural`: the source's plural form, for a text that
    counts."""

    msgid: str
    context: str | None = None
    plural: str | None = None

    @property
    def key(self) -> str | tuple[str, str]:
        return self.msgid if self.plural is None else (self.msgid, self.plural)


def catalog_path(domain: str, language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def template_path(domain: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / f"{domain}.pot"


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


_CREATED = re.compile(rb'^"POT-Creation-Date: [^"]*"$', re.MULTILINE)


def write(path: Path, catalog: Catalog) -> None:
    """Write `catalog` to `path`, unless only its creation date would change: rerunning
    the update leaves alone what it did not change, so two branches that each ran it
    merge without conflicts in files neither touched."""
    out = io.BytesIO()
    write_po(out, catalog, width=100)
    written = out.getvalue()
    if path.is_file() and _CREATED.sub(b"", path.read_bytes()) == _CREATED.sub(b"", written):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(written)


@functools.cache
def translations(domain: str, language: str, locale_dir: Path = LOCALE_DIR) -> NullTranslations:
    """The domain's texts in `language`, read once per process: its catalog, or the
    source texts themselves in the domain's source language."""
    path = catalog_path(domain, language, locale_dir)
    if not path.is_file():
        if language != SOURCES[domain]:
            raise LookupError(f"no {domain!r} catalog for {language!r}")
        return NullTranslations()
    compiled = io.BytesIO()
    # Fuzzy entries are left out, as msgfmt does: a text changed since its translation
    # reads in the source language until a translator confirms it (and the test fails).
    write_mo(compiled, read(path), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def error_text(fact: DomainError, language: Language | str) -> str:
    """The fact's message in `language`, its parameters filled in (English is the
    fact's own message)."""
    template = type(fact).message
    translated = translations("errors", language).pgettext(fact.reason, template)
    return str(translated).format(**fact.params)


_PERCENT = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def placeholders(text: str) -> set[str]:
    """The `{name}` and `%(name)s` placeholders a text is filled in by."""
    found = {f"%({name})" for name in _PERCENT.findall(text)}
    try:
        fields = string.Formatter().parse(text)
        found |= {f"{{{name}}}" for _, name, _, _ in fields if name is not None}
    except ValueError:  # a lone brace: text, not a template
        pass
    return found


def problems(catalog: Catalog, messages: Iterable[Message]) -> list[str]:
    """What keeps `catalog` from translating every message: one missing, untranslated (in
    any plural form), fuzzy, or using other placeholders than its source."""
    found = []
    for message in messages:
        context = f"{message.context}: " if message.context else ""
        label = f"{context}{message.msgid[:60]!r}"
        entry = catalog.get(message.key, context=message.context)
        if entry is None:
            found.append(f"missing {label}")
            continue
        if entry.fuzzy:
            found.append(f"fuzzy {label}")
        forms = (entry.string,) if isinstance(entry.string, str) else tuple(entry.string or ())
        if message.plural is not None and len(forms) < catalog.num_plurals:
            found.append(f"too few plural forms for {label}")
        if not all(forms):
            found.append(f"untranslated {label}")
            continue
        source = placeholders(message.msgid) | placeholders(message.plural or "")
        if any(placeholders(form) != source for form in forms):
            found.append(f"other placeholders than the source in {label}")
    return found


def template(domain: str, messages: Iterable[Message], header: str) -> Catalog:
    """The domain's template (.pot): every source text, untranslated."""
    pot = Catalog(project="market", domain=domain, fuzzy=False, header_comment=header)
    for message in messages:
        pot.add(message.key, context=message.context)
    return pot


def update(
    domain: str, messages: Iterable[Message], header: str, locale_dir: Path = LOCALE_DIR
) -> None:
    """Write the domain's template, and bring its catalog in every language but the
    source in step with it: new texts added untranslated, changed ones marked fuzzy,
    removed ones kept as obsolete `#~` entries; a language without one gets one."""
    pot = template(domain, messages, header)
    write(template_path(domain, locale_dir), pot)
    for language in Language:
        if language == SOURCES[domain]:
            continue
        path = catalog_path(domain, language, locale_dir)
        catalog = read(path) if path.is_file() else _new_catalog(domain, language)
        catalog.update(pot, no_fuzzy_matching=False)
        write(path, catalog)


def _new_catalog(domain: str, language: Language) -> Catalog:
    # (Its Plural-Forms header comes from Babel's data for the language.)
    return Catalog(
        locale=language.value,
        domain=domain,
        project="market",
        fuzzy=False,
        header_comment=f"# The {domain} domain's texts in {language.locale.english_name}: "
        f"see {domain}.pot for how to translate them.",
    )
