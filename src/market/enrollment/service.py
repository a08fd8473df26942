"""Enrollment's verbs: holding a seat, waiting for one, confirming, cancelling.

Every change of an intake's seats happens under the intake's row lock
(`catalog.lock_for_booking`, always taken before any enrollment or waitlist row), and ends
by writing the counts back (`catalog.record_occupancy`): each step moves them by what it
did (a hold or an offer takes a seat; a lapse, a cancellation or a decline frees one; a
learner joins or leaves the line), so seats a school filled before it came to the platform
(the demo's and the benchmark's intakes start with some) stay counted. So holds never
outnumber the capacity, and the waitlist is served in arrival order, under any
interleaving.
Functions only flush; the caller's boundary commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import service as catalog
from market.catalog.errors import IntakeNotFound
from market.catalog.policies import may_manage
from market.db import outbox
from market.enrollment import errors, events, policies
from market.enrollment.models import (
    FORWARD,
    LIVE,
    OPEN,
    Enrollment,
    EnrollmentState,
    PaymentMethod,
    WaitlistEntry,
    WaitlistState,
)
from market.enrollment.policies import BookingRules
from market.identity.policies import Actor
from market.kernel.pagination import Page, PageRequest, created_cursor, newest_page


@dataclass(frozen=True, slots=True)
class Booked:
    """What a checkout gave: a seat (an enrollment holding it) or a place in line.
    `resumed`: the learner's earlier, still open booking of the intake, not a new one."""

    enrollment: Enrollment | None = None
    waitlist_entry: WaitlistEntry | None = None
    resumed: bool = False
    # DUO bookings: what the learner's live DUO bookings, this one included, will borrow.
    planned_duo_cents: int = 0


def _move(enrollment: Enrollment, state: EnrollmentState) -> None:
    if state not in FORWARD.get(enrollment.state, frozenset()):
        raise errors.EnrollmentEnded(field="id", state=enrollment.state.value)
    enrollment.state = state


# -- checkout ----------------------------------------------------------------------------


async def start_checkout(
    session: AsyncSession,
    actor: Actor,
    rules: BookingRules,
    intake_id: uuid.UUID,
    method: PaymentMethod,
    duo_loan_reference: str | None,
    duo_cents: int | None = None,
) -> Booked:
    """A seat held for the signed-in learner, or a place on the waitlist when the intake
    is full or others are already waiting. Asking again while the booking is open gives
    the same booking back (`resumed`), so a retried request never holds two seats.

    With a DUO loan, `duo_cents` is the part the loan pays (all of the price when not
    given); the answer says what the learner's DUO bookings will borrow together."""
    learner_id = actor.require_user()
    reference = policies.duo_loan_reference(method, duo_loan_reference)
    intake = await catalog.lock_for_booking(session, intake_id)
    if not intake.open_for_booking:
        raise errors.IntakeNotBookable(field="intakeId")
    duo = policies.duo_part(method, intake.price_cents, duo_cents)
    if method is PaymentMethod.DUO_LOAN and not intake.provider_certified:
        raise errors.DuoNeedsCertifiedProvider(field="paymentMethod")
    intake = await _release_expired(session, rules, intake)
    booked = await _open_booking(session, learner_id, intake_id)
    if booked is None:
        seat_free = intake.free_seats > 0 and intake.queue_length == 0
        booked = await _book(
            session, rules, intake, learner_id, method, reference, duo, seat_free=seat_free
        )
        await catalog.record_occupancy(
            session,
            intake_id,
            seats_taken=intake.seats_taken + (booked.enrollment is not None),
            queue_length=intake.queue_length + (booked.waitlist_entry is not None),
        )
    if method is PaymentMethod.DUO_LOAN:
        planned = await planned_duo_spending(session, learner_id)
        return replace(booked, planned_duo_cents=planned)
    return booked


