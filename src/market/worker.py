"""Background jobs: the procrastinate App built from settings, and the worker that runs
its jobs, on its own (`market worker`) or inside the web app's lifespan (embedded mode).

Jobs live in PostgreSQL (procrastinate's tables, created by migration 0003_jobs); each
task reaches the database through `market.db.jobs`. Domains queue work in their own
transaction through `market.db.outbox`; the events they record reach the handlers in
`SUBSCRIPTIONS`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from procrastinate import App, Blueprint, JobContext, PsycopgConnector

from market.db import jobs, outbox
from market.db.database import Database, libpq_url
from market.enrollment import tasks as enrollment_tasks
from market.enrollment.events import (
    DuoBookingDeclined,
    EnrollmentCancelled,
    EnrollmentConfirmed,
    HoldExpired,
    SeatHeld,
    WaitlistOfferMade,
)
from market.enrollment.policies import BookingRules
from market.files import FileStore
from market.identity import tasks as identity_tasks
from market.identity.events import InvitationIssued, RegistrationForExistingEmail
from market.notifications import tasks as notifications_tasks
from market.notifications.delivery import mailer
from market.notifications.service import Post
from market.payments import tasks as payments_tasks
from market.payments.events import DuoInvoiceStepped
from market.payments.service import Payments
from market.search import tasks as search_tasks
from market.search.meilisearch import MeilisearchSearch
from market.settings import Settings
from market.tenders import tasks as tenders_tasks
from market.tenders.events import AwardDecided, TenderCorrected, TenderPublished

log = structlog.get_logger("market.worker")

# How long a stopping worker lets running jobs finish before aborting them (each job
# then rolls back). Deployments give the process a little longer than this to stop.
SHUTDOWN_GRACE_SECONDS = 30
# Succeeded jobs are kept this long (for looking into what ran), then removed; failed
# ones stay until someone has looked at them.
FINISHED_JOBS_KEPT_HOURS = 24


async def remove_finished_jobs(context: JobContext, timestamp: int) -> None:
    """Every queue's succeeded jobs past their keeping time: periodic jobs leave one row
    per run (the search sync alone 1,440 a day)."""
    await context.app.job_manager.delete_old_jobs(nb_hours=FINISHED_JOBS_KEPT_HOURS)


def _platform_tasks() -> Blueprint:
    tasks = Blueprint()
    remove = tasks.task(name="remove_finished_jobs", pass_context=True)(remove_finished_jobs)
    tasks.periodic(cron="53 * * * *")(remove)
    return tasks


# Who handles each domain event (market.db.outbox.record): the event type and the full
# name of a task registered below. Handlers of other domains' events are listed here, in
# the composition root, so that no domain imports the domains that react to it.
SUBSCRIPTIONS = outbox.subscriptions(
    (RegistrationForExistingEmail, notifications_tasks.MAIL_EXISTING_ACCOUNT),
    (InvitationIssued, notifications_tasks.MAIL_INVITATION),
    (EnrollmentCancelled, payments_tasks.REFUND_CANCELLED),
    # The learner's mails about their booking (market.notifications.bookings.BOOKING_MAILS).
    (SeatHeld, notifications_tasks.mail_task(SeatHeld)),
    (EnrollmentConfirmed, notifications_tasks.mail_task(EnrollmentConfirmed)),
    (EnrollmentCancelled, notifications_tasks.mail_task(EnrollmentCancelled)),
    (HoldExpired, notifications_tasks.mail_task(HoldExpired)),
    (DuoBookingDeclined, notifications_tasks.mail_task(DuoBookingDeclined)),
    (WaitlistOfferMade, notifications_tasks.mail_task(WaitlistOfferMade)),
    (DuoInvoiceStepped, notifications_tasks.mail_task(DuoInvoiceStepped)),
    # Providers and municipalities about tenders (market.notifications.tenders.TENDER_MAILS).
    (TenderPublished, notifications_tasks.mail_task(TenderPublished)),
    (TenderCorrected, notifications_tasks.mail_task(TenderCorrected)),
    (AwardDecided, notifications_tasks.mail_task(AwardDecided)),
)


def job_app(database_url: str, *, subscriptions: outbox.Subscriptions = SUBSCRIPTIONS) -> App:
    """The job queue on `database_url` with every domain's tasks; open it before use."""
    app = App(connector=PsycopgConnector(conninfo=libpq_url(database_url)))
    app.add_tasks_from(_platform_tasks(), namespace="platform")
    app.add_tasks_from(outbox.blueprint(subscriptions), namespace=outbox.NAMESPACE)
    app.add_tasks_from(identity_tasks.blueprint(), namespace="identity")
    app.add_tasks_from(enrollment_tasks.blueprint(), namespace="enrollment")
    app.add_tasks_from(notifications_tasks.blueprint(), namespace=notifications_tasks.NAMESPACE)
    app.add_tasks_from(search_tasks.blueprint(), namespace="search")
    app.add_tasks_from(payments_tasks.blueprint(), namespace="payments")
    app.add_tasks_from(tenders_tasks.blueprint(), namespace="tenders")
    return app


def post(settings: Settings) -> Post:
    """Where mails go: SMTP when MARKET_SMTP_URL is set, else .eml files in MARKET_MAIL_DIR."""
    return Post(mailer(settings.smtp_url, settings.mail_dir), settings.mail_from)


async def run(
    db: Database,
    *,
    mail: Post,
    search_engine: MeilisearchSearch | None = None,
    booking: BookingRules = BookingRules(),
    payments: Payments | None = None,
    files: FileStore | None = None,
    concurrency: int = 1,
    install_signal_handlers: bool = True,
) -> None:
    """Run jobs until cancelled (or, with signal handlers, until SIGINT/SIGTERM); jobs
    already running are allowed to finish. `mail`: where the mails go (`post(settings)`).
    `search_engine`: the Meilisearch index the search jobs keep in step with the catalog
    (None: search runs on PostgreSQL). `booking`: the rules holds and offers expire by.
    `payments`: Stripe and its rules (None: online payment is off). `files`: the documents'
    store (None: abandoned uploads are kept). `concurrency`: jobs run at once
    (Settings.worker_concurrency)."""
    queue = job_app(db.url)
    async with queue.open_async():
        await queue.run_worker_async(
            name="market-worker",
            additional_context=jobs.job_context(db)
            | search_tasks.job_context(search_engine)
            | notifications_tasks.job_context(mail)
            | enrollment_tasks.job_context(booking)
            | payments_tasks.job_context(payments)
            | tenders_tasks.job_context(files),
            concurrency=concurrency,
            install_signal_handlers=install_signal_handlers,
            shutdown_graceful_timeout=SHUTDOWN_GRACE_SECONDS,
        )


@contextlib.asynccontextmanager
async def running_in_background(
    db: Database,
    *,
    mail: Post,
    search_engine: MeilisearchSearch | None = None,
    booking: BookingRules = BookingRules(),
    payments: Payments | None = None,
    files: FileStore | None = None,
    concurrency: int = 1,
) -> AsyncIterator[None]:
    """The worker runs beside the caller for the duration of the block (the app's lifespan)."""
    task = asyncio.create_task(
        run(
            db,
            mail=mail,
            search_engine=search_engine,
            booking=booking,
            payments=payments,
            files=files,
            concurrency=concurrency,
            install_signal_handlers=False,
        ),
        name="market-worker",
    )
    task.add_done_callback(_report_crash)
    try:
        yield
    finally:
        task.cancel()
        # Wait without re-raising: a crash was already reported when it happened.
        await asyncio.wait([task])


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the embedded worker stopped", exc_info=task.exception())
