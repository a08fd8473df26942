"""Mails to learners about their bookings: a real booking made with enrollment's verbs, its
events run through the real outbox and worker, and the mail the learner finds (an .eml file),
in Dutch or English, naming the course, the school and the start. A learner whose account
is gone gets none; an event delivered twice mails once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, text, update

from market import worker
from market.db import outbox
from market.db.database import Database
from market.enrollment import service as enrollment
from market.enrollment.events import EnrollmentConfirmed
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod
from market.enrollment.policies import BookingRules
from market.enrollment.summaries import BookingSummary, CourseStart, Learner
from market.identity import service as identity
from market.identity.models import OrganisationKind, User
from market.notifications import bookings, messages, tasks
from market.notifications.render import Words
from market.payments import duo
from market.payments.models import DuoInvoiceState
from tests.identity.state import count
from tests.notifications.test_mails import body, mail_jobs, mails, run_jobs
from tests.support import actors, catalog
from tests.support.graphql import GraphQLClient

RULES = BookingRules()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCHOOL = "Taalschool De Brug"
COURSE = "Nederlands B1 in de avond"
DUO_REFERENCE = "1234567890"

DUTCH_DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
DUTCH_MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip


def dutch_day(day: date) -> str:
    return f"{DUTCH_DAYS[day.weekday()]} {day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"


def english_day(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def dutch_moment(moment: datetime) -> str:
    local = moment.astimezone(AMSTERDAM)
    return f"{dutch_day(local.date())}, {local:%H:%M}"


def english_moment(moment: datetime) -> str:
    local = moment.astimezone(AMSTERDAM)
    hour = local.hour % 12 or 12
    return f"{english_day(local.date())}, {hour}:{local:%M}\u202f{local:%p}"


@dataclass(frozen=True)
class Intake:
    id: uuid.UUID
    staff: actors.Person
    starts_on: date | None


async def an_intake(db: Database, *, starts_on: date | None = None, seats: int = 12) -> Intake:
    """An intake of COURSE at SCHOOL (certified, so DUO loans are taken), EUR 3,000."""
    organisation_id = await actors.add_organisation(db, OrganisationKind.PROVIDER, SCHOOL)
    staff = await actors.provider_staff(db, organisation_id)
    provider_id = await catalog.add_provider(db, organisation_id)
    course_id = await catalog.add_course(db, provider_id, title=COURSE, price_cents=300_000)
    location_id = await catalog.add_location(db, provider_id)
    intake_id = await catalog.add_intake(
        db, course_id, location_id, starts_on=starts_on, seat_capacity=seats
    )
    return Intake(intake_id, staff, starts_on)


async def a_learner(db: Database, language: str = "nl") -> actors.Person:
    person = await actors.learner(db)
    async with db.transaction() as session:
        await session.execute(
            update(User)
            .where(User.id == person.user_id)
            .values(display_name="Amina Yusuf", preferred_language=language)
        )
    return person


async def checkout(
    db: Database, learner: actors.Person, intake: Intake, method: PaymentMethod
) -> uuid.UUID:
    """The learner's booking of the intake: the enrollment's id, or the waitlist place's."""
    reference = DUO_REFERENCE if method is PaymentMethod.DUO_LOAN else None
    async with db.transaction() as session:
        actor = await identity.actor_for_token(session, learner.token)
        booked = await enrollment.start_checkout(
            session, actor, RULES, intake.id, method, reference
        )
        found = booked.enrollment or booked.waitlist_entry
        assert found is not None
        return found.id


async def pay(db: Database, enrollment_id: uuid.UUID) -> None:
    async with db.transaction() as session:
        assert await enrollment.confirm_payment(session, RULES, enrollment_id) == "confirmed"


async def cancel(db: Database, learner: actors.Person, enrollment_id: uuid.UUID) -> None:
    async with db.transaction() as session:
        actor = await identity.actor_for_token(session, learner.token)
        await enrollment.cancel_enrollment(session, actor, RULES, enrollment_id)