async def _book(
    session: AsyncSession,
    rules: BookingRules,
    intake: catalog.BookableIntake,
    learner_id: uuid.UUID,
    method: PaymentMethod,
    reference: str | None,
    duo_cents: int,
    *,
    seat_free: bool,
) -> Booked:
    """A hold when a seat is free and no one waits for it, else a place in line."""
    if seat_free:
        enrollment = _hold(rules, intake, learner_id, method, reference, duo_cents, intake.now)
        session.add(enrollment)
        await session.flush()
        await _announce_hold(session, enrollment)
        return Booked(enrollment=enrollment)
    entry = WaitlistEntry(
        intake_id=intake.intake_id,
        learner_id=learner_id,
        state=WaitlistState.WAITING,
        payment_method=method,
        duo_loan_reference=reference,
        duo_cents=duo_cents,
    )
    session.add(entry)
    await session.flush()
    return Booked(waitlist_entry=entry)


async def planned_duo_spending(session: AsyncSession, learner_id: uuid.UUID) -> int:
    """What the learner's live DUO bookings will borrow together (compared with the loan
    maximum; the learner's own maximum depends on their income, so it is a warning)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Enrollment.duo_cents), 0)).where(
            Enrollment.learner_id == learner_id,
            Enrollment.payment_method == PaymentMethod.DUO_LOAN,
            Enrollment.state.in_(LIVE),
        )
    )
    return int(total or 0)


def _hold(
    rules: BookingRules,
    intake: catalog.BookableIntake,
    learner_id: uuid.UUID,
    method: PaymentMethod,
    reference: str | None,
    duo_cents: int,
    now: datetime,
) -> Enrollment:
    """A new enrollment holding a seat until the payment (or the school's answer) is due,
    counted from `now`, the database's clock."""
    duo = method is PaymentMethod.DUO_LOAN
    return Enrollment(
        learner_id=learner_id,
        intake_id=intake.intake_id,
        course_id=intake.course_id,
        provider_id=intake.provider_id,
        state=EnrollmentState.AWAITING_PROVIDER if duo else EnrollmentState.HELD,
        payment_method=method,
        price_cents=intake.price_cents,
        duo_cents=duo_cents,
        duo_loan_reference=reference,
        cancellation_terms=intake.cancellation_terms,
        starts_on=intake.starts_on,
        hold_expires_at=rules.duo_response_deadline(now) if duo else now + rules.seat_hold,
    )


async def _announce_hold(session: AsyncSession, enrollment: Enrollment) -> None:
    assert enrollment.hold_expires_at is not None
    await outbox.record(session, events.SeatHeld(enrollment.id, enrollment.hold_expires_at))


async def _open_booking(
    session: AsyncSession, learner_id: uuid.UUID, intake_id: uuid.UUID
) -> Booked | None:
    """The learner's live enrollment or open waitlist place on the intake, if any: looked
    for in one statement (the usual answer is none), loaded only when found."""
    found = (
        await session.execute(
            select(Enrollment.id, literal(True))
            .where(
                Enrollment.learner_id == learner_id,
                Enrollment.intake_id == intake_id,
                Enrollment.state.in_(LIVE),
            )
            .union_all(
                select(WaitlistEntry.id, literal(False)).where(
                    WaitlistEntry.learner_id == learner_id,
                    WaitlistEntry.intake_id == intake_id,
                    WaitlistEntry.state.in_(OPEN),
                )
            )
        )
    ).first()
    if found is None:
        return None
    row_id, is_enrollment = found
    if is_enrollment:
        return Booked(enrollment=await session.get(Enrollment, row_id), resumed=True)
    return Booked(waitlist_entry=await session.get(WaitlistEntry, row_id), resumed=True)


# -- seats coming free -------------------------------------------------------------------


async def _release_expired(
    session: AsyncSession, rules: BookingRules, intake: catalog.BookableIntake
) -> catalog.BookableIntake:
    """End the locked intake's holds and waitlist offers whose time has passed (in one
    statement) and offer the seats that came free; returns the intake as it now is."""
    intake_id = intake.intake_id
    lapsed = (
        update(Enrollment)
        .where(
            Enrollment.intake_id == intake_id,
            Enrollment.state.in_((EnrollmentState.HELD, EnrollmentState.AWAITING_PROVIDER)),
            Enrollment.hold_expires_at <= func.now(),
        )
        .values(state=EnrollmentState.LAPSED, ended_at=func.now())
        .returning(Enrollment.id)
        .cte("lapsed")
    )
    expired = (
        update(WaitlistEntry)
        .where(
            WaitlistEntry.intake_id == intake_id,
            WaitlistEntry.state == WaitlistState.OFFERED,
            WaitlistEntry.offer_expires_at <= func.now(),
        )
        .values(state=WaitlistState.EXPIRED, ended_at=func.now())
        .returning(WaitlistEntry.id)
        .cte("expired")
    )
    lapsed_ids, expired_count = (
        await session.execute(
            select(
                select(func.array_agg(lapsed.c.id)).scalar_subquery(),
                select(func.count()).select_from(expired).scalar_subquery(),
            )
        )
    ).one()
    for enrollment_id in lapsed_ids or ():
        await outbox.record(session, events.HoldExpired(enrollment_id))
    freed = len(lapsed_ids or ()) + expired_count
    return await _settle(session, rules, intake, seats_freed=freed) if freed else intake


async def _settle(
    session: AsyncSession,
    rules: BookingRules,
    intake: catalog.BookableIntake,
    *,
    seats_freed: int = 0,
    queue_left: int = 0,
) -> catalog.BookableIntake:
    """The locked intake after `seats_freed` seats came free and `queue_left` learners
    left the line: its free seats offered to the first in line, the counts written back;
    returns the intake as it now is."""
    taken = max(intake.seats_taken - seats_freed, 0)
    queue = max(intake.queue_length - queue_left, 0)
    free = intake.seat_capacity - taken
    if free > 0 and queue > 0 and intake.open_for_booking:
        first_in_line = await session.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.intake_id == intake.intake_id,
                WaitlistEntry.state == WaitlistState.WAITING,
            )
            .order_by(WaitlistEntry.position)
            .limit(free)
            .with_for_update()
        )
        for entry in first_in_line:
            entry.state = WaitlistState.OFFERED
            entry.offered_at = intake.now
            entry.offer_expires_at = intake.now + rules.waitlist_offer
            taken, queue = taken + 1, queue - 1
            await outbox.record(session, events.WaitlistOfferMade(entry.id, entry.offer_expires_at))
        await session.flush()
    if (taken, queue) != (intake.seats_taken, intake.queue_length):
        await catalog.record_occupancy(
            session, intake.intake_id, seats_taken=taken, queue_length=queue
        )
    return replace(intake, seats_taken=taken, queue_length=queue)


