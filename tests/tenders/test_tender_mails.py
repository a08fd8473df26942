"""Mails about tenders, through the real outbox and worker, as the .eml files people get:
a publication to the providers whose follows match, a correction to them and to every
provider that asked or bid and the members' procurement officers, an award decision as a
letter to every bidder at once and a notice to followers who did not bid. Each mail goes
to its recipients and no one else, once, in each reader's language; and none sent before
the bid deadline tells a price, a bid count or who asked (guarantees 1 and 5)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import text, update

from market import worker
from market.api.graphql import ids
from market.db import jobs, outbox
from market.db.database import Database
from market.identity.models import Role, User
from market.notifications import tasks
from market.notifications.delivery import Mailer, MailFolder
from market.notifications.service import Post
from market.tenders.events import AwardDecided, TenderCorrected, TenderPublished
from tests.notifications.test_booking_mails import dutch_moment, english_moment
from tests.notifications.test_mails import body, mail_jobs, mails, run_jobs
from tests.support.actors import Person, add_person
from tests.support.graphql import GraphQLClient
from tests.tenders.award_world import AGREE, DECIDE, SCORE, check
from tests.tenders.bid_world import OPEN, SUBMIT, Provider, pass_bid_deadline, provider
from tests.tenders.correction_world import correct
from tests.tenders.follow_world import follow
from tests.tenders.questions_world import ASK
from tests.tenders.world import (
    PUBLISH_TENDER,
    TENDER,
    CoalitionWorld,
    build_coalition,
    create_publishable_tender,
    publishable_input,
)

TITLE = "Inburgering Regio Amsterdam 2027"
CORRECTED_TITLE = "Inburgering Regio Amsterdam 2027-2028"
IDS = """query($id: ID!) { tender(id: $id) {
  lots { id } criteria { id } timeline { bidDeadline questionsDeadline }
} }"""
# Prices no mail before the decision may carry, in every way a mail could write them.
PRICES = (987_654, 876_543)


@dataclass(frozen=True)
class World:
    coalition: CoalitionWorld
    second_officer: Person  # another procurement officer of the lead
    second_evaluator: Person  # another evaluator of the lead
    tender: str
    lots: tuple[str, str]
    criteria: tuple[str, str]
    bid_deadline: datetime
    questions_deadline: datetime
    alpha: Provider  # follows Z-route in AM18: lot 1
    beta: Provider  # follows B1-route: no lot
    gamma: Provider  # follows AM18: both lots
    zeta: Provider  # follows the Onderwijsroute: lot 2
    delta: Provider  # follows nothing; bids
    epsilon: Provider  # follows nothing; asks, or bids and is knocked out

    @property
    def tender_id(self) -> uuid.UUID:
        return ids.decode("Tender", self.tender)

    def staff(self, *providers: Provider) -> list[str]:
        return sorted(p.email for provider in providers for p in (provider.owner, provider.editor))


async def _speaks(db: Database, person: Person, language: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(User).where(User.id == person.user_id).values(preferred_language=language)
        )


async def build(db: Database, gql: GraphQLClient, folder: Path) -> World:
    """The tender published through the API, its publication mails sent into `folder`."""
    w = await build_coalition(db, gql)
    tender = await create_publishable_tender(gql, w)
    second = await add_person(
        db, organisation_id=w.lead.organisation_id, role=Role.PROCUREMENT_OFFICER
    )
    evaluator = await add_person(db, organisation_id=w.lead.organisation_id, role=Role.EVALUATOR)
    named = {}
    for name in ("Alfa", "Beta", "Gamma", "Zeta", "Delta", "Epsilon"):
        named[name] = await provider(db, f"{name} Taalschool")
    await _speaks(db, named["Alfa"].editor, "en")
    for name, (route, region) in {
        "Alfa": ("Z", "AM18"),
        "Beta": ("B1", None),
        "Gamma": (None, "AM18"),
        "Zeta": ("ONDERWIJS", None),
    }.items():
        await follow(gql, named[name].owner, route, region)
    (await gql(PUBLISH_TENDER, {"id": tender}, token=w.lead.officer.token)).ok()
    read = (await gql(IDS, {"id": tender}, token=w.lead.officer.token)).ok()["tender"]
    await run_jobs(db, folder)
    return World(
        w,
        second,
        evaluator,
        tender,
        tuple(lot["id"] for lot in read["lots"]),  # type: ignore[arg-type]
        tuple(c["id"] for c in read["criteria"]),  # type: ignore[arg-type]
        datetime.fromisoformat(read["timeline"]["bidDeadline"]),
        datetime.fromisoformat(read["timeline"]["questionsDeadline"]),
        named["Alfa"],
        named["Beta"],
        named["Gamma"],
        named["Zeta"],
        named["Delta"],
        named["Epsilon"],
    )


def _to(found: list[EmailMessage]) -> list[str]:
    return sorted(str(mail["To"]) for mail in found)


def _of(found: list[EmailMessage], person: Person) -> EmailMessage:
    [mail] = [mail for mail in found if mail["To"] == person.email]
    return mail


async def bid(gql: GraphQLClient, w: World, bidder: Provider, price_cents: int) -> str:
    made = {
        "lotId": w.lots[0],
        "priceCents": price_cents,
        "qualityAnswers": [
            {"criterionId": w.criteria[0], "text": "Een plan van aanpak."},
            {"criterionId": w.criteria[1], "text": "Een vaste coach."},
        ],
    }
    result = await gql(SUBMIT, {"input": made}, token=bidder.owner.token)
    return str(result.ok()["submitBid"]["id"])


# -- published ------------------------------------------------------------------------------


async def test_a_publication_is_mailed_to_the_staff_of_the_providers_whose_follows_match(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    w = await build(db, gql, tmp_path)

    found = mails(tmp_path)

    assert _to(found) == w.staff(w.alpha, w.gamma, w.zeta)
    dutch = _of(found, w.alpha.owner)
    assert dutch["Subject"] == f"Nieuwe aanbesteding: {TITLE}"
    assert dutch["Content-Language"] == "nl"
    text = body(dutch)
    assert text.startswith(f"Beste {w.alpha.owner.email.split('@')[0]},\n")
    assert "    Aanbesteding: " + TITLE + "\n    Inkoper:      Regio Amsterdam\n" in text
    assert "      1. Z-route (Z-route; regio's AM18)\n" in text
    assert "      2. Onderwijsroute mbo (Onderwijsroute; regio's AM18, AM17)\n" in text
    deadline = dutch_moment(w.bid_deadline)
    assert f"Inschrijven kan tot {deadline} (Nederlandse tijd).\n" in text
    questions = dutch_moment(w.questions_deadline)
    assert f"U kunt vragen stellen tot {questions} (Nederlandse tijd).\n" in text

    english = _of(found, w.alpha.editor)
    assert english["Subject"] == f"New tender: {TITLE}"
    assert english["Content-Language"] == "en"
    assert f"Bids are due by {english_moment(w.bid_deadline)} (Amsterdam time).\n" in body(english)
    assert "      2. Onderwijsroute mbo (Education route; regions AM18, AM17)\n" in body(english)
    assert (tasks.mail_task(TenderPublished), "succeeded") in await mail_jobs(db)


async def test_a_redelivered_publication_mails_no_one_twice(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    w = await build(db, gql, tmp_path)
    sent = len(mails(tmp_path))
    async with db.transaction() as session:
        args = await session.scalar(
            text("SELECT args FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": tasks.mail_task(TenderPublished)},
        )
        await outbox.defer(session, tasks.mail_task(TenderPublished), queue=tasks.QUEUE, args=args)

    await run_jobs(db, tmp_path)

    assert len(mails(tmp_path)) == sent == len(w.staff(w.alpha, w.gamma, w.zeta))
    jobs = [job for job in await mail_jobs(db) if job[0] == tasks.mail_task(TenderPublished)]
    assert jobs == [(tasks.mail_task(TenderPublished), "succeeded")] * 2


# -- corrected ------------------------------------------------------------------------------


async def correction(
    gql: GraphQLClient,
    w: World,
    *,
    reason: str,
    title: str | None = None,
    extend: timedelta = timedelta(0),
) -> datetime:
    """The lead's officer corrects the tender through `updateTender`: its title, or else its
    description (a correction changes something), and its bid deadline and planned award
    `extend` later. The new bid deadline."""
    officer = w.coalition.lead.officer
    stored = (await gql(TENDER, {"id": w.tender}, token=officer.token)).ok()["tender"]
    draft = publishable_input(w.coalition)
    if title is None:
        draft["description"] = stored["description"] + " Gecorrigeerd."
    else:
        draft["title"] = title
    draft["timeline"] = {
        moment: (datetime.fromisoformat(at) + extend).isoformat()
        if moment in ("bidDeadline", "plannedAwardAt")
        else at
        for moment, at in stored["timeline"].items()
    }
    corrected = (await correct(gql, w.coalition, w.tender, draft, reason)).ok()["updateTender"]
    return datetime.fromisoformat(corrected["timeline"]["bidDeadline"])


async def _ask(gql: GraphQLClient, w: World, asker: Provider) -> None:
    variables = {"tender": w.tender, "text": "Mag het ook online?"}
    (await gql(ASK, variables, token=asker.editor.token)).ok()


async def test_a_correction_is_mailed_to_followers_askers_bidders_and_the_members_officers(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    w = await build(db, gql, tmp_path / "published")
    await bid(gql, w, w.delta, PRICES[0])
    await _ask(gql, w, w.epsilon)
    after = await correction(
        gql,
        w,
        reason="De lesuren waren te laag.",
        title=CORRECTED_TITLE,
        extend=timedelta(days=7),
    )

    await run_jobs(db, tmp_path)

    found = mails(tmp_path)
    c = w.coalition
    officers = sorted([c.lead.officer.email, w.second_officer.email, c.member.officer.email])
    assert _to(found) == sorted(w.staff(w.alpha, w.gamma, w.zeta, w.delta, w.epsilon) + officers)
    dutch = _of(found, w.delta.owner)
    assert dutch["Subject"] == f"Aanbesteding gerectificeerd: {CORRECTED_TITLE}"
    text = body(dutch)
    assert "Dit is versie 2;" in text
    assert "Waarom: De lesuren waren te laag.\n" in text
    assert f"    - title: {TITLE} -> {CORRECTED_TITLE}\n" in text
    moved = (
        f"Inschrijven kan nu tot {dutch_moment(after)} (Nederlandse tijd), "
        f"niet meer tot {dutch_moment(w.bid_deadline)}.\n"
    )
    assert moved in text
    english = body(_of(found, w.alpha.editor))
    assert f"Bids are now due by {english_moment(after)} (Amsterdam time)" in english
    assert (tasks.mail_task(TenderCorrected), "succeeded") in await mail_jobs(db)


# -- guarantees 1 and 5: nothing of a bid or an asker in a mail before the deadline ----------


def _greeting_removed(mail: EmailMessage) -> str:
    return re.sub(r"\A(Beste|Dear) [^\n]*\n", "", body(mail))


def _is_correction(mail: EmailMessage) -> bool:
    return str(mail["Subject"]).startswith(("Aanbesteding gerectificeerd", "Tender corrected"))


def _price_texts(cents: int) -> list[str]:
    euros, rest = divmod(cents, 100)
    return [
        str(cents),
        f"{euros:,}".replace(",", "."),
        f"{euros:,}",
        f"{euros}",
        f"{euros},{rest:02d}",
        f"{euros}.{rest:02d}",
    ]


async def test_guarantees_01_05_no_mail_before_the_deadline_tells_a_price_a_count_or_an_asker(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    w = await build(db, gql, tmp_path)
    await bid(gql, w, w.delta, PRICES[0])
    await bid(gql, w, w.alpha, PRICES[1])
    await _ask(gql, w, w.epsilon)
    await correction(gql, w, reason="Een fout.")
    await run_jobs(db, tmp_path)

    found = mails(tmp_path)
    assert len(found) > len(w.staff(w.alpha, w.gamma, w.zeta))  # publication and correction
    for mail in found:
        whole = str(mail["Subject"]) + body(mail)
        for price in PRICES:
            assert not any(shown in whole for shown in _price_texts(price)), whole
        for party in (w.delta, w.epsilon, w.alpha):
            assert party.name not in whole
    # A bidder's, an asker's, a follower's and an officer's mail say the same, word for
    # word: who bid or asked decides who is mailed, never what a mail says.
    for language in ("nl", "en"):
        corrected = [
            _greeting_removed(mail)
            for mail in found
            if mail["Content-Language"] == language and _is_correction(mail)
        ]
        assert len(corrected) >= 1
        assert len(set(corrected)) == 1
    kept = dutch_moment(w.bid_deadline)
    assert f"Inschrijven kan nog steeds tot {kept} (Nederlandse tijd).\n" in body(
        _of(found, w.delta.owner)
    )


# -- decided --------------------------------------------------------------------------------


async def _consensus(gql: GraphQLClient, w: World, bid_id: str, quality_bp: int) -> None:
    """The bid passed the officer's check and, scored by both evaluators, agreed on
    `quality_bp` for every criterion."""
    c = w.coalition
    (await check(gql, c.lead.officer, bid_id, True)).ok()
    for person in (c.lead.evaluator, w.second_evaluator):
        (await gql(SCORE, _scores(w, bid_id, 7000), token=person.token)).ok()
    (await gql(AGREE, _scores(w, bid_id, quality_bp), token=c.lead.evaluator.token)).ok()


def _scores(w: World, bid_id: str, quality_bp: int) -> dict[str, Any]:
    given = [
        {"criterionId": criterion, "scoreBp": quality_bp, "motivation": "Beoordeeld."}
        for criterion in w.criteria
    ]
    return {"bid": bid_id, "scores": given}


async def decide(
    gql: GraphQLClient, w: World, bids: dict[str, int], knocked_out: dict[str, str]
) -> tuple[datetime, datetime]:
    """Once the bid deadline passed: the bids opened by two of the lead's officers, evaluated
    (`bids`: bid id -> the quality agreed for every criterion, in basis points;
    `knocked_out`: bid id -> the reason it failed the check), and lot 1 awarded through
    `decideAward`. The decision's sent_at and standstill end."""
    c = w.coalition
    for officer in (c.lead.officer, w.second_officer):
        (await gql(OPEN, {"tender": w.tender}, token=officer.token)).ok()
    for bid_id, quality_bp in bids.items():
        await _consensus(gql, w, bid_id, quality_bp)
    for bid_id, reason in knocked_out.items():
        (await check(gql, c.lead.officer, bid_id, False, reason)).ok()
    lots = [{"lotId": w.lots[0], "reasons": "Alfa bood de beste prijs-kwaliteitverhouding."}]
    result = await gql(DECIDE, {"tender": w.tender, "lots": lots}, token=c.lead.officer.token)
    [decision] = result.ok()["decideAward"]
    return (
        datetime.fromisoformat(decision["sentAt"]),
        datetime.fromisoformat(decision["standstillEndsAt"]),
    )


