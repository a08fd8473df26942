"""Mails from identity's events: the owner of an address someone registered with again, and
the invitee of an invitation, each get one mail in their language, written as an .eml file
(MARKET_SMTP_URL empty), once per event, and none for a change that rolled back."""

from __future__ import annotations

import email
import email.policy
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from market import worker
from market.api.graphql import ids
from market.db import jobs, outbox
from market.db.database import Database
from market.identity import service as identity
from market.identity.events import RegistrationForExistingEmail
from market.identity.models import Role
from market.notifications import service, tasks
from market.notifications.delivery import MailFolder
from market.notifications.service import Post
from tests.identity.state import count
from tests.support import actors
from tests.support.graphql import GraphQLClient

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { id email displayName preferredLanguage memberships { role } }
}
"""
INVITE = """
mutation Invite($input: InviteMemberInput!) {
  inviteMember(input: $input) { acceptanceToken organisation { name } }
}
"""
SENDER = "market <noreply@market.example>"


def registration(email_address: str, language: str = "nl") -> dict[str, Any]:
    return {
        "input": {
            "email": email_address,
            "password": "tien tekens!",
            "displayName": "Amina Yusuf",
            "preferredLanguage": language,
        }
    }


async def run_jobs(db: Database, folder: Path) -> None:
    """What the worker does with the queued events and mails, until none is left."""
    app = worker.job_app(db.url)
    async with app.open_async():
        await app.run_worker_async(
            queues=[outbox.QUEUE, tasks.QUEUE],
            wait=False,
            install_signal_handlers=False,
            additional_context=jobs.job_context(db)
            | tasks.job_context(Post(MailFolder(folder), SENDER)),
        )


def mails(folder: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


async def mail_jobs(db: Database) -> list[tuple[str, str]]:
    async with db.reader() as session:
        rows = await session.execute(
            text(
                "SELECT task_name, status::text FROM procrastinate_jobs"
                " WHERE queue_name IN ('events', 'mail') ORDER BY id"
            )
        )
        return [(task, status) for task, status in rows]


async def test_registering_an_existing_email_mails_its_owner_in_their_language(
    gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    first = (await gql(REGISTER, registration("Owner@Example.test", "en"))).ok()["register"]
    await run_jobs(db, tmp_path)
    assert mails(tmp_path) == []  # a new account is mailed nothing

    again = (await gql(REGISTER, registration("owner@example.test", "nl"))).ok()["register"]
    await run_jobs(db, tmp_path)

    # The answer is unchanged: built from the input, as for a new account.
    assert again == {**first, "id": again["id"], "preferredLanguage": "nl"}
    [mail] = mails(tmp_path)
    assert mail["To"] == "owner@example.test"
    assert mail["From"] == SENDER
    assert mail["Content-Language"] == "en"  # the owner's language, not the input's
    assert mail["Subject"] == "Someone tried to create an account with your email address"
    assert "Dear Amina Yusuf," in body(mail)
    assert "sign in with your password" in body(mail)
    assert await count(db, "sent_mails") == 1
    assert await mail_jobs(db) == [
        (outbox.DISPATCH, "succeeded"),
        (tasks.MAIL_EXISTING_ACCOUNT, "succeeded"),
    ]


async def test_the_owner_is_written_to_in_dutch_by_default(
    gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    owner = await actors.learner(db)  # preferred language: the default, nl

    (await gql(REGISTER, registration(owner.email.upper(), "en"))).ok()
    await run_jobs(db, tmp_path)

    [mail] = mails(tmp_path)
    assert mail["To"] == owner.email
    assert mail["Content-Language"] == "nl"
    assert mail["Subject"] == "Iemand probeerde een account te maken met uw e-mailadres"
    assert "Log dan in met uw wachtwoord." in body(mail)


async def test_registering_new_emails_mails_nobody(
    gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    for number in range(3):
        (await gql(REGISTER, registration(f"new{number}@example.test"))).ok()

    await run_jobs(db, tmp_path)

    assert mails(tmp_path) == []
    assert await mail_jobs(db) == []


async def test_an_invitation_mails_the_invitee_the_organisation_and_the_token(
    gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    invited = {
        "input": {
            "organisationId": ids.encode("Organisation", owner.organisation_id),
            "email": "Nieuwe.Collega@Example.test",
            "role": "EDITOR",
        }
    }

    issued = (await gql(INVITE, invited, token=owner.token)).ok()["inviteMember"]
    await run_jobs(db, tmp_path)

    [mail] = mails(tmp_path)
    organisation = issued["organisation"]["name"]
    assert mail["To"] == "nieuwe.collega@example.test"
    assert mail["Content-Language"] == "nl"  # no account yet: Dutch
    assert mail["Subject"] == f"Uitnodiging om mee te werken voor {organisation}"
    assert f"als redacteur mee te werken voor {organisation}" in body(mail)
    assert f"    {issued['acceptanceToken']}\n" in body(mail)


async def test_an_invitee_with_an_account_is_invited_in_their_language(
    gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    (await gql(REGISTER, registration("colleague@example.test", "en"))).ok()
    invited = {
        "input": {
            "organisationId": ids.encode("Organisation", owner.organisation_id),
            "email": "colleague@example.test",
            "role": "OWNER",
        }
    }

    issued = (await gql(INVITE, invited, token=owner.token)).ok()["inviteMember"]
    await run_jobs(db, tmp_path)

    [mail] = mails(tmp_path)
    assert mail["Content-Language"] == "en"
    assert f"join {issued['organisation']['name']} as owner" in body(mail)
    assert issued["acceptanceToken"] in body(mail)


async def test_a_rolled_back_registration_or_invitation_mails_nothing(
    db: Database, tmp_path: Path
) -> None:
    existing = await actors.learner(db)
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None

    async def attempt() -> None:
        async with db.transaction() as session:
            await identity.register(
                session,
                email=existing.email,
                password="tien tekens!",
                display_name="Someone",
                preferred_language="nl",
            )
            await identity.invite_member(
                session,
                await identity.actor_for_token(session, owner.token),
                organisation_id=owner.organisation_id,
                email="invitee@example.test",
                role=Role.EDITOR,
            )
            raise RuntimeError("a later step failed")

    with pytest.raises(RuntimeError, match="a later step failed"):
        await attempt()
    await run_jobs(db, tmp_path)

    assert mails(tmp_path) == []
    assert await mail_jobs(db) == []
    assert await count(db, "invitations") == 0


async def test_an_event_delivered_twice_mails_once(
    gql: GraphQLClient, db: Database, tmp_path: Path
) -> None:
    owner = await actors.learner(db)
    (await gql(REGISTER, registration(owner.email))).ok()
    await run_jobs(db, tmp_path)
    async with db.reader() as session:
        delivered = await session.scalar(
            text("SELECT args FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": tasks.MAIL_EXISTING_ACCOUNT},
        )

    # The same event again, as a worker killed before marking its job done delivers it.
    async with db.transaction() as session:
        await outbox.defer(session, tasks.MAIL_EXISTING_ACCOUNT, queue=tasks.QUEUE, args=delivered)
    await run_jobs(db, tmp_path)

    assert len(mails(tmp_path)) == 1
    assert [status for _, status in await mail_jobs(db)] == ["succeeded"] * 3
    assert await count(db, "sent_mails") == 1


class Unreachable:
    """A mail server that is down."""

    async def send(self, message: EmailMessage) -> None:
        raise ConnectionRefusedError("no mail server")


async def test_a_failed_send_keeps_nothing_so_the_retry_sends(db: Database, tmp_path: Path) -> None:
    owner = await actors.learner(db)
    delivery = outbox.Delivery(uuid.uuid4(), RegistrationForExistingEmail(owner.email))

    with pytest.raises(ConnectionRefusedError):
        async with db.transaction() as session:
            await service.mail_existing_account(session, Post(Unreachable(), SENDER), delivery)
    assert await count(db, "sent_mails") == 0

    async with db.transaction() as session:
        post = Post(MailFolder(tmp_path), SENDER)
        assert await service.mail_existing_account(session, post, delivery)
    async with db.transaction() as session:
        assert not await service.mail_existing_account(session, post, delivery)
    assert len(mails(tmp_path)) == 1
    assert mails(tmp_path)[0]["Message-ID"] == f"<{delivery.id}@market.example>"
