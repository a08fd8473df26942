"""The mails' message catalogs: every language has every text, with the same `{fields}` as
its English source; a new language is one .po file; values are written the way each
language writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from market.kernel.i18n import Language
from market.notifications import catalogs, messages
from market.notifications.render import Money, Phrase, Words
from market.notifications.service import language

TRANSLATED = sorted(catalogs.languages() - {catalogs.SOURCE_LANGUAGE})


def test_every_language_people_are_answered_in_has_its_mails() -> None:
    assert {spoken.value for spoken in Language} <= catalogs.languages()
    assert "nl" in TRANSLATED


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_text_is_translated_with_the_fields_of_its_source(code: str) -> None:
    catalog = catalogs.read(catalogs.catalog_path(code))

    assert catalogs.problems(catalog) == []


def test_a_missing_empty_fuzzy_or_misfilled_translation_is_found() -> None:
    catalog = catalogs.read(catalogs.catalog_path("nl"))
    del catalog[messages.CONFIRMED.subject.msgid]
    catalog[messages.SEAT_HELD.subject.msgid].string = ""
    catalog[messages.CANCELLED.body.msgid].flags.add("fuzzy")
    catalog[messages.HOLD_EXPIRED.subject.msgid].string = "Verlopen: {cursus}"
    catalog.get(messages.ROLES["editor"].msgid, context="role").string = ""  # type: ignore[union-attr]

    assert catalogs.problems(catalog) == [
        "untranslated role: 'editor'",
        "untranslated 'We are holding a seat for you: {course}'",
        "missing 'Your booking is confirmed: {course}'",
        "fuzzy 'Dear {name},\\n\\nYour booking is cancelled, as you asked.\\n\\n{det'",
        "other {fields} than the source in 'Your seat is no longer held: {course}'",
    ]


def test_the_template_holds_exactly_the_source_texts() -> None:
    with (catalogs.LOCALE_DIR / "messages.pot").open("rb") as pot:
        template = read_po(pot)

    assert {(entry.id, entry.context) for entry in template if entry.id} == {
        (text.msgid if text.plural is None else (text.msgid, text.plural), text.context)
        for text in messages.ALL
    }


def test_a_language_is_added_by_adding_its_catalog(tmp_path: Path) -> None:
    catalog = catalogs.template()
    catalog.locale = "tr"  # type: ignore[assignment]
    catalog[messages.CANCELLED.subject.msgid].string = "Rezervasyonunuz iptal edildi: {course}"
    path = catalogs.catalog_path("tr", tmp_path)
    path.parent.mkdir(parents=True)
    with path.open("wb") as po:
        write_po(po, catalog)

    assert catalogs.languages(tmp_path) == {"en", "tr"}
    translations = catalogs.translations("tr", tmp_path)
    assert translations.gettext(messages.CANCELLED.subject.msgid) == (
        "Rezervasyonunuz iptal edildi: {course}"
    )
    assert len(catalogs.problems(catalogs.read(path))) == len(messages.ALL) - 1


@pytest.mark.parametrize(
    ("preferred", "written_in"),
    [("nl", "nl"), ("en", "en"), ("tr", "nl"), ("", "nl"), (None, "nl")],
)
def test_a_mail_is_written_in_the_preferred_language_or_else_dutch(
    preferred: str | None, written_in: str
) -> None:
    assert language(preferred) == written_in


def test_money_dates_and_times_are_written_the_way_each_language_does() -> None:
    # 08:05 UTC on a winter's day is 09:05 in Amsterdam; in summer 10:05.
    winter = datetime(2027, 1, 4, 8, 5, tzinfo=UTC)
    summer = datetime(2027, 7, 5, 8, 5, tzinfo=UTC)
    dutch, english = Words("nl"), Words("en")

    assert dutch.format(Money(300_000)) == "€\xa03.000,00"
    assert english.format(Money(123_456)) == "€1,234.56"
    assert dutch.format(winter) == "maandag 4 januari 2027, 09:05"
    assert dutch.format(summer) == "maandag 5 juli 2027, 10:05"
    assert english.format(winter) == "Monday, January 4, 2027, 9:05\u202fAM"
    assert dutch.format(date(2027, 3, 1)) == "maandag 1 maart 2027"
    assert english.format(date(2027, 3, 1)) == "Monday, March 1, 2027"


@pytest.mark.parametrize(
    ("code", "count", "written"),
    [
        ("nl", 1, "binnen 1 werkdag"),
        ("nl", 3, "binnen 3 werkdagen"),
        ("en", 1, "within 1 working day"),
        ("en", 3, "within 3 working days"),
    ],
)
def test_a_count_takes_its_languages_plural_form(code: str, count: int, written: str) -> None:
    assert Words(code).format(Phrase(messages.WORKING_DAYS, count=count)) == written