async def expire_lapsed(session: AsyncSession, rules: BookingRules) -> int:
    """The periodic sweep: every intake with a hold or an offer past its time gets its
    seats released and offered on; returns how many intakes it settled. Intakes are
    locked in id order, so two sweeps never deadlock."""
    due = (
        select(Enrollment.intake_id)
        .where(
            Enrollment.state.in_((EnrollmentState.HELD, EnrollmentState.AWAITING_PROVIDER)),
            Enrollment.hold_expires_at <= func.now(),
        )
        .union(
            select(WaitlistEntry.intake_id).where(
                WaitlistEntry.state == WaitlistState.OFFERED,
                WaitlistEntry.offer_expires_at <= func.now(),
            )
        )
    )
    intake_ids = sorted((await session.scalars(due)).all())
    for intake_id in intake_ids:
        await settle_intake(session, rules, intake_id)
    return len(intake_ids)


async def settle_intake(session: AsyncSession, rules: BookingRules, intake_id: uuid.UUID) -> None:
    """Release what expired on the intake and offer its free seats to the waitlist: after
    the capacity grew, say (the periodic sweep also passes by every intake with people
    waiting and seats free)."""
    intake = await catalog.lock_for_booking(session, intake_id)
    await _settle(session, rules, await _release_expired(session, rules, intake))


async def offer_free_seats(session: AsyncSession, rules: BookingRules) -> int:
    """Intakes whose capacity grew while learners wait (the catalog changes capacity
    without knowing the waitlist): settle each; returns how many."""
    waited_for = (
        await session.scalars(
            select(WaitlistEntry.intake_id)
            .where(WaitlistEntry.state == WaitlistState.WAITING)
            .distinct()
        )
    ).all()
    intake_ids = await catalog.intakes_with_free_seats(session, waited_for)
    for intake_id in intake_ids:
        await settle_intake(session, rules, intake_id)
    return len(intake_ids)


# -- confirming --------------------------------------------------------------------------


