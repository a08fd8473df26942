"""The mails' words: the source texts, in English, that the message catalogs translate.

A text is a gettext message of the `mails` domain: its English wording is its `msgid` (with
a `context` where the same words could mean two things, as a role's name), and every other
language's wording is in `market/locale/<language>/LC_MESSAGES/mails.po`
(`market.kernel.catalogs` reads them). Each is a `str.format` template whose `{names}`
`service` fills in; a translation keeps exactly the names of its source. A mail is a pair
of texts, its subject and its body, under a stable key (stored in `sent_mails.message`).

Changing a source text here changes its msgid: run `python -m market.locale` to bring the
template (`locale/mails.pot`) and every catalog in step (a changed text is marked fuzzy,
which counts as untranslated until a translator has looked at it), and
`tests/platform/test_catalogs.py` fails until every language has it again.

The learners' mails are written in plain words (language level B1): short sentences, one
thing each, what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass

from market.kernel.catalogs import Message


@dataclass(frozen=True, slots=True)
class Mail:
    key: str
    subject: Message
    body: Message


ALL: list[Message] = []
MAILS: dict[str, Mail] = {}


def text(msgid: str, *, context: str | None = None, plural: str | None = None) -> Message:
    found = Message(msgid, context, plural)
    if found not in ALL:  # two mails may share a text (a subject, say)
        ALL.append(found)
    return found


def mail(key: str, subject: str, body: str) -> Mail:
    found = Mail(key, text(subject), text(body))
    MAILS[key] = found
    return found


_REGARDS = "Kind regards,\nmarket\n"

# -- identity ----------------------------------------------------------------------------

EXISTING_ACCOUNT = mail(
    "existing_account",
    "Someone tried to create an account with your email address",
    "Dear {display_name},\n\n"
    "Someone just tried to create a new account with your email address\n"
    "({email}). You already have an account, so nothing was created or changed.\n\n"
    "Was it you? Then sign in with your password.\n"
    "Was it not you? Then you need not do anything: your account and password stay\n"
    "as they were.\n\n" + _REGARDS,
)

INVITATION = mail(
    "invitation",
    "Invitation to join {organisation}",
    "Hello,\n\n"
    "You have been invited to join {organisation} as {role}.\n\n"
    "Sign in with this email address ({email}; if you have no account yet, create\n"
    "one with this address first) and accept the invitation with this code:\n\n"
    "    {token}\n\n"
    "The code works once and is valid until {expires} (Amsterdam time).\n"
    "Did you not expect this invitation? Then you can ignore this message.\n\n" + _REGARDS,
)

# The roles as people call them (market.identity.models.Role).
ROLES = {
    "owner": text("owner", context="role"),
    "editor": text("editor", context="role"),
    "procurement_officer": text("procurement officer", context="role"),
    "evaluator": text("evaluator", context="role"),
    "admin": text("administrator", context="role"),
}

# -- enrollment: a learner's booking -----------------------------------------------------
# Every booking mail names the course, the school and the start: `{details}` is DETAILS.

DETAILS = text("    Course: {course}\n    School: {school}\n    Start:  {start}\n")
# The start of a course without a fixed date.
CONTINUOUS_INTAKE = text("continuous intake (you agree on the start date with the school)")
# How long the school takes to answer a DUO booking.
WORKING_DAYS = text("within {count} working day", plural="within {count} working days")

SEAT_HELD = mail(
    "seat_held",
    "We are holding a seat for you: {course}",
    "Dear {name},\n\n"
    "We are holding a seat for you until {until} (Amsterdam time).\n\n"
    "{details}"
    "    Price:  {price}\n\n"
    "Please pay before that time.\n"
    "If you do not pay in time, the seat goes to someone else.\n\n" + _REGARDS,
)

DUO_BOOKING_RECEIVED = mail(
    "duo_booking_received",
    "You booked with a DUO loan: the school will answer",
    "Dear {name},\n\n"
    "You booked a seat with a DUO loan. The school now checks your booking.\n\n"
    "{details}\n"
    "The school answers {within}: at the latest on {until} (Amsterdam time).\n"
    "You will get an email with the answer. Until then, we keep your seat for you.\n\n" + _REGARDS,
)

CONFIRMED = mail(
    "confirmed",
    "Your booking is confirmed: {course}",
    "Dear {name},\n\n"
    "We received your payment of {paid}. Your booking is confirmed:\n"
    "your seat on the course is now certain.\n\n"
    "{details}\n" + _REGARDS,
)

DUO_ACCEPTED = mail(
    "duo_accepted",
    "The school accepted your booking: {course}",
    "Dear {name},\n\n"
    "Good news: the school accepted your booking with a DUO loan.\n"
    "Your seat on the course is now certain.\n\n"
    "{details}\n"
    "The course costs {price}. DUO pays {duo} of it to the school from your loan.\n"
    "{rest}\n" + _REGARDS,
)
# In DUO_ACCEPTED, when the loan pays part of the price: the learner's own part.
OWN_PART = text("You pay the rest, {own}, to the school yourself.\n")

WAITLIST_OFFER = mail(
    "waitlist_offer",
    "A seat is free for you: {course}",
    "Dear {name},\n\n"
    "Good news: a seat has come free on the course you are waiting for.\n"
    "We keep this seat for you until {until} (Amsterdam time).\n\n"
    "{details}\n"
    "Do you want the seat? Then sign in to market and accept the offer\n"
    "under My bookings before that time.\n"
    "Do you not want it? Then you need not do anything: after that time,\n"
    "the seat goes to the next person on the waiting list.\n\n" + _REGARDS,
)

CANCELLED = mail(
    "cancelled",
    "Your booking is cancelled: {course}",
    "Dear {name},\n\nYour booking is cancelled, as you asked.\n\n{details}\n" + _REGARDS,
)

CANCELLED_WITH_REFUND = mail(
    "cancelled_with_refund",
    "Your booking is cancelled: {course}",
    "Dear {name},\n\n"
    "Your booking is cancelled, as you asked.\n\n"
    "{details}\n"
    "You get {refund} back. We pay it back the same way you paid.\n\n" + _REGARDS,
)

HOLD_EXPIRED = mail(
    "hold_expired",
    "Your seat is no longer held: {course}",
    "Dear {name},\n\n"
    "We held a seat for you until {until} (Amsterdam time).\n"
    "We did not receive your payment in time, so the seat is free again for others.\n\n"
    "{details}\n"
    "Do you still want to take this course? Then book again.\n"
    "Is the course full? Then you can join the waiting list.\n\n" + _REGARDS,
)

DUO_BOOKING_LAPSED = mail(
    "duo_booking_lapsed",
    "The school did not answer your booking in time: {course}",
    "Dear {name},\n\n"
    "You booked a seat with a DUO loan. The school did not answer before\n"
    "{until} (Amsterdam time), so your booking has stopped.\n"
    "You do not have to pay anything.\n\n"
    "{details}\n"
    "You can book this course again, or choose another course.\n\n" + _REGARDS,
)

DUO_DECLINED = mail(
    "duo_declined",
    "The school could not accept your booking: {course}",
    "Dear {name},\n\n"
    "The school did not accept your booking with a DUO loan.\n"
    "Your booking has stopped, and you do not have to pay anything.\n\n"
    "{details}\n"
    "You can choose another course or another school.\n\n" + _REGARDS,
)

# The school's invoices to DUO for a DUO booking (market.payments.duo), one mail per step.
DUO_INVOICE_SENT = mail(
    "duo_invoice_sent",
    "Please approve the school's invoice to DUO: {course}",
    "Dear {name},\n\n"
    "The school sent invoice {number} of {amount} to DUO, for your lessons.\n\n"
    "{details}\n"
    "Please check the invoice in Mijn Inburgering (sign in with DigiD) and approve it\n"
    "if it is right. Only then does DUO pay the school from your loan.\n"
    "Is something wrong? Then reject it there and tell the school why.\n\n" + _REGARDS,
)

DUO_INVOICE_APPROVED = mail(
    "duo_invoice_approved",
    "You approved the school's invoice: {course}",
    "Dear {name},\n\n"
    "You approved invoice {number} of {amount}. DUO will now pay it to the school\n"
    "from your loan.\n\n"
    "{details}\n" + _REGARDS,
)

DUO_INVOICE_REJECTED = mail(
    "duo_invoice_rejected",
    "You rejected the school's invoice: {course}",
    "Dear {name},\n\n"
    "You rejected invoice {number} of {amount}. DUO does not pay it.\n"
    "The school can send a corrected invoice.\n\n"
    "{details}\n" + _REGARDS,
)

DUO_INVOICE_PAID = mail(
    "duo_invoice_paid",
    "DUO paid the school's invoice: {course}",
    "Dear {name},\n\n"
    "DUO paid invoice {number} of {amount} to the school from your loan.\n\n"
    "{details}\n" + _REGARDS,
)

# -- tenders: providers and municipalities about a joint tender ----------------------------
# Every tender mail names the tender, its buyer and its lots: `{details}` is TENDER_DETAILS,
# `{lots}` one LOT_LINE per lot. Times are Amsterdam's.

TENDER_DETAILS = text("    Tender: {tender}\n    Buyer:  {coalition}\n    Lots:\n{lots}")
LOT_LINE = text("      {number}. {title} ({route}; regions {regions})\n")
ROUTES = {
    "b1": text("B1 route", context="route"),
    "z": text("Z route", context="route"),
    "onderwijs": text("Education route", context="route"),
}

TENDER_PUBLISHED = mail(
    "tender_published",
    "New tender: {tender}",
    "Dear {name},\n\n"
    "A tender was published that matches the routes and regions you follow.\n\n"
    "{details}\n"
    "You can ask questions until {questions_deadline} (Amsterdam time).\n"
    "Bids are due by {bid_deadline} (Amsterdam time).\n\n"
    "Sign in to market to read the tender.\n\n" + _REGARDS,
)

TENDER_CORRECTED = mail(
    "tender_corrected",
    "Tender corrected: {tender}",
    "Dear {name},\n\n"
    "The tender below was corrected. This is version {version}; it replaces the\n"
    "earlier versions.\n\n"
    "{details}\n"
    "Why: {reason}\n\n"
    "What changed:\n{changes}\n"
    "{deadline}\n"
    "Sign in to market to read the tender as it is now.\n\n" + _REGARDS,
)
CHANGE_LINE = text("    - {field}: {before} -> {after}\n")
DEADLINE_MOVED = text("Bids are now due by {after} (Amsterdam time), no longer by {before}.\n")
DEADLINE_KEPT = text("Bids are still due by {deadline} (Amsterdam time).\n")

AWARD_LETTER = mail(
    "tender_award_letter",
    "Award decision: {tender}, lot {lot}",
    "Dear {name},\n\n"
    "The buyer decided to whom it awards lot {lot} ({lot_title}) of the tender\n"
    "{tender}. This decision was sent to every bidder on the lot at the same\n"
    "moment: {sent} (Amsterdam time).\n\n"
    "{outcome}\n"
    "    Winner:   {winner}, score {winner_score} (rank 1)\n"
    "{own}\n"
    "Reasons:\n{reasons}\n\n"
    "The standstill period ends on {standstill} (Amsterdam time). No contract is\n"
    "signed before then. Until then you can object to this decision.\n\n" + _REGARDS,
)
YOU_WON = text("Your bid won this lot.\n")
YOU_LOST = text("Your bid did not win this lot.\n")
OWN_RANKED = text("    Your bid: score {score} (rank {rank})\n")
OWN_EXCLUDED = text("    Your bid: not ranked, because it did not meet a requirement: {reason}\n")
NO_REASON = text("see the reasons below")

TENDER_DECIDED = mail(
    "tender_decided",
    "Tender decided: {tender}",
    "Dear {name},\n\n"
    "The buyer decided the award of lots of a tender that matches the routes and\n"
    "regions you follow.\n\n"
    "{details}\n"
    "Decided:\n{decided}\n"
    "Sign in to market to read the tender.\n\n" + _REGARDS,
)
DECIDED_LOT = text("      {number}. {title}: won by {winner}; standstill until {standstill}\n")
