"""The last resort: an exception nothing else handled, on any route.

Litestar logs nothing itself (the app has no Litestar logging config: logs are ours) and
would answer its own plain 500. Here the traceback goes to the log, bound to the request id,
and the client gets a GraphQL-shaped error that says nothing about what failed.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from market.api.graphql.errors import INTERNAL

log = structlog.get_logger("market.http")

BODY = {"errors": [{"message": "Unexpected error.", "extensions": {"code": INTERNAL}}]}


def unexpected_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.error("unexpected error", method=request.method, path=request.url.path, exc_info=error)
    return Response(BODY, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