async def _locked(
    session: AsyncSession,
    enrollment_id: uuid.UUID,
    *,
    field: str,
    may_see: Callable[[Enrollment], bool] = lambda _: True,
) -> tuple[catalog.BookableIntake, Enrollment]:
    """The enrollment and its intake, locked in the order every booking locks them (the
    intake first); EnrollmentNotFound for an id nothing has, or one `may_see` refuses."""
    found = await session.get(Enrollment, enrollment_id)
    if found is None or not may_see(found):
        raise errors.EnrollmentNotFound(field=field)
    intake = await catalog.lock_for_booking(session, found.intake_id)
    enrollment = await session.get(
        Enrollment, enrollment_id, with_for_update=True, populate_existing=True
    )
    assert enrollment is not None
    return intake, enrollment


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"  # confirmed now
    ALREADY_CONFIRMED = "already_confirmed"
    # Paid, but the seat is gone (the hold lapsed and the intake filled, or the booking
    # was cancelled): the payment must go back.
    NO_SEAT = "no_seat"


async def confirm_payment(
    session: AsyncSession, rules: BookingRules, enrollment_id: uuid.UUID
) -> Confirmation:
    """The payment for a booking landed (payments calls this, from the webhook or the
    return page; idempotent). A hold that lapsed still gets its seat if one is free and no
    one is waiting for it; otherwise the answer is NO_SEAT and payments refunds."""
    intake, enrollment = await _locked(session, enrollment_id, field="enrollmentId")
    intake = await _release_expired(session, rules, intake)
    await session.refresh(enrollment)
    if enrollment.state is EnrollmentState.CONFIRMED:
        return Confirmation.ALREADY_CONFIRMED
    if enrollment.state is EnrollmentState.LAPSED:
        retaken = intake.free_seats > 0 and intake.queue_length == 0
        learner_id = enrollment.learner_id
        rebooked = learner_id is not None and await _open_booking(
            session, learner_id, intake.intake_id
        )
        if not retaken or rebooked:
            return Confirmation.NO_SEAT
        await catalog.record_occupancy(
            session,
            intake.intake_id,
            seats_taken=intake.seats_taken + 1,
            queue_length=intake.queue_length,
        )
    elif enrollment.state is not EnrollmentState.HELD:
        return Confirmation.NO_SEAT
    _move(enrollment, EnrollmentState.CONFIRMED)
    enrollment.confirmed_at = func.now()
    enrollment.ended_at = None
    enrollment.hold_expires_at = None
    await session.flush()
    await outbox.record(session, events.EnrollmentConfirmed(enrollment.id))
    return Confirmation.CONFIRMED


async def _provider_booking(
    session: AsyncSession, actor: Actor, rules: BookingRules, enrollment_id: uuid.UUID
) -> tuple[catalog.BookableIntake, Enrollment]:
    """A DUO booking awaiting its provider's answer, locked, for that provider's staff."""
    actor.require_user()
    intake, enrollment = await _locked(
        session, enrollment_id, field="id", may_see=lambda e: may_manage(actor, e.provider_id)
    )
    intake = await _release_expired(session, rules, intake)
    await session.refresh(enrollment)
    if enrollment.state is EnrollmentState.LAPSED:
        assert enrollment.hold_expires_at is not None
        raise errors.HoldLapsed(field="id", expired_at=enrollment.hold_expires_at.isoformat())
    if enrollment.state is not EnrollmentState.AWAITING_PROVIDER:
        raise errors.NotBookingAwaitingProvider(field="id")
    return intake, enrollment


async def accept_duo_booking(
    session: AsyncSession, actor: Actor, rules: BookingRules, enrollment_id: uuid.UUID
) -> Enrollment:
    """Provider staff accept a DUO booking: the seat is the learner's."""
    _, enrollment = await _provider_booking(session, actor, rules, enrollment_id)
    _move(enrollment, EnrollmentState.CONFIRMED)
    enrollment.confirmed_at = func.now()
    enrollment.hold_expires_at = None
    await session.flush()
    await session.refresh(enrollment)
    await outbox.record(session, events.EnrollmentConfirmed(enrollment.id))
    return enrollment