async def test_an_award_decision_is_a_letter_to_every_bidder_and_a_notice_to_other_followers(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    w = await build(db, gql, tmp_path / "published")
    alpha = await bid(gql, w, w.alpha, 900_000)
    delta = await bid(gql, w, w.delta, 800_000)
    epsilon = await bid(gql, w, w.epsilon, 700_000)
    await pass_bid_deadline(db, w.tender)
    qualities = {alpha: 9000, delta: 5000}
    sent, standstill = await decide(gql, w, qualities, {epsilon: "Geen Blik op Werk-keurmerk."})

    await run_jobs(db, tmp_path)

    found = mails(tmp_path)
    letters = [mail for mail in found if "Gunningsbeslissing" in str(mail["Subject"])]
    letters += [mail for mail in found if "Award decision" in str(mail["Subject"])]
    notices = [mail for mail in found if mail not in letters]
    assert _to(letters) == w.staff(w.alpha, w.delta, w.epsilon)
    # Gamma follows lot 1's region and did not bid; Zeta follows only lot 2, undecided.
    assert _to(notices) == w.staff(w.gamma)

    won = body(_of(letters, w.alpha.owner))
    assert _of(letters, w.alpha.owner)["Subject"] == f"Gunningsbeslissing: {TITLE}, perceel 1"
    assert "Uw inschrijving heeft dit perceel gewonnen.\n" in won
    assert f"iedere\ninschrijver op het perceel gestuurd: {dutch_moment(sent)}" in won
    assert "    Winnaar:        Alfa Taalschool, score 0,8956 (plaats 1)\n" in won
    assert "    Uw inschrijving: score 0,8956 (plaats 1)\n" in won
    assert "Motivering:\nAlfa bood de beste prijs-kwaliteitverhouding.\n" in won
    assert f"De opschortende termijn eindigt op {dutch_moment(standstill)}" in won

    lost = body(_of(letters, w.delta.owner))
    assert "Uw inschrijving heeft dit perceel niet gewonnen.\n" in lost
    assert "    Winnaar:        Alfa Taalschool, score 0,8956 (plaats 1)\n" in lost
    assert "    Uw inschrijving: score 0,7000 (plaats 2)\n" in lost

    out = body(_of(letters, w.epsilon.editor))
    assert "niet gerangschikt, want die voldeed niet aan een eis: Geen Blik op Werk" in out

    english = body(_of(letters, w.alpha.editor))
    assert f"at the same\nmoment: {english_moment(sent)} (Amsterdam time)" in english
    assert "    Winner:   Alfa Taalschool, score 0.8956 (rank 1)\n" in english

    # Every letter names one and the same moment of sending.
    assert all(dutch_moment(sent) in body(m) or english_moment(sent) in body(m) for m in letters)
    notice = _of(notices, w.gamma.owner)
    assert notice["Subject"] == f"Aanbesteding gegund: {TITLE}"
    assert (
        f"      1. Z-route: gegund aan Alfa Taalschool; opschortende termijn tot "
        f"{dutch_moment(standstill)}\n" in body(notice)
    )
    assert "Onderwijsroute mbo" not in body(notice)  # lot 2 was not decided
    assert (tasks.mail_task(AwardDecided), "succeeded") in await mail_jobs(db)


# -- a mail server failing midway -----------------------------------------------------------


class FailingOnce:
    """A mail folder whose server fails once, on the `fail_at`-th mail."""

    def __init__(self, folder: Path, fail_at: int) -> None:
        self.folder, self.fail_at, self.count = MailFolder(folder), fail_at, 0

    async def send(self, message: EmailMessage) -> None:
        self.count += 1
        if self.count == self.fail_at:
            raise ConnectionError("the mail server went away")
        await self.folder.send(message)


async def _run_jobs_with(db: Database, mailer: Mailer) -> None:
    app = worker.job_app(db.url)
    async with app.open_async():
        await app.run_worker_async(
            queues=[outbox.QUEUE, tasks.QUEUE],
            wait=False,
            install_signal_handlers=False,
            additional_context=jobs.job_context(db)
            | tasks.job_context(Post(mailer, "market <noreply@market.example>")),
        )


async def test_a_retry_after_the_mail_server_failed_midway_sends_only_the_mails_not_yet_sent(
    db: Database, gql: GraphQLClient, tmp_path: Path
) -> None:
    w = await build(db, gql, tmp_path / "published")
    await correction(gql, w, reason="Een fout.")

    await _run_jobs_with(db, FailingOnce(tmp_path, fail_at=3))
    assert len(mails(tmp_path)) == 2
    async with db.transaction() as session:
        # The retry's wait over.
        await session.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")
        )
    await run_jobs(db, tmp_path)

    c = w.coalition
    officers = [c.lead.officer.email, w.second_officer.email, c.member.officer.email]
    assert _to(mails(tmp_path)) == sorted(w.staff(w.alpha, w.gamma, w.zeta) + officers)
    statuses = [job for job in await mail_jobs(db) if job[0] == tasks.mail_task(TenderCorrected)]
    assert statuses == [(tasks.mail_task(TenderCorrected), "succeeded")]
