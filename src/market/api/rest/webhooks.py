"""Stripe's webhooks: `POST /webhooks/stripe` (the platform's own events) and
`POST /webhooks/stripe/connect` (events of the providers' connected accounts).

The raw body is checked against the Stripe-Signature header with the endpoint's secret
before anything is written; a bad, stale or missing signature, or a body that is no
Stripe event, is answered 400 and leaves no trace. A good one is stored once per event id
and its processing queued in the same transaction (market.payments.service.receive_event),
then answered 200 at once: a redelivery of a stored event is answered 200 too.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST

from market.api.graphql.errors import request_error
from market.db.database import Database
from market.kernel.errors import DomainError
from market.payments import service
from market.payments.service import Payments

# Stripe's events are a few kilobytes; a megabyte is ample and keeps junk small.
MAX_BODY_BYTES = 1024 * 1024


async def _receive(
    request: Request[Any, Any, Any], db: Database, payments: Payments | None, *, connect: bool
) -> Response[dict[str, Any]]:
    body = await request.body()
    signature = request.headers.get("stripe-signature")
    try:
        async with db.transaction() as session:
            new = await service.receive_event(session, payments, body, signature, connect=connect)
    except DomainError as error:
        answer = request_error(error.message, HTTP_400_BAD_REQUEST)
        answer["errors"][0]["extensions"]["reason"] = error.reason
        return Response(answer, status_code=HTTP_400_BAD_REQUEST)
    return Response({"received": True, "duplicate": not new}, status_code=HTTP_200_OK)


@post("/webhooks/stripe", status_code=HTTP_200_OK, request_max_body_size=MAX_BODY_BYTES)
async def stripe_webhook(
    request: Request[Any, Any, Any], db: Database, payments: Payments | None
) -> Response[dict[str, Any]]:
    return await _receive(request, db, payments, connect=False)


@post("/webhooks/stripe/connect", status_code=HTTP_200_OK, request_max_body_size=MAX_BODY_BYTES)
async def stripe_connect_webhook(
    request: Request[Any, Any, Any], db: Database, payments: Payments | None
) -> Response[dict[str, Any]]:
    return await _receive(request, db, payments, connect=True)