async def hold_expires_at(db: Database, enrollment_id: uuid.UUID) -> datetime:
    async with db.reader() as session:
        found = await session.get(Enrollment, enrollment_id)
        assert found is not None
        assert found.hold_expires_at is not None
        return found.hold_expires_at


def subject(mail: EmailMessage) -> str:
    """The subject as a mail program shows it: a long one is folded onto the next line,
    whose leading space Python's parser keeps."""
    return str(mail["Subject"]).strip()


def mail_about(folder: Path, subject_start: str) -> EmailMessage:
    [found] = [mail for mail in mails(folder) if subject(mail).startswith(subject_start)]
    return found


def details(language: str, starts: str) -> str:
    if language == "nl":
        return f"    Cursus: {COURSE}\n    School: {SCHOOL}\n    Start:  {starts}\n"
    return f"    Course: {COURSE}\n    School: {SCHOOL}\n    Start:  {starts}\n"


# -- a seat held -------------------------------------------------------------------------


@pytest.mark.parametrize("method", [PaymentMethod.CARD, PaymentMethod.IDEAL])
async def test_a_held_seat_is_mailed_with_the_time_to_pay_by_in_dutch(
    db: Database, tmp_path: Path, method: PaymentMethod
) -> None:
    starts_on = catalog.today() + timedelta(days=30)
    intake = await an_intake(db, starts_on=starts_on)
    learner = await a_learner(db, "nl")

    enrollment_id = await checkout(db, learner, intake, method)
    await run_jobs(db, tmp_path)

    [mail] = mails(tmp_path)
    until = dutch_moment(await hold_expires_at(db, enrollment_id))
    assert mail["To"] == learner.email
    assert mail["Content-Language"] == "nl"
    assert mail["Subject"] == f"We houden een plaats voor u vrij: {COURSE}"
    text = body(mail)
    assert text.startswith("Beste Amina Yusuf,\n")
    assert f"We houden een plaats voor u vrij tot {until} (Nederlandse tijd)." in text
    assert details("nl", dutch_day(starts_on)) in text
    assert "    Prijs:  €\xa03.000,00\n" in text
    assert "Betaal voor die tijd." in text
    assert await mail_jobs(db) == [
        (outbox.DISPATCH, "succeeded"),
        (tasks.mail_task(bookings.SeatHeld), "succeeded"),
    ]


async def test_a_held_seat_is_mailed_in_english_to_a_learner_who_prefers_it(
    db: Database, tmp_path: Path
) -> None:
    intake = await an_intake(db)  # continuous intake
    learner = await a_learner(db, "en")

    enrollment_id = await checkout(db, learner, intake, PaymentMethod.CARD)
    await run_jobs(db, tmp_path)

    [mail] = mails(tmp_path)
    until = english_moment(await hold_expires_at(db, enrollment_id))
    assert mail["Content-Language"] == "en"
    assert mail["Subject"] == f"We are holding a seat for you: {COURSE}"
    text = body(mail)
    assert f"We are holding a seat for you until {until} (Amsterdam time)." in text
    continuous = "continuous intake (you agree on the start date with the school)"
    assert details("en", continuous) in text
    assert "    Price:  €3,000.00\n" in text


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "nl",
            "U hebt geboekt met een DUO-lening: de school geeft antwoord",
            "De school geeft antwoord binnen 3 werkdagen: uiterlijk op {until}",
        ),
        (
            "en",
            "You booked with a DUO loan: the school will answer",
            "The school answers within 3 working days: at the latest on {until}",
        ),
    ],
)
async def test_a_duo_booking_is_mailed_with_when_the_school_answers(
    db: Database, tmp_path: Path, language: str, subject: str, sentence: str
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, language)

    enrollment_id = await checkout(db, learner, intake, PaymentMethod.DUO_LOAN)
    await run_jobs(db, tmp_path)

    [mail] = mails(tmp_path)
    deadline = await hold_expires_at(db, enrollment_id)
    until = dutch_moment(deadline) if language == "nl" else english_moment(deadline)
    assert mail["To"] == learner.email
    assert mail["Subject"] == subject
    assert sentence.format(until=until) in body(mail)