async def decline_duo_booking(
    session: AsyncSession, actor: Actor, rules: BookingRules, enrollment_id: uuid.UUID
) -> Enrollment:
    """Provider staff decline a DUO booking: the seat goes to the waitlist."""
    intake, enrollment = await _provider_booking(session, actor, rules, enrollment_id)
    _move(enrollment, EnrollmentState.DECLINED)
    enrollment.ended_at = func.now()
    await session.flush()
    await session.refresh(enrollment)
    await outbox.record(session, events.DuoBookingDeclined(enrollment.id))
    await _settle(session, rules, intake, seats_freed=1)
    return enrollment


# -- the learner's own changes -----------------------------------------------------------


async def _own_enrollment(
    session: AsyncSession, actor: Actor, enrollment_id: uuid.UUID
) -> tuple[catalog.BookableIntake, Enrollment]:
    learner_id = actor.require_user()
    return await _locked(
        session, enrollment_id, field="id", may_see=lambda e: e.learner_id == learner_id
    )


async def cancel_enrollment(
    session: AsyncSession, actor: Actor, rules: BookingRules, enrollment_id: uuid.UUID
) -> Enrollment:
    """The learner cancels before the course starts: within the withdrawal period they get
    back everything paid online (payments refunds it, after commit); afterwards the
    course's cancellation terms, shown before payment, apply. The seat goes to the
    waitlist."""
    intake, enrollment = await _own_enrollment(session, actor, enrollment_id)
    refund = await _cancellable(session, enrollment, intake.now)
    await _cancel(session, rules, intake, enrollment, refund)
    return enrollment


async def _cancellable(session: AsyncSession, enrollment: Enrollment, now: datetime) -> int:
    """What cancelling the booking now gives back; raises why it cannot be cancelled."""
    if enrollment.state not in LIVE:
        raise errors.EnrollmentEnded(field="id", state=enrollment.state.value)
    if policies.has_started(enrollment, await catalog.today(session)):
        raise errors.CourseAlreadyStarted(field="id")
    return policies.refund_on_cancel(enrollment, now)


@dataclass(frozen=True, slots=True)
class CancellationQuote:
    """What cancelling a booking would give back, asked before the learner confirms."""

    enrollment: Enrollment
    refund_cents: int
    # Until then a cancellation gives back everything paid online.
    withdrawal_ends_at: datetime
    within_withdrawal: bool


async def cancellation_quote(
    session: AsyncSession, actor: Actor, enrollment_id: uuid.UUID
) -> CancellationQuote:
    """What `cancel_enrollment` would give back if the learner cancelled now (by the
    database's clock), without changing anything; raises as it would."""
    learner_id = actor.require_user()
    enrollment = await session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.learner_id != learner_id:
        raise errors.EnrollmentNotFound(field="id")
    now = await session.scalar(select(func.now()))
    assert now is not None
    refund = await _cancellable(session, enrollment, now)
    ends = policies.withdrawal_ends(enrollment)
    return CancellationQuote(enrollment, refund, ends, now < ends)


async def cancel_refunded(
    session: AsyncSession, rules: BookingRules, enrollment_id: uuid.UUID, refunded_cents: int
) -> bool:
    """The booking's payment went back in full outside a cancellation (a refund made at
    Stripe by the platform or the school): the booking ends and its seat goes to the
    waitlist. Payments calls this once per refunded payment; True when the booking was
    still live (and is cancelled now), False when it had ended already."""
    intake, enrollment = await _locked(session, enrollment_id, field="enrollmentId")
    if enrollment.state not in LIVE:
        return False
    await _cancel(session, rules, intake, enrollment, refunded_cents)
    return True


async def _cancel(
    session: AsyncSession,
    rules: BookingRules,
    intake: catalog.BookableIntake,
    enrollment: Enrollment,
    refund_cents: int,
) -> None:
    """End a live booking of the locked intake, giving back `refund_cents`; its seat goes
    to the waitlist."""
    _move(enrollment, EnrollmentState.CANCELLED)
    enrollment.ended_at = func.now()
    enrollment.refund_cents = refund_cents
    await session.flush()
    await session.refresh(enrollment)
    await outbox.record(session, events.EnrollmentCancelled(enrollment.id, refund_cents))
    await _settle(session, rules, intake, seats_freed=1)


