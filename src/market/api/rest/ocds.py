"""Open data: published tenders as OCDS 1.1 release packages, for anyone, without signing in.

- `GET /ocds/tenders/{id}`: the tender's package. A draft, an unknown id and a malformed
  one get the same 404: the answer never tells that a draft exists.
- `GET /ocds/releases?since=<RFC 3339>`: the releases of the tenders published or changed
  at or after `since`, oldest change first, at most `limit` (capped) tenders a page; the
  package's `links.next` (the OCDS convention for paging) continues it. A bad `since` is a
  400 with its reason.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from market.api.graphql.errors import request_error
from market.db.database import Database
from market.kernel.errors import DomainError
from market.settings import Settings
from market.tenders import errors, open_data


def _refused(error: DomainError, status_code: int) -> Response[dict[str, Any]]:
    answer = request_error(error.message, status_code)
    answer["errors"][0]["extensions"]["reason"] = error.reason
    return Response(answer, status_code=status_code)


@get("/ocds/tenders/{tender_id:str}")
async def ocds_tender(
    request: Request[Any, Any, Any], tender_id: FromPath[str], db: Database, settings: Settings
) -> Response[dict[str, Any]]:
    try:
        parsed = uuid.UUID(tender_id)
    except ValueError:
        return _refused(errors.TenderNotFound(), HTTP_404_NOT_FOUND)
    async with db.reader() as session:
        package = await open_data.tender_package(
            session, parsed, prefix=settings.ocds_prefix, uri=str(request.url)
        )
    if package is None:
        return _refused(errors.TenderNotFound(), HTTP_404_NOT_FOUND)
    return Response(package)


@get("/ocds/releases")
async def ocds_releases(
    request: Request[Any, Any, Any],
    db: Database,
    settings: Settings,
    since: FromQuery[str],
    after: FromQuery[uuid.UUID | None] = None,
    limit: FromQuery[int] = open_data.MAX_FEED_PAGE,
) -> Response[dict[str, Any]]:
    try:
        moment = open_data.parse_since(since)
    except DomainError as error:
        return _refused(error, HTTP_400_BAD_REQUEST)
    async with db.reader() as session:
        page = await open_data.releases_since(
            session,
            moment,
            after=after,
            limit=limit,
            prefix=settings.ocds_prefix,
            uri=str(request.url),
        )
    package = page.package
    if page.next_since is not None:
        query = {"since": page.next_since.isoformat(), "after": str(page.next_after)}
        if "limit" in request.query_params:
            query["limit"] = str(limit)
        package["links"] = {"next": str(request.url.with_replacements(query=urlencode(query)))}
    return Response(package)
