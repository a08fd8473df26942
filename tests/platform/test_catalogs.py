"""Every text people see is in the catalogs, in all five languages: a test below fails for
each domain and language that misses a translation, leaves one empty or fuzzy, or fills
in other placeholders than its source. The templates hold exactly the source texts, and
the tooling finds what a translator left undone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.numbers import format_currency, format_decimal

from market.identity.service import SUPPORTED_LANGUAGES
from market.kernel import catalogs
from market.kernel.catalogs import Message
from market.kernel.i18n import Language
from market.locale import DOMAINS, web_messages
from market.notifications import messages
from market.search.errors import RadiusOutOfRange

TRANSLATIONS = [
    (domain, language)
    for domain in DOMAINS
    for language in Language
    if language != catalogs.SOURCES[domain]
]


def catalog(domain: str, language: str) -> Catalog:
    """The language's catalog of the domain (an empty one where it has none yet)."""
    path = catalogs.catalog_path(domain, language)
    return catalogs.read(path) if path.is_file() else Catalog(locale=language)


@pytest.mark.parametrize(
    ("domain", "language"), TRANSLATIONS, ids=[f"{d}-{lang}" for d, lang in TRANSLATIONS]
)
def test_every_text_is_translated_with_the_placeholders_of_its_source(
    domain: str, language: str
) -> None:
    assert catalogs.problems(catalog(domain, language), DOMAINS[domain].messages()) == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_exactly_the_source_texts(domain: str) -> None:
    path = catalogs.template_path(domain)
    template = catalogs.read(path) if path.is_file() else Catalog()

    assert {(entry.id, entry.context) for entry in template if entry.id} == {
        (message.key, message.context) for message in DOMAINS[domain].messages()
    }


def test_every_error_reason_and_facet_label_is_a_text_of_its_domain() -> None:
    errors = DOMAINS["errors"].messages()
    labels = DOMAINS["labels"].messages()

    assert Message("Search within {min:g} to {max:g} km.", "RadiusOutOfRange") in errors
    assert len({message.context for message in errors}) == len(errors)
    assert Message("Avond", "schedule_kind.EVENING") in labels


def test_a_missing_empty_fuzzy_or_misfilled_translation_is_found() -> None:
    nl = catalog("mails", "nl")
    del nl[messages.CONFIRMED.subject.msgid]
    nl[messages.SEAT_HELD.subject.msgid].string = ""
    nl[messages.CANCELLED.body.msgid].flags.add("fuzzy")
    nl[messages.HOLD_EXPIRED.subject.msgid].string = "Verlopen: {cursus}"
    nl.get(messages.ROLES["editor"].msgid, context="role").string = ""  # type: ignore[union-attr]

    assert catalogs.problems(nl, messages.ALL) == [
        "untranslated role: 'editor'",
        "untranslated 'We are holding a seat for you: {course}'",
        "missing 'Your booking is confirmed: {course}'",
        "fuzzy 'Dear {name},\\n\\nYour booking is cancelled, as you asked.\\n\\n{det'",
        "other placeholders than the source in 'Your seat is no longer held: {course}'",
    ]


def test_percent_placeholders_count_as_much_as_braces() -> None:
    pages = Catalog(locale="en")
    pages.add("%(count)s cursussen gevonden", "%(n)s courses found")
    pages.add("Zoek {naam}", "Search")
    pages.add("100% online", "100% online")
    texts = [Message("%(count)s cursussen gevonden"), Message("Zoek {naam}")]

    assert catalogs.placeholders("%(count)d van %(total)s, {name}, {{letterlijk}}, 100%") == {
        "%(count)",
        "%(total)",
        "{name}",
    }
    assert catalogs.placeholders("een { los haakje") == set()
    assert catalogs.problems(pages, [*texts, Message("100% online")]) == [
        "other placeholders than the source in '%(count)s cursussen gevonden'",
        "other placeholders than the source in 'Zoek {naam}'",
    ]


