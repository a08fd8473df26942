"""Mails from events: each handler renders one message in its reader's language and sends it
once per event.

Sending once: the event's id is claimed in `sent_mails` in the job's transaction, the mail is
sent, and the job commits. A redelivered event finds its id taken and sends nothing (a
concurrent delivery waits on the claim's row lock, then finds it taken); a failed send rolls
the claim back, so the job's retry sends again. A mail sent whose commit then failed is sent
again on the retry: at least once, as SMTP itself delivers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.db.outbox import Delivery
from market.identity import service as identity
from market.identity.events import InvitationIssued, RegistrationForExistingEmail
from market.kernel.i18n import DEFAULT_LANGUAGE, Language
from market.notifications import messages
from market.notifications.delivery import Mailer
from market.notifications.models import SentMail

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Redelivery happens within hours (finished jobs are kept a day); a month is ample.
SENT_MAILS_KEPT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Post:
    """Where mails go and whom they come from (MARKET_MAIL_FROM)."""

    mailer: Mailer
    sender: str


def language(preferred: str | None) -> Language:
    """A user's preferred language if mails are written in it, else Dutch."""
    spoken = {spoken.value: spoken for spoken in Language}
    return spoken.get(preferred or "", DEFAULT_LANGUAGE)


def text(key: str, lang: Language, **values: str) -> str:
    return messages.TEXTS[key][lang].format(**values)


def compose(
    post: Post, *, event_id: uuid.UUID, to: str, key: str, lang: Language, **values: str
) -> EmailMessage:
    """The message `key` to `to`, in `lang`; its Message-ID is the event's, so a receiving
    server can recognise a repeat too."""
    mail = EmailMessage()
    mail["From"] = post.sender
    mail["To"] = to
    mail["Subject"] = text(f"{key}.subject", lang, **values)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(post.sender)[1].rpartition("@")[2] or "market.invalid"
    mail["Message-ID"] = f"<{event_id}@{domain}>"
    mail.set_content(text(f"{key}.body", lang, **values))
    # After the content: setting it replaces every Content-* header.
    mail["Content-Language"] = lang.value
    return mail


async def send_once(
    session: AsyncSession, post: Post, event_id: uuid.UUID, mail: EmailMessage, key: str
) -> bool:
    """Send `mail` unless the event's mail was sent already; True when it was sent now."""
    claimed = await session.scalar(
        insert(SentMail)
        .values(event_id=event_id, message=key)
        .on_conflict_do_nothing(index_elements=[SentMail.event_id])
        .returning(SentMail.event_id)
    )
    if claimed is None:
        return False
    await post.mailer.send(mail)
    return True


async def mail_existing_account(
    session: AsyncSession, post: Post, delivery: Delivery[RegistrationForExistingEmail]
) -> bool:
    """Tell an account's owner that someone tried to register with their address (nothing
    when the account was deleted since)."""
    email = delivery.event.email
    owner = await identity.addressee(session, email)
    if owner is None:
        return False
    key = messages.EXISTING_ACCOUNT
    mail = compose(
        post,
        event_id=delivery.id,
        to=email,
        key=key,
        lang=language(owner.preferred_language),
        display_name=owner.display_name,
        email=email,
    )
    return await send_once(session, post, delivery.id, mail, key)


async def mail_invitation(
    session: AsyncSession, post: Post, delivery: Delivery[InvitationIssued]
) -> bool:
    """Send the invitee the organisation's name and the token to accept with, in their
    account's language (Dutch when the address has no account yet)."""
    event = delivery.event
    invitee = await identity.addressee(session, event.email)
    lang = language(invitee.preferred_language if invitee else None)
    key = messages.INVITATION
    mail = compose(
        post,
        event_id=delivery.id,
        to=event.email,
        key=key,
        lang=lang,
        organisation=event.organisation_name,
        role=text(f"role.{event.role}", lang),
        email=event.email,
        token=event.token,
        expires=_local_time(event.expires_at),
    )
    return await send_once(session, post, delivery.id, mail, key)


async def purge_sent_mails(session: AsyncSession, kept: timedelta = SENT_MAILS_KEPT) -> int:
    """Forget mails sent longer ago than `kept`: no event is redelivered that late."""
    result = await session.execute(delete(SentMail).where(SentMail.sent_at < func.now() - kept))
    return int(getattr(result, "rowcount", 0) or 0)


def _local_time(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