async def _own_place(
    session: AsyncSession, actor: Actor, entry_id: uuid.UUID
) -> tuple[catalog.BookableIntake, WaitlistEntry]:
    learner_id = actor.require_user()
    found = await session.get(WaitlistEntry, entry_id)
    if found is None or found.learner_id != learner_id:
        raise errors.WaitlistPlaceNotFound(field="id")
    intake = await catalog.lock_for_booking(session, found.intake_id)
    entry = await session.get(WaitlistEntry, entry_id, with_for_update=True, populate_existing=True)
    assert entry is not None
    return intake, entry


async def accept_waitlist_offer(
    session: AsyncSession, actor: Actor, rules: BookingRules, entry_id: uuid.UUID
) -> Enrollment:
    """The learner takes the seat offered to them: it becomes a hold (to pay for, or for
    the provider to accept with a DUO loan) like a checkout's."""
    intake, entry = await _own_place(session, actor, entry_id)
    if entry.state is not WaitlistState.OFFERED:
        raise errors.OfferNotOpen(field="id", state=entry.state.value)
    now = intake.now
    assert entry.offer_expires_at is not None
    assert entry.learner_id is not None
    if entry.offer_expires_at <= now:
        raise errors.OfferExpired(field="id", expired_at=entry.offer_expires_at.isoformat())
    if not intake.open_for_booking:
        raise errors.IntakeNotBookable(field="id")
    enrollment = _hold(
        rules,
        intake,
        entry.learner_id,
        entry.payment_method,
        entry.duo_loan_reference,
        entry.duo_cents,
        now,
    )
    session.add(enrollment)
    await session.flush()
    entry.state = WaitlistState.ACCEPTED
    entry.ended_at = now
    entry.enrollment_id = enrollment.id
    await session.flush()
    # The offered seat becomes the hold's: the counts stay as they are.
    await _announce_hold(session, enrollment)
    return enrollment


async def leave_waitlist(
    session: AsyncSession, actor: Actor, rules: BookingRules, entry_id: uuid.UUID
) -> WaitlistEntry:
    """The learner gives up their place (or an offered seat, which goes to the next)."""
    intake, entry = await _own_place(session, actor, entry_id)
    if entry.state not in OPEN:
        raise errors.OfferNotOpen(field="id", state=entry.state.value)
    offered = entry.state is WaitlistState.OFFERED
    entry.state = WaitlistState.LEFT
    entry.ended_at = func.now()
    await session.flush()
    await session.refresh(entry)
    await _settle(session, rules, intake, seats_freed=int(offered), queue_left=int(not offered))
    return entry


async def withdraw_learner(
    session: AsyncSession, learner_id: uuid.UUID, *, rules: BookingRules
) -> None:
    """The learner's account is about to be deleted: their unpaid holds and open places in
    line end, and the seats go to the next in line. Confirmed bookings stay, without the
    learner (ON DELETE SET NULL), for the records the law keeps."""
    unpaid = (EnrollmentState.HELD, EnrollmentState.AWAITING_PROVIDER)
    held = select(Enrollment.intake_id).where(
        Enrollment.learner_id == learner_id, Enrollment.state.in_(unpaid)
    )
    waiting = select(WaitlistEntry.intake_id).where(
        WaitlistEntry.learner_id == learner_id, WaitlistEntry.state.in_(OPEN)
    )
    for intake_id in sorted(set((await session.scalars(held.union(waiting))).all())):
        intake = await catalog.lock_for_booking(session, intake_id)
        holds = await session.execute(
            update(Enrollment)
            .where(
                Enrollment.learner_id == learner_id,
                Enrollment.intake_id == intake_id,
                Enrollment.state.in_(unpaid),
            )
            .values(state=EnrollmentState.CANCELLED, ended_at=func.now(), refund_cents=0)
            .returning(Enrollment.id)
            .execution_options(synchronize_session=False)
        )
        places = await session.execute(
            update(WaitlistEntry)
            .where(
                WaitlistEntry.learner_id == learner_id,
                WaitlistEntry.intake_id == intake_id,
                WaitlistEntry.state.in_(OPEN),
            )
            .values(state=WaitlistState.LEFT, ended_at=func.now())
            .returning(WaitlistEntry.offered_at.is_not(None))
            .execution_options(synchronize_session=False)
        )
        was_offered = places.scalars().all()
        await _settle(
            session,
            rules,
            intake,
            seats_freed=len(holds.all()) + sum(was_offered),
            queue_left=was_offered.count(False),
        )