# -- confirmed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        ("nl", "Uw boeking is bevestigd: ", "We hebben uw betaling van €\xa03.000,00 ontvangen."),
        ("en", "Your booking is confirmed: ", "We received your payment of €3,000.00."),
    ],
)
async def test_a_paid_booking_is_mailed_its_confirmation(
    db: Database, tmp_path: Path, language: str, subject: str, sentence: str
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, language)
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.IDEAL)

    await pay(db, enrollment_id)
    await run_jobs(db, tmp_path)

    assert len(mails(tmp_path)) == 2  # the hold's, then the confirmation
    mail = mail_about(tmp_path, subject)
    assert mail["Subject"] == subject + COURSE
    assert mail["To"] == learner.email
    assert sentence in body(mail)


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "nl",
            "De school heeft uw boeking geaccepteerd: ",
            "de school heeft uw boeking met een DUO-lening geaccepteerd.\n"
            "Uw plaats in de cursus is nu zeker.",
        ),
        (
            "en",
            "The school accepted your booking: ",
            "the school accepted your booking with a DUO loan.\n"
            "Your seat on the course is now certain.",
        ),
    ],
)
async def test_a_duo_booking_the_school_accepts_is_mailed(
    db: Database, tmp_path: Path, language: str, subject: str, sentence: str
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, language)
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.DUO_LOAN)

    async with db.transaction() as session:
        staff = await identity.actor_for_token(session, intake.staff.token)
        await enrollment.accept_duo_booking(session, staff, RULES, enrollment_id)
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, subject)
    assert mail["Subject"] == subject + COURSE
    assert mail["To"] == learner.email
    assert sentence in body(mail)
    if language == "nl":  # the loan pays it all: no part of the learner's own
        assert "DUO betaalt daarvan €\xa03.000,00 aan de school, van uw lening.\n\n" in body(mail)
    else:
        assert "DUO pays €3,000.00 of it to the school from your loan.\n\n" in body(mail)


def test_a_duo_booking_the_loan_pays_part_of_says_what_the_learner_pays() -> None:
    booking = BookingSummary(
        enrollment_id=uuid.uuid4(),
        learner=Learner("amina@example.test", "Amina Yusuf", "nl"),
        course=CourseStart(COURSE, SCHOOL, None),
        state=EnrollmentState.CONFIRMED,
        payment_method=PaymentMethod.DUO_LOAN,
        price_cents=300_000,
        duo_cents=250_000,
        created_at=datetime.now(UTC),
        hold_expires_at=None,
        refund_cents=None,
    )

    letter = bookings.confirmed(EnrollmentConfirmed(booking.enrollment_id), booking)

    assert letter is not None
    assert letter.mail is messages.DUO_ACCEPTED
    dutch = Words("nl").write(letter.mail.body, bookings.values(booking, letter))
    assert (
        "De cursus kost €\xa03.000,00. DUO betaalt daarvan €\xa02.500,00 aan de school, "
        "van uw lening.\nDe rest, €\xa0500,00, betaalt u zelf aan de school.\n"
    ) in dutch
    english = Words("en").write(letter.mail.body, bookings.values(booking, letter))
    assert "You pay the rest, €500.00, to the school yourself." in english


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "nl",
            "De school kan uw boeking niet accepteren: ",
            "De school heeft uw boeking met een DUO-lening niet geaccepteerd.",
        ),
        ("en", "The school could not accept your booking: ", "you do not have to pay anything."),
    ],
)
async def test_a_duo_booking_the_school_declines_is_mailed(
    db: Database, tmp_path: Path, language: str, subject: str, sentence: str
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, language)
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.DUO_LOAN)

    async with db.transaction() as session:
        staff = await identity.actor_for_token(session, intake.staff.token)
        await enrollment.decline_duo_booking(session, staff, RULES, enrollment_id)
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, subject)
    assert mail["Subject"] == subject + COURSE
    assert sentence in body(mail)


