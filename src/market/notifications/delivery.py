"""How a mail leaves: through SMTP when MARKET_SMTP_URL is set, else as an `.eml` file in a
folder (MARKET_MAIL_DIR), so that a development machine shows every mail without a mail
server and tests read what was sent.

Both block (smtplib, file writes), so they run in a thread.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

SMTP_TIMEOUT_SECONDS = 30


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand `message` over for delivery; raises when it could not be."""


@dataclass(frozen=True, slots=True)
class MailFolder:
    """Each mail becomes `<folder>/<UTC time>-<Message-ID's local part>.eml`."""

    folder: Path

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        local = parseaddr(message["Message-ID"] or "")[1].partition("@")[0] or "mail"
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{local}.eml"
        # Written under a temporary name and renamed, so a reader never sees half a mail.
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(message.as_bytes())
        os.replace(partial, self.folder / name)


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """`smtp://user:password@host:port` (STARTTLS on port 587; user and password
    percent-encoded) or `smtps://...` (TLS from the start, port 465 by default)."""

    url: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError(
                "MARKET_SMTP_URL must be smtp://[user:password@]host[:port] or smtps://"
            )

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if parts.scheme == "smtps":
            server = smtplib.SMTP_SSL(
                host, parts.port or 465, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            server = smtplib.SMTP(host, parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
        with server:
            if parts.scheme == "smtp" and parts.port == 587:
                server.starttls(context=context)
            if parts.username:
                server.login(unquote(parts.username), unquote(parts.password or ""))
            server.send_message(message)


def mailer(smtp_url: str, mail_dir: Path) -> Mailer:
    """SMTP when `smtp_url` is set, else the folder `mail_dir`."""
    return SmtpServer(smtp_url) if smtp_url else MailFolder(mail_dir)
