"""localstripe (PyPI: a stateful fake Stripe server) on a free loopback port, in a thread of
this process: for `market serve` without MARKET_STRIPE_SECRET_KEY, and for the tests.

Its own command listens on every interface and pickles its whole store to a fixed file in
the system temporary folder on every write; here it listens on 127.0.0.1 only and keeps
its store in memory. It knows no Connect, no iDEAL, no `automatic_payment_methods` and no
idempotency keys: run against it with MARKET_STRIPE_CONNECT=false (see the README).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.request
from dataclasses import dataclass, field
from typing import Any

# Any key of this shape is accepted by localstripe.
SECRET_KEY = "sk_test_localstripe"  # noqa: S105 (a fake server's placeholder key)
PUBLISHABLE_KEY = "pk_test_localstripe"


def js_url(base: str) -> str:
    """Where localstripe serves its stand-in for Stripe.js. The script finds the server it
    talks to by cutting this path off its own address, so it must be loaded from it."""
    return f"{base}/js.stripe.com/v3/"


@dataclass
class LocalStripe:
    """A running localstripe: its base address, and `stop()`."""

    base: str
    _loop: asyncio.AbstractEventLoop = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _runner: Any = field(repr=False)

    def register_webhook(
        self, name: str, url: str, secret: str, events: list[str] | None = None
    ) -> None:
        """localstripe posts every event (of `events`, or all) to `url`, signed with
        `secret` as Stripe signs, about a second after it happens."""
        body: dict[str, Any] = {"url": url, "secret": secret}
        if events is not None:
            body["events"] = events
        request = urllib.request.Request(  # noqa: S310 (our own loopback server)
            f"{self.base}/_config/webhooks/{name}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            answer.read()

    def stop(self) -> None:
        async def cleanup() -> None:
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def start() -> LocalStripe:
    """localstripe serving on 127.0.0.1 and a free port, in a daemon thread."""
    from aiohttp import web
    from localstripe import resources, server  # type: ignore[import-untyped]

    # Its store would be pickled to /tmp/localstripe.pickle on every write.
    resources.Store.dump_to_disk = lambda self: None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(server.app, access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, name="localstripe", daemon=True)
    thread.start()
    return LocalStripe(f"http://127.0.0.1:{port}", loop, thread, runner)
