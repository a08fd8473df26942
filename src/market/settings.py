"""Typed settings from MARKET_* environment variables.

Read once by the entry points (CLI, tests) and passed in; nothing reads the
environment at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, get_type_hints

PREFIX = "MARKET_"


@dataclass(frozen=True, slots=True)
class Settings:
    # PostgreSQL URL (postgresql+asyncpg://...). Empty: start the embedded server in data_dir.
    database_url: str = ""
    # Where the embedded PostgreSQL keeps its files.
    data_dir: Path = Path(".data")
    host: str = "127.0.0.1"
    port: int = 8000
    # HTTP server processes. One runs Python on one core at a time: give it one per core
    # (each process keeps its own pools: up to 3 x db_pool_size connections, see db_pool_size).
    workers: int = 1
    # Debug turns on GraphiQL and GraphQL field suggestions. Never in production.
    debug: bool = False
    log_level: str = "INFO"
    # Run the background job worker inside `serve` (the default with the embedded database).
    # Empty: on when database_url is empty, off otherwise (run `market worker`).
    embedded_worker: bool | None = None
    # Jobs one worker process runs at once. Most of a payment's or a mail's job is waiting
    # for Stripe or the mail server, so one at a time would leave the process idle; keep it
    # below db_pool_size (each running job holds a connection).
    worker_concurrency: int = 8
    # Per process: this many connections for sessions plus as many overflow, and this many
    # read connections for the search (market.db.database).
    db_pool_size: int = 10
    token_ttl_hours: int = 24 * 14
    # Failed logins for one email from one client address within the window before that
    # client must wait between attempts (market.identity.throttling); the owner elsewhere
    # is not held back.
    login_failures_allowed: int = 5
    # How long a failed login counts.
    login_failure_window_minutes: int = 60
    # Failed logins from one client address over all emails before it must wait.
    login_client_failures_allowed: int = 20
    # The first wait after the allowed failures; it doubles with every further failure, up
    # to the longest wait.
    login_first_delay_seconds: int = 30
    login_max_delay_minutes: int = 15
    # The request header a trusted reverse proxy puts the client's address in (e.g.
    # X-Forwarded-For; its right-most entry, the one the proxy appended, is used). Empty:
    # the address of the connection's peer. Set it only behind a proxy that sets the header.
    trusted_proxy_header: str = ""
    # Requests per client address in each window, whatever their outcome.
    client_limit_window_minutes: int = 60
    register_requests_per_client: int = 30
    login_requests_per_client: int = 120
    accept_invitation_requests_per_client: int = 30
    graphql_max_depth: int = 12
    graphql_max_tokens: int = 2000
    graphql_max_aliases: int = 15
    graphql_max_page_size: int = 100
    # The most a query may cost (market.api.graphql.limits: about the number of values its
    # answer can hold, a page's `first` multiplying its nodes).
    graphql_max_cost: int = 50_000
    # How long a query may run before it is stopped (mutations always run to their end).
    graphql_time_budget_ms: int = 5_000
    # Empty: search runs on PostgreSQL. Set: searches ask Meilisearch, and the worker keeps
    # its index in step with the catalog.
    meilisearch_url: str = ""
    meilisearch_api_key: str = ""
    # The folder of search-engine settings as data (index settings, synonyms, stop words).
    # Empty: the one the package ships (the repository's search/ folder).
    search_config_dir: Path | None = None
    # Mail: through this SMTP server, smtp://user:password@host:port (STARTTLS on port 587)
    # or smtps://user:password@host:port (TLS). Empty: each mail is written as an .eml file
    # into mail_dir instead (development and tests).
    smtp_url: str = ""
    mail_dir: Path = Path(".data/mail")
    # The sender of every mail (the From header).
    mail_from: str = "market <noreply@market.example>"
    # Documents of tenders and bids (market.files): the folder they are stored in, and the
    # largest one accepted, in bytes.
    files_dir: Path = Path(".data/files")
    max_document_bytes: int = 25 * 1024 * 1024
    # Booking (market.enrollment): how long a checkout holds a seat for its payment, how
    # long a waitlist offer stays open, and how many working days a provider has to answer
    # a DUO loan booking before its hold lapses.
    seat_hold_minutes: int = 20
    waitlist_offer_hours: int = 48
    duo_response_working_days: int = 3
    # DUO's maximum loan in euro cents: a booking whose planned DUO spending passes it is
    # answered with a warning (the learner's own maximum may be lower).
    duo_loan_maximum_cents: int = 1_000_000
    # Payments (market.payments) through Stripe. No secret key: online payment is off
    # (`market serve` then starts localstripe, a fake Stripe, on a loopback port).
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    # The signing secrets of the two webhook endpoints: /webhooks/stripe (the platform's
    # own events) and /webhooks/stripe/connect (events of the providers' accounts).
    stripe_webhook_secret: str = ""
    stripe_connect_webhook_secret: str = ""
    # Empty: Stripe itself. Set: another base address (localstripe in development).
    stripe_api_base: str = ""
    # Where the payment page loads Stripe.js from (its origin is let through the page's
    # Content-Security-Policy): Stripe's own, or localstripe's stand-in in development
    # (`<localstripe base>/js.stripe.com/v3/`, set by `market serve`).
    stripe_js_url: str = "https://js.stripe.com/v3/"
    # Destination charges to the provider's connected account with the platform's fee, and
    # `automatic_payment_methods` (card and iDEAL): on for Stripe; off for localstripe,
    # which knows neither (the PaymentIntent then lists card and ideal itself).
    stripe_connect: bool = True
    # The platform's fee on every online payment, in basis points (1000: 10 %).
    platform_fee_basis_points: int = 1000
    # Where Stripe's onboarding sends a provider back to (AccountLink's URLs).
    stripe_onboarding_return_url: str = "http://127.0.0.1:8000/provider/payments/done"
    stripe_onboarding_refresh_url: str = "http://127.0.0.1:8000/provider/payments/again"
    # Tenders (market.tenders.corrections): after a correction of a published tender at
    # least this many days remain before the bid deadline, which moves later when needed
    # (never fewer than the 6 days answers need; the default is argued there).
    tender_correction_min_days: int = 10
    # The open-data export (OCDS): a tender's ocid is this prefix and the tender's id. A
    # publisher registers its own prefix with the Open Contracting Partnership (ocds-xxxxxx).
    ocds_prefix: str = "ocds-market-"
    # Signs the pages' CSRF tokens; every process of one installation needs the same one.
    # Empty: one made on first start and kept in data_dir/secret_key.
    secret_key: str = ""
    # The one password of every demo account (`market seed --demo`).
    demo_password: str = "inburgering-demo"  # noqa: S105 (documented demo password)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from MARKET_<FIELD> variables; explicit overrides win."""
        environ = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(PREFIX + field.name.upper())
            if raw is not None and raw != "":
                values[field.name] = _parse(hints[field.name], raw, field.name)
        values.update(overrides)
        return cls(**values)

    @property
    def uses_embedded_database(self) -> bool:
        return not self.database_url

    @property
    def takes_payments(self) -> bool:
        return bool(self.stripe_secret_key)

    @property
    def runs_embedded_worker(self) -> bool:
        if self.embedded_worker is None:
            return self.uses_embedded_database
        return self.embedded_worker


def setting_names() -> list[str]:
    """Every environment variable the settings read, for docs and deployment checks."""
    return [PREFIX + field.name.upper() for field in fields(Settings)]


def _parse(kind: Any, raw: str, name: str) -> Any:
    text = str(kind)
    if kind is bool or text.startswith("bool"):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"{PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(
                f"{PREFIX}{name.upper()} must be a whole number, not {raw!r}"
            ) from None
    if kind is Path or text.startswith("pathlib.Path"):
        return Path(raw)
    return raw
