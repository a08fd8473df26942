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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.db.outbox import Delivery
from market.identity import service as identity
from market.identity.events import InvitationIssued, RegistrationForExistingEmail
from market.kernel.i18n import DEFAULT_LANGUAGE, Language
from market.notifications import messages
from market.notifications.delivery import Mailer
from market.notifications.messages import Mail
from market.notifications.models import SentMail
from market.notifications.render import Phrase, Value, Words

# Redelivery happens within hours (finished jobs are kept a day); a month is ample.
SENT_MAILS_KEPT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Post:
    """Where mails go and whom they come from (MARKET_MAIL_FROM)."""

    mailer: Mailer
    sender: str


def language(preferred: str | None) -> str:
    """A user's preferred language if it is one spoken here (each has its mails'
    catalog), else Dutch."""
    code = (preferred or "").strip()
    return code if code in set(Language) else DEFAULT_LANGUAGE.value


def compose(
    post: Post,
    *,
    event_id: uuid.UUID,
    to: str,
    mail: Mail,
    language: str,
    values: Mapping[str, Value],
) -> EmailMessage:
    """`mail` to `to`, in `language`, its fields filled with `values`; its Message-ID is
    the event's, so a receiving server can recognise a repeat too."""
    words = Words(language)
    message = EmailMessage()
    message["From"] = post.sender
    message["To"] = to
    message["Subject"] = words.write(mail.subject, values)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(post.sender)[1].rpartition("@")[2] or "market.invalid"
    message["Message-ID"] = f"<{event_id}@{domain}>"
    message.set_content(words.write(mail.body, values))
    # After the content: setting it replaces every Content-* header.
    message["Content-Language"] = language.replace("_", "-")
    return message


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
    mail = messages.EXISTING_ACCOUNT
    message = compose(
        post,
        event_id=delivery.id,
        to=email,
        mail=mail,
        language=language(owner.preferred_language),
        values={"display_name": owner.display_name, "email": email},
    )
    return await send_once(session, post, delivery.id, message, mail.key)


async def mail_invitation(
    session: AsyncSession, post: Post, delivery: Delivery[InvitationIssued]
) -> bool:
    """Send the invitee the organisation's name and the token to accept with, in their
    account's language (Dutch when the address has no account yet)."""
    event = delivery.event
    invitee = await identity.addressee(session, event.email)
    mail = messages.INVITATION
    message = compose(
        post,
        event_id=delivery.id,
        to=event.email,
        mail=mail,
        language=language(invitee.preferred_language if invitee else None),
        values={
            "organisation": event.organisation_name,
            "role": Phrase(messages.ROLES[event.role]),
            "email": event.email,
            "token": event.token,
            "expires": event.expires_at,
        },
    )
    return await send_once(session, post, delivery.id, message, mail.key)


async def purge_sent_mails(session: AsyncSession, kept: timedelta = SENT_MAILS_KEPT) -> int:
    """Forget mails sent longer ago than `kept`: no event is redelivered that late."""
    result = await session.execute(delete(SentMail).where(SentMail.sent_at < func.now() - kept))
    return int(getattr(result, "rowcount", 0) or 0)