# -- reading -----------------------------------------------------------------------------


async def my_enrollments(
    session: AsyncSession, actor: Actor, page: PageRequest
) -> Page[Enrollment]:
    """The signed-in learner's bookings, newest first."""
    learner_id = actor.require_user()
    mine = Enrollment.learner_id == learner_id
    query = select(Enrollment).where(mine)
    if page.after is not None:
        query = query.where(
            tuple_(Enrollment.created_at, Enrollment.id) < tuple_(*created_cursor(page.after))
        )
    rows = (
        await session.scalars(
            query.order_by(Enrollment.created_at.desc(), Enrollment.id.desc()).limit(page.first + 1)
        )
    ).all()
    total = await session.scalar(select(func.count()).where(mine))
    return newest_page(rows, page.first, total or 0)


@dataclass(frozen=True, slots=True)
class LearnerBookings:
    """Everything enrollment stores about one learner, for their data export."""

    enrollments: Sequence[Enrollment]
    waitlist: Sequence[WaitlistEntry]


async def export_personal_data(session: AsyncSession, actor: Actor) -> LearnerBookings:
    """Every booking and waitlist place of the signed-in learner, ended ones too."""
    learner_id = actor.require_user()
    enrollments = await session.scalars(
        select(Enrollment)
        .where(Enrollment.learner_id == learner_id)
        .order_by(Enrollment.created_at, Enrollment.id)
    )
    waitlist = await session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.learner_id == learner_id)
        .order_by(WaitlistEntry.position)
    )
    return LearnerBookings(enrollments.all(), waitlist.all())


async def my_waitlist_places(session: AsyncSession, actor: Actor) -> Sequence[WaitlistEntry]:
    """The signed-in learner's open places in line (one per intake at most), oldest
    first."""
    learner_id = actor.require_user()
    return (
        await session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.learner_id == learner_id, WaitlistEntry.state.in_(OPEN))
            .order_by(WaitlistEntry.position)
            .limit(100)
        )
    ).all()


async def find_enrollment(
    session: AsyncSession, actor: Actor, enrollment_id: uuid.UUID
) -> Enrollment | None:
    """An enrollment its learner, its provider's staff or a platform admin may see; None
    for anyone else, as for an id nothing has."""
    enrollment = await session.get(Enrollment, enrollment_id)
    if enrollment is None or not _may_see(actor, enrollment):
        return None
    return enrollment


def _may_see(actor: Actor, enrollment: Enrollment) -> bool:
    own = actor.user_id is not None and enrollment.learner_id == actor.user_id
    return own or may_manage(actor, enrollment.provider_id)


async def intake_bookings(
    session: AsyncSession, actor: Actor, intake_id: uuid.UUID
) -> tuple[Sequence[Enrollment], Sequence[WaitlistEntry]]:
    """For the intake's provider staff: its live enrollments (oldest first) and its open
    waitlist (in line order). An intake holds at most its capacity and its queue."""
    actor.require_user()
    provider_id = await catalog.provider_of_intake(session, intake_id)
    if provider_id is None or not may_manage(actor, provider_id):
        raise IntakeNotFound(field="intakeId")
    enrollments = (
        await session.scalars(
            select(Enrollment)
            .where(Enrollment.intake_id == intake_id, Enrollment.state.in_(LIVE))
            .order_by(Enrollment.created_at, Enrollment.id)
        )
    ).all()
    waitlist = (
        await session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.intake_id == intake_id, WaitlistEntry.state.in_(OPEN))
            .order_by(WaitlistEntry.position)
        )
    ).all()
    return enrollments, waitlist


async def places_in_line(
    session: AsyncSession, entry_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Each waiting entry's place in its intake's line (1: next to be offered a seat)."""
    mine = select(WaitlistEntry.intake_id).where(WaitlistEntry.id.in_(entry_ids))
    place = func.row_number().over(
        partition_by=WaitlistEntry.intake_id, order_by=WaitlistEntry.position
    )
    ranked = (
        select(WaitlistEntry.id, place.label("place"))
        .where(
            WaitlistEntry.intake_id.in_(mine),
            WaitlistEntry.state == WaitlistState.WAITING,
        )
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_(entry_ids))
    )
    return {entry_id: place for entry_id, place in rows}
