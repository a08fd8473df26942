"""Documents over plain HTTP: uploading one, and downloading those of tenders and bids.

- `POST /documents?name=<file name>`, signed in (`Authorization: Bearer`), the document as
  the raw body and its type as `Content-Type`: streamed into the store, never held whole;
  201 with the upload's `id`, which `submitBid` and `attachTenderDocument` take (see
  market.tenders.documents). A refusal is the GraphQL error shape with the fact's reason:
  413 over MARKET_MAX_DOCUMENT_BYTES (told by Content-Length before anything is read),
  415 for a type not accepted or content that is not the type declared.
- `GET /documents/tender/{id}` and `GET /documents/bid/{id}`, with the ids the API gives
  a document: the content, to whoever may read it (a published tender's to anyone; a
  bid's to its bidder and, after the opening, the lead's procurement officers); 404 for
  everyone else, as for an id nothing has.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)
from sqlalchemy.ext.asyncio import AsyncSession

from market.api.graphql import ids
from market.api.graphql.context import bearer_token
from market.api.graphql.errors import fact_error
from market.db.database import Database
from market.files import FileStore, FolderStore
from market.files.errors import (
    DocumentContentMismatch,
    DocumentNotFound,
    DocumentTooLarge,
    DocumentTypeNotAllowed,
)
from market.identity import service as identity
from market.identity.policies import Actor
from market.kernel.errors import DomainError, ErrorKind
from market.kernel.i18n import negotiate
from market.settings import Settings
from market.tenders import bids, documents

# Who may read a document, by its id: its download, or None as for an id nothing has.
Find = Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[documents.Download | None]]

_STATUS = {
    ErrorKind.INVALID: HTTP_400_BAD_REQUEST,
    ErrorKind.UNAUTHENTICATED: HTTP_401_UNAUTHORIZED,
    ErrorKind.FORBIDDEN: HTTP_403_FORBIDDEN,
    ErrorKind.NOT_FOUND: HTTP_404_NOT_FOUND,
    ErrorKind.CONFLICT: HTTP_409_CONFLICT,
}


def _refused(fact: DomainError, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    if isinstance(fact, DocumentTooLarge):
        status = HTTP_413_REQUEST_ENTITY_TOO_LARGE
    elif isinstance(fact, DocumentTypeNotAllowed | DocumentContentMismatch):
        status = HTTP_415_UNSUPPORTED_MEDIA_TYPE
    else:
        status = _STATUS[fact.kind]
    language = negotiate(request.headers.get("accept-language", ""))
    return Response(fact_error(fact, language), status_code=status)


class _Body:
    """The request body as the FileStore reads an upload: `read(size)` over its chunks."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = bytearray()
        self._ended = False

    async def read(self, size: int = -1) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += await anext(self._chunks)
            except StopAsyncIteration:
                self._ended = True
        taken = len(self._buffer) if size < 0 else size
        chunk = bytes(self._buffer[:taken])
        del self._buffer[:taken]
        return chunk


async def _actor(session: AsyncSession, request: Request[Any, Any, Any]) -> Actor:
    return await identity.actor_for_token(session, bearer_token(request) or "")


def _declared_size(request: Request[Any, Any, Any]) -> int | None:
    try:
        return int(request.headers.get("content-length", ""))
    except ValueError:
        return None


def _download(
    found: documents.Download | None, store: FileStore, request: Request[Any, Any, Any]
) -> Response[Any]:
    if found is None:
        return _refused(DocumentNotFound(field="id"), request)
    # RFC 6266: an ASCII fallback and the name itself, percent-encoded (RFC 5987).
    fallback = found.name.encode("ascii", "replace").decode().replace('"', "'")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(found.name)}"
    return Stream(
        store.open(found.key),
        media_type=found.media_type,
        headers={"Content-Disposition": disposition, "Content-Length": str(found.size)},
    )


def routes(settings: Settings) -> list[HTTPRouteHandler]:
    """The handlers, sized by the settings: the body limit is the document limit."""
    store = FolderStore(settings.files_dir)
    max_bytes = settings.max_document_bytes

    # One byte over the limit reaches the store, which refuses it with its own fact.
    @post("/documents", status_code=HTTP_201_CREATED, request_max_body_size=max_bytes + 1)
    async def upload_document(
        request: Request[Any, Any, Any], db: Database, name: FromQuery[str] = ""
    ) -> Response[dict[str, Any]]:
        size = _declared_size(request)
        if size is not None and size > max_bytes:
            return _refused(DocumentTooLarge(field="content", max_bytes=max_bytes), request)
        try:
            async with db.reader() as session:
                actor = await _actor(session, request)
                name = await documents.admit(session, actor, name)
            stored = await store.put(
                _Body(request.stream()),
                media_type=request.headers.get("content-type", ""),
                max_bytes=max_bytes,
                field="content",
            )
            async with db.transaction() as session:
                upload = await documents.receive(session, actor, store, stored, name)
        except DomainError as fact:
            return _refused(fact, request)
        return Response(
            {
                "id": ids.encode("DocumentUpload", upload.id),
                "name": upload.name,
                "sha256": upload.sha256,
                "size": upload.size,
                "mediaType": upload.media_type,
                "expiresAt": upload.expires_at.isoformat(),
            },
            status_code=HTTP_201_CREATED,
        )

    async def serve(
        request: Request[Any, Any, Any], db: Database, type_name: str, value: str, find: Find
    ) -> Response[Any]:
        found = None
        if (document_id := _id(type_name, value)) is not None:
            async with db.reader() as session:
                found = await find(session, await _actor(session, request), document_id)
        return _download(found, store, request)

    @get("/documents/tender/{document_id:str}")
    async def tender_document(
        request: Request[Any, Any, Any], document_id: FromPath[str], db: Database
    ) -> Response[Any]:
        return await serve(request, db, "TenderDocument", document_id, documents.tender_download)

    @get("/documents/bid/{document_id:str}")
    async def bid_document(
        request: Request[Any, Any, Any], document_id: FromPath[str], db: Database
    ) -> Response[Any]:
        return await serve(request, db, "BidDocument", document_id, bids.bid_download)

    return [upload_document, tender_document, bid_document]


def _id(type_name: str, value: str) -> uuid.UUID | None:
    try:
        return ids.lookup(type_name, value)
    except DomainError:
        return None
