"""The mails' languages: a mail is written in its reader's language, with values written
the way that language writes them (whether every text is translated:
tests/platform/test_catalogs.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from market.notifications import messages
from market.notifications.render import Money, Phrase, Words
from market.notifications.service import language


@pytest.mark.parametrize(
    ("preferred", "written_in"),
    [("nl", "nl"), ("en", "en"), ("ti", "ti"), ("de", "nl"), ("", "nl"), (None, "nl")],
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
