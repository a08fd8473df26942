"""The answers of requests that fail outside GraphQL, on any route: GraphQL-shaped, like
every other error the API gives, so a client reads one error format whatever went wrong.

- Litestar's own refusals (no such path, a method the route does not take, a body over
  the size limit) keep their status, their headers (`Allow` on a 405) and their message.
- An exception nothing else handled: Litestar logs nothing itself (the app has no Litestar
  logging config: logs are ours) and would answer its own plain 500. Here the traceback
  goes to the log, bound to the request id, and the client gets an error that says nothing
  about what failed.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from market.api.graphql.errors import INTERNAL, request_error

log = structlog.get_logger("market.http")

BODY = {"errors": [{"message": "Unexpected error.", "extensions": {"code": INTERNAL}}]}


def refused_request(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    return Response(
        request_error(error.detail, error.status_code),
        status_code=error.status_code,
        headers=error.headers,
    )


def unexpected_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.error("unexpected error", method=request.method, path=request.url.path, exc_info=error)
    return Response(BODY, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