# -- cancelled ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "refund"),
    [
        ("nl", "Uw boeking is geannuleerd: ", "U krijgt €\xa03.000,00 terug."),
        ("en", "Your booking is cancelled: ", "You get €3,000.00 back."),
    ],
)
async def test_a_cancelled_paid_booking_is_mailed_with_its_refund(
    db: Database, tmp_path: Path, language: str, subject: str, refund: str
) -> None:
    intake = await an_intake(db, starts_on=catalog.today() + timedelta(days=30))
    learner = await a_learner(db, language)
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.CARD)
    await pay(db, enrollment_id)

    await cancel(db, learner, enrollment_id)  # within the withdrawal period: all back
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, subject)
    assert mail["Subject"] == subject + COURSE
    assert refund in body(mail)


async def test_a_cancelled_unpaid_booking_is_mailed_without_a_refund(
    db: Database, tmp_path: Path
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, "nl")
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.CARD)

    await cancel(db, learner, enrollment_id)
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, "Uw boeking is geannuleerd: ")
    assert "Uw boeking is geannuleerd, zoals u hebt gevraagd." in body(mail)
    assert "terug" not in body(mail)


# -- lapsed ------------------------------------------------------------------------------


async def lapse(db: Database, enrollment_id: uuid.UUID) -> datetime:
    """The hold's time passes and the minute's sweep ends it; returns when it ended."""
    async with db.transaction() as session:
        await session.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment_id)
            .values(hold_expires_at=func.now() - timedelta(minutes=1))
        )
    async with db.transaction() as session:
        assert await enrollment.expire_lapsed(session, RULES) == 1
    return await hold_expires_at(db, enrollment_id)


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "nl",
            "We houden uw plaats niet meer vrij: ",
            "We hielden een plaats voor u vrij tot {until} (Nederlandse tijd).\n"
            "We hebben uw betaling niet op tijd ontvangen.",
        ),
        (
            "en",
            "Your seat is no longer held: ",
            "We held a seat for you until {until} (Amsterdam time).\n"
            "We did not receive your payment in time",
        ),
    ],
)
async def test_a_hold_that_lapsed_is_mailed(
    db: Database, tmp_path: Path, language: str, subject: str, sentence: str
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, language)
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.CARD)

    ended = await lapse(db, enrollment_id)
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, subject)
    until = dutch_moment(ended) if language == "nl" else english_moment(ended)
    assert mail["Subject"] == subject + COURSE
    assert sentence.format(until=until) in body(mail)


async def test_a_duo_booking_the_school_left_unanswered_is_mailed(
    db: Database, tmp_path: Path
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, "en")
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.DUO_LOAN)

    await lapse(db, enrollment_id)
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, "The school did not answer your booking in time: ")
    assert subject(mail) == f"The school did not answer your booking in time: {COURSE}"
    assert "so your booking has stopped.\nYou do not have to pay anything." in body(mail)


# -- the waitlist ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "nl",
            "Er is een plaats vrij voor u: ",
            "We houden deze plaats voor u vrij tot {until} (Nederlandse tijd).",
        ),
        (
            "en",
            "A seat is free for you: ",
            "We keep this seat for you until {until} (Amsterdam time).",
        ),
    ],
)
async def test_a_seat_offered_to_the_first_in_line_is_mailed(
    db: Database, tmp_path: Path, language: str, subject: str, sentence: str
) -> None:
    starts_on = catalog.today() + timedelta(days=60)
    intake = await an_intake(db, starts_on=starts_on, seats=1)
    first, waiting = await a_learner(db, "nl"), await a_learner(db, language)
    held = await checkout(db, first, intake, PaymentMethod.CARD)
    place = await checkout(db, waiting, intake, PaymentMethod.CARD)
    await run_jobs(db, tmp_path)
    assert [mail["To"] for mail in mails(tmp_path)] == [first.email]  # waiting: no mail

    await cancel(db, first, held)
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, subject)
    async with db.reader() as session:
        offer_ends = await session.scalar(
            text("SELECT offer_expires_at FROM waitlist_entries WHERE id = :id"), {"id": place}
        )
    until = dutch_moment(offer_ends) if language == "nl" else english_moment(offer_ends)
    assert mail["To"] == waiting.email
    assert mail["Subject"] == subject + COURSE
    assert sentence.format(until=until) in body(mail)
    start = dutch_day(starts_on) if language == "nl" else english_day(starts_on)
    assert details(language, start) in body(mail)


