"""The tenders' pure rules: the state machines, and what publication will check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from market.tenders import errors
from market.tenders.policies import (
    LOT_TRANSITIONS,
    TENDER_TRANSITIONS,
    ContractTerm,
    LotState,
    TenderState,
    answers_due,
    check_answers_window,
    check_deadline_ahead,
    check_latest_end,
    check_maximum_values,
    earliest_end,
    move_lot,
    move_tender,
)


def _tender(state: TenderState) -> Any:
    return SimpleNamespace(state=state)


def test_a_tender_runs_its_lifecycle_from_draft_to_contracted() -> None:
    tender = _tender(TenderState.DRAFT)
    path = [
        TenderState.PUBLISHED,
        TenderState.QUESTIONS_CLOSED,
        TenderState.BIDS_CLOSED,
        TenderState.OPENED,
        TenderState.EVALUATED,
        TenderState.AWARD_DECIDED,
        TenderState.CONTRACTED,
    ]
    for state in path:
        move_tender(tender, state)
        assert tender.state is state


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (TenderState.DRAFT, TenderState.OPENED),
        (TenderState.PUBLISHED, TenderState.DRAFT),
        (TenderState.BIDS_CLOSED, TenderState.AWARD_DECIDED),
        (TenderState.CONTRACTED, TenderState.CANCELLED),
        (TenderState.CANCELLED, TenderState.PUBLISHED),
    ],
)
def test_a_move_outside_the_table_is_refused_and_changes_nothing(
    current: TenderState, target: TenderState
) -> None:
    tender = _tender(current)
    with pytest.raises(errors.TransitionNotAllowed) as refused:
        move_tender(tender, target)
    assert tender.state is current
    assert refused.value.params == {
        "kind": "tender",
        "current": current.name,
        "target": target.name,
    }


def test_every_open_state_can_be_cancelled_and_the_ends_are_final() -> None:
    ends = {TenderState.CONTRACTED, TenderState.CANCELLED, TenderState.UNSUCCESSFUL}
    for state, targets in TENDER_TRANSITIONS.items():
        assert (TenderState.CANCELLED in targets) is (state not in ends)
        assert (targets == frozenset()) is (state in ends)
    assert set(TENDER_TRANSITIONS) == set(TenderState)
    assert set(LOT_TRANSITIONS) == set(LotState)


def test_a_lot_is_decided_contracted_or_unsuccessful() -> None:
    lot = SimpleNamespace(state=LotState.ACTIVE)
    move_lot(lot, LotState.UNSUCCESSFUL)
    assert lot.state is LotState.UNSUCCESSFUL
    with pytest.raises(errors.TransitionNotAllowed):
        move_lot(lot, LotState.CONTRACTED)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_answers_are_due_six_calendar_days_before_the_deadline_across_summer_time() -> None:
    # Summer time starts on 2027-03-28: six days before 2 April 12:00 (CEST) is 27 March
    # 12:00 (CET), seven minus one hour of UTC earlier.
    deadline = _utc("2027-04-02T12:00:00+02:00")
    assert answers_due(deadline) == _utc("2027-03-27T12:00:00+01:00")
    check_answers_window(_utc("2027-03-27T12:00:00+01:00"), deadline)
    with pytest.raises(errors.AnswersTooLate) as late:
        check_answers_window(_utc("2027-03-27T12:00:01+01:00"), deadline)
    assert late.value.field == "timeline.questionsDeadline"
    assert late.value.params["days"] == 6


def test_every_lot_states_a_maximum_value() -> None:
    check_maximum_values([1, 150_000_000])
    with pytest.raises(errors.MaximumValueRequired) as missing:
        check_maximum_values([150_000_000, None])
    assert missing.value.field == "lots[1].maxValueCents"


def test_the_latest_end_date_includes_every_extension() -> None:
    start = _utc("2027-01-01T00:00:00+01:00")
    term = ContractTerm(24, (12, 12), date(2030, 12, 31))
    assert earliest_end(start, term) == date(2030, 12, 31)
    check_latest_end(start, term)
    with pytest.raises(errors.LatestEndDateTooEarly) as early:
        check_latest_end(start, ContractTerm(24, (12, 12), date(2029, 12, 31)))
    assert early.value.params == {"earliest": "2030-12-31"}
    with pytest.raises(errors.LatestEndDateRequired):
        check_latest_end(start, ContractTerm(24))


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2027-01-31", 1, date(2027, 2, 28)),
        ("2027-03-01", 1, date(2027, 3, 31)),
        ("2027-12-15", 3, date(2028, 3, 14)),
        ("2028-01-30", 1, date(2028, 2, 29)),
    ],
)
def test_a_term_ends_the_day_before_the_same_date_or_at_a_short_months_end(
    start: str, months: int, end: date
) -> None:
    assert earliest_end(_utc(f"{start}T00:00:00+01:00"), ContractTerm(months)) == end


def test_the_bid_deadline_must_lie_ahead_of_the_database_clock() -> None:
    now = _utc("2027-03-01T09:00:00+01:00")
    check_deadline_ahead(now + timedelta(seconds=1), now)
    with pytest.raises(errors.DeadlineInPast) as past:
        check_deadline_ahead(now, now)
    assert past.value.field == "timeline.bidDeadline"
