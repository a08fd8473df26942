"""Where a mail goes: an SMTP server when MARKET_SMTP_URL is set (here a minimal one on a
loopback port, speaking the protocol as smtplib expects it), else a folder of .eml files."""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

from market import worker
from market.notifications.delivery import MailFolder, SmtpServer
from market.settings import Settings


@dataclass
class Received:
    credentials: list[str] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)


async def _serve(
    received: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    def reply(line: str) -> None:
        writer.write(line.encode() + b"\r\n")

    reply("220 test ESMTP")
    sender, recipients = "", []
    while line := (await reader.readline()).decode().rstrip("\r\n"):
        verb = line.split(" ", 1)[0].upper()
        if verb == "EHLO":
            reply("250-test")
            reply("250 AUTH PLAIN")
        elif verb == "AUTH":
            _, user, password = base64.b64decode(line.split()[2]).decode().split("\0")
            received.credentials.append(f"{user}:{password}")
            reply("235 ok")
        elif verb == "MAIL":
            sender = line.partition(":")[2].strip("<> ").split(">")[0]
            reply("250 ok")
        elif verb == "RCPT":
            recipients.append(line.partition(":")[2].strip("<> "))
            reply("250 ok")
        elif verb == "DATA":
            reply("354 go on")
            data = await reader.readuntil(b"\r\n.\r\n")
            received.messages.append(data[: -len(b".\r\n")])
            received.envelopes.append((sender, recipients))
            reply("250 queued")
        elif verb == "QUIT":
            reply("221 bye")
            break
        else:
            reply("250 ok")
        await writer.drain()
    await writer.drain()
    writer.close()


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[int, Received]]:
    received = Received()
    server = await asyncio.start_server(
        lambda reader, writer: _serve(received, reader, writer), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield port, received


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "market <noreply@market.example>"
    mail["To"] = "amina@example.test"
    mail["Subject"] = "Uitnodiging"
    mail["Message-ID"] = "<0b7c4d1e@market.example>"
    mail.set_content("Hallo,\n\nDe code is: abc\n")
    return mail


async def test_a_mail_goes_through_the_smtp_server_with_its_credentials(
    smtp_server: tuple[int, Received],
) -> None:
    port, received = smtp_server

    await SmtpServer(f"smtp://mailer%40market.example:s%3Acret@127.0.0.1:{port}").send(message())

    assert received.credentials == ["mailer@market.example:s:cret"]
    assert received.envelopes == [("noreply@market.example", ["amina@example.test"])]
    [data] = received.messages
    sent = email.message_from_bytes(data, policy=email.policy.default)
    assert sent["Subject"] == "Uitnodiging"
    assert "De code is: abc" in sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_a_mail_server_that_is_down_fails_the_send() -> None:
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()

    with pytest.raises(ConnectionRefusedError):
        await SmtpServer(f"smtp://127.0.0.1:{port}").send(message())


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:587"])
def test_a_malformed_smtp_url_is_refused_at_start(url: str) -> None:
    with pytest.raises(ValueError, match="MARKET_SMTP_URL"):
        worker.post(Settings(smtp_url=url))


async def test_without_an_smtp_url_mails_are_files_in_the_mail_folder(tmp_path: Path) -> None:
    post = worker.post(Settings(mail_dir=tmp_path / "mail"))
    assert post.mailer == MailFolder(tmp_path / "mail")
    assert post.sender == "market <noreply@market.example>"

    await post.mailer.send(message())

    [path] = (tmp_path / "mail").glob("*.eml")
    assert path.name.endswith("-0b7c4d1e.eml")
    assert list((tmp_path / "mail").iterdir()) == [path]  # no partial file left
    assert email.message_from_bytes(path.read_bytes())["To"] == "amina@example.test"