# -- who gets none, and how often --------------------------------------------------------


async def test_a_learner_whose_account_is_gone_is_mailed_nothing(
    gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db)
    await checkout(db, learner, intake, PaymentMethod.CARD)

    deleted = await gql(
        "mutation Delete($password: String!) { deleteMyAccount(password: $password) }",
        {"password": actors.PASSWORD},
        token=learner.token,
    )
    assert deleted.ok() == {"deleteMyAccount": True}
    await run_jobs(db, tmp_path)

    assert mails(tmp_path) == []
    assert await count(db, "sent_mails") == 0
    assert [status for _, status in await mail_jobs(db)] == ["succeeded"] * 2


async def test_a_language_mails_are_not_written_in_gets_dutch(db: Database, tmp_path: Path) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, "de")

    await checkout(db, learner, intake, PaymentMethod.CARD)
    await run_jobs(db, tmp_path)

    [mail] = mails(tmp_path)
    assert mail["Content-Language"] == "nl"
    assert mail["Subject"] == f"We houden een plaats voor u vrij: {COURSE}"


async def test_a_booking_event_delivered_twice_mails_once(db: Database, tmp_path: Path) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db)
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.CARD)
    await pay(db, enrollment_id)
    await run_jobs(db, tmp_path)
    confirmed = tasks.mail_task(bookings.EnrollmentConfirmed)
    async with db.reader() as session:
        delivered = await session.scalar(
            text("SELECT args FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": confirmed},
        )

    # The same event again, as a worker killed before marking its job done delivers it.
    async with db.transaction() as session:
        await outbox.defer(session, confirmed, queue=tasks.QUEUE, args=delivered)
    await run_jobs(db, tmp_path)

    assert len(mails(tmp_path)) == 2  # the hold's and one confirmation
    assert await count(db, "sent_mails") == 2
    assert [status for _, status in await mail_jobs(db)] == ["succeeded"] * 5


def test_every_booking_mail_is_subscribed_to_its_event() -> None:
    app = worker.job_app("postgresql+asyncpg://nobody@localhost/none")
    for spec in bookings.BOOKING_MAILS:
        task = tasks.mail_task(spec.event)
        assert task in worker.SUBSCRIPTIONS[spec.event.name]
        assert app.tasks[task].queue == tasks.QUEUE


# -- the school's invoices to DUO ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title", "sentence"),
    [
        (
            "nl",
            "Wilt u de rekening van de school aan DUO goedkeuren? ",
            "De school heeft rekening 2026-7 van €\xa01.250,00 naar DUO gestuurd",
        ),
        (
            "en",
            "Please approve the school's invoice to DUO: ",
            "The school sent invoice 2026-7 of €1,250.00 to DUO",
        ),
    ],
)
async def test_an_invoice_sent_to_duo_asks_the_learner_to_approve_it(
    db: Database, tmp_path: Path, language: str, title: str, sentence: str
) -> None:
    intake = await an_intake(db)
    learner = await a_learner(db, language)
    enrollment_id = await checkout(db, learner, intake, PaymentMethod.DUO_LOAN)
    async with db.transaction() as session:
        staff = await identity.actor_for_token(session, intake.staff.token)
        await enrollment.accept_duo_booking(session, staff, RULES, enrollment_id)
        draft = await duo.record_duo_invoice(
            session,
            staff,
            enrollment_id,
            duo.InvoiceSpec("2026-7", date.today() - timedelta(days=30), date.today(), 125_000),
        )
    await run_jobs(db, tmp_path)
    assert not [m for m in mails(tmp_path) if subject(m).startswith(title)]  # a draft: none

    async with db.transaction() as session:
        staff = await identity.actor_for_token(session, intake.staff.token)
        await duo.step_duo_invoice(session, staff, draft.id, DuoInvoiceState.SENT)
    await run_jobs(db, tmp_path)

    mail = mail_about(tmp_path, title)
    assert mail["Subject"] == title + COURSE
    assert sentence in body(mail)