def test_update_writes_the_template_and_starts_a_missing_languages_catalog(
    tmp_path: Path,
) -> None:
    texts = [Message("Zoeken"), Message("%(n)s cursus", plural="%(n)s cursussen")]

    catalogs.update("web", texts, "# test", tmp_path)

    assert not catalogs.catalog_path("web", "nl", tmp_path).exists()  # the source language
    arabic = catalogs.read(catalogs.catalog_path("web", "ar", tmp_path))
    assert arabic.num_plurals == 6
    assert len(catalogs.problems(arabic, texts)) == 2
    template = catalogs.read(catalogs.template_path("web", tmp_path))
    assert [entry.id for entry in template if entry.id] == [
        "Zoeken",
        ("%(n)s cursus", "%(n)s cursussen"),
    ]


def test_an_update_that_changes_nothing_leaves_the_files_alone(tmp_path: Path) -> None:
    texts = [Message("Zoeken")]
    catalogs.update("web", texts, "# test", tmp_path)
    paths = [catalogs.template_path("web", tmp_path), catalogs.catalog_path("web", "ti", tmp_path)]
    for path in paths:  # as written by an earlier run
        path.write_bytes(path.read_bytes().replace(b"Creation-Date: 20", b"Creation-Date: 19"))
    before = [path.read_bytes() for path in paths]

    catalogs.update("web", texts, "# test", tmp_path)
    unchanged = [path.read_bytes() for path in paths]
    catalogs.update("web", [*texts, Message("Boeken")], "# test", tmp_path)

    assert unchanged == before
    assert b"Boeken" in paths[1].read_bytes()


def test_a_translation_is_read_from_its_catalog_and_the_source_needs_none(
    tmp_path: Path,
) -> None:
    texts = [Message("Zoeken")]
    catalogs.update("web", texts, "# test", tmp_path)
    turkish = catalogs.read(catalogs.catalog_path("web", "tr", tmp_path))
    turkish["Zoeken"].string = "Ara"
    catalogs.write(catalogs.catalog_path("web", "tr", tmp_path), turkish)

    assert catalogs.translations("web", "tr", tmp_path).gettext("Zoeken") == "Ara"
    assert catalogs.translations("web", "nl", tmp_path).gettext("Zoeken") == "Zoeken"
    with pytest.raises(LookupError):
        catalogs.translations("web", "fa", tmp_path)


def test_the_pages_texts_are_extracted_from_templates_and_web_code(tmp_path: Path) -> None:
    (tmp_path / "templates" / "search").mkdir(parents=True)
    (tmp_path / "templates" / "search" / "page.html").write_text(
        '<h1>{{ _("Zoek een cursus") }}</h1>\n'
        "{% trans count=total %}\n  {{ count }} cursus\n{% pluralize %}\n"
        "  {{ count }} cursussen\n{% endtrans %}\n"
        '<p>{{ pgettext("knop", "Boeken") }}</p>\n'
    )
    (tmp_path / "pages.py").write_text('TITLE = _("Mijn boekingen")\nOTHER = "niet dit"\n')

    assert web_messages(tmp_path) == [
        Message("Mijn boekingen"),
        Message("Zoek een cursus"),
        Message("%(count)s cursus", plural="%(count)s cursussen"),
        Message("Boeken", context="knop"),
    ]


def test_an_error_reads_in_the_language_asked_for() -> None:
    fact = RadiusOutOfRange(0.1, 250)

    assert catalogs.error_text(fact, Language.NL) == "Zoek binnen 0.1 tot 250 km."
    assert catalogs.error_text(fact, Language.EN) == fact.message == "Search within 0.1 to 250 km."


def test_five_languages_with_their_direction_and_formats() -> None:
    assert [language.value for language in Language] == ["nl", "en", "ar", "tr", "ti"]
    assert {language: language.direction for language in Language} == {
        Language.NL: "ltr",
        Language.EN: "ltr",
        Language.AR: "rtl",
        Language.TR: "ltr",
        Language.TI: "ltr",
    }
    assert set(Language) <= set(SUPPORTED_LANGUAGES)
    tigrinya = Language.TI.locale
    assert format_date(date(2027, 3, 1), "full", locale=tigrinya) == "ሰኑይ፣ 1 መጋቢት 2027"
    assert format_currency(1234.5, "EUR", locale=tigrinya) == "€1,234.50"
    assert format_decimal(1234.5, locale=Language.TR.locale) == "1.234,5"
