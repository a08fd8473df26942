"""Security headers on every response the app sends.

A `before_send` hook rather than a middleware: Litestar runs middleware per route, so a
middleware never sees the answers to requests that match no route (404, 405). A response
that sets one of these headers itself keeps its own (GraphiQL's page needs its own
Content-Security-Policy).
"""

from __future__ import annotations

from litestar.types import Message, Scope

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # The API answers JSON: nothing in it may load, run or frame anything.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    # A GraphQL answer may carry a sign-in token or someone's data; nothing here is public
    # and unchanging enough to be worth a stale copy in a shared cache.
    "Cache-Control": "no-store",
}


# Encoded once, as ASGI sends them (lower-case names): the hook runs on every response.
_ENCODED = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]


def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", ()))
    present = {name.lower() for name, _ in headers}
    message["headers"] = headers + [header for header in _ENCODED if header[0] not in present]
