"""The one interface the domains store documents through, whatever keeps the bytes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


class Readable(Protocol):
    """An upload being received (Litestar's UploadFile, an asyncio StreamReader...)."""

    async def read(self, size: int = -1) -> bytes:
        """At most `size` bytes; empty at the end."""
        ...


Content = bytes | Readable


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the domain keeps in its own row: the key to read it back by, the SHA-256 of
    the content (hex), its size in bytes and the media type it was checked against."""

    key: str
    sha256: str
    size: int
    media_type: str


class FileStore(Protocol):
    async def put(
        self, content: Content, *, media_type: str, max_bytes: int, field: str
    ) -> StoredFile:
        """Store `content` declared as `media_type` (parameters such as a charset are
        dropped), at most `max_bytes` long; raises the facts of market.files.errors,
        naming `field`, and then keeps nothing of it.

        The key depends on the content alone: storing the same bytes again gives the
        same key and keeps one copy, and tells no one whether they were there before."""
        ...

    async def read(self, key: str) -> bytes:
        """The whole content; DocumentNotFound when nothing is stored under `key`."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The content in chunks, for sending a large document on without holding it;
        DocumentNotFound (on the first chunk) when nothing is stored under `key`."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the content under `key`, if any. Content is shared by every upload of
        the same bytes: call it only once no row of any domain names the key (an upload
        abandoned before its row was written), never for a document a row refers to."""
        ...
