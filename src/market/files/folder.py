"""FileStore in a folder (MARKET_FILES_DIR): `<root>/<ab>/<sha256>`, named by the content's
SHA-256 in hex and fanned out by its first two digits.

An upload is written to a temporary file of its own under `<root>/tmp`, counted, hashed
and checked as it arrives, fsync'd, and only then renamed to its key (and the folder
fsync'd), so a reader or a crash never meets half a document under a key, and two uploads
of the same bytes at once both end in the one complete copy. Folders are 0700 and files
0600: only the service's user reads them. File work runs in threads, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from market.files import media
from market.files.errors import (
    DocumentContentMismatch,
    DocumentEmpty,
    DocumentNotFound,
    DocumentTooLarge,
    DocumentTypeNotAllowed,
)
from market.files.store import Content, Readable, StoredFile

CHUNK_BYTES = 64 * 1024
# A key is a SHA-256 in lower-case hex and nothing else, so no key can name a path
# outside the folder.
_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class FolderStore:
    root: Path

    async def put(
        self, content: Content, *, media_type: str, max_bytes: int, field: str
    ) -> StoredFile:
        kind = media.normalise(media_type)
        if not media.is_allowed(kind):
            raise DocumentTypeNotAllowed(field=field)
        if isinstance(content, bytes) and len(content) > max_bytes:
            raise DocumentTooLarge(field=field, max_bytes=max_bytes)
        reader = _InMemory(io.BytesIO(content)) if isinstance(content, bytes) else content
        partial, file = await asyncio.to_thread(self._start)
        try:
            sha256, size = await _receive(reader, file, kind, max_bytes, field)
            await asyncio.to_thread(self._seal, partial, file, kind, sha256, field)
        except BaseException:
            # Also on cancellation: nothing of a refused or broken upload stays.
            file.close()
            partial.unlink(missing_ok=True)
            raise
        return StoredFile(key=sha256, sha256=sha256, size=size, media_type=kind)

    async def read(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise DocumentNotFound() from None

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise DocumentNotFound() from None
        try:
            while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
                yield chunk
        finally:
            file.close()

    async def exists(self, key: str) -> bool:
        return _KEY.fullmatch(key) is not None and await asyncio.to_thread(self._path(key).is_file)

    async def delete(self, key: str) -> None:
        if _KEY.fullmatch(key) is not None:
            await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    def _path(self, key: str) -> Path:
        if _KEY.fullmatch(key) is None:
            raise DocumentNotFound()
        return self.root / key[:2] / key

    def _start(self) -> tuple[Path, BinaryIO]:
        """A new temporary file (0600) beside the store, on its file system for the rename."""
        partials = self.root / "tmp"
        _folder(self.root, parents=True)
        _folder(partials)
        descriptor, name = tempfile.mkstemp(dir=partials, suffix=".partial")
        return Path(name), os.fdopen(descriptor, "wb")

    def _seal(self, partial: Path, file: BinaryIO, kind: str, key: str, field: str) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        if not media.file_matches(kind, partial):
            raise DocumentContentMismatch(field=field, media_type=kind)
        final = self._path(key)
        _folder(final.parent)
        if final.exists():
            partial.unlink()
            return
        os.replace(partial, final)
        _fsync_folder(final.parent)


@dataclass(slots=True)
class _InMemory:
    data: io.BytesIO

    async def read(self, size: int = -1) -> bytes:
        return self.data.read(size)


async def _receive(
    reader: Readable, file: BinaryIO, kind: str, max_bytes: int, field: str
) -> tuple[str, int]:
    """Copy the upload into `file`, reading at most one byte past the limit; the SHA-256
    (hex) and the size. The type is checked as soon as the leading bytes are in."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := await reader.read(min(CHUNK_BYTES, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            raise DocumentTooLarge(field=field, max_bytes=max_bytes)
        if len(head) < media.HEAD_BYTES:
            head += chunk[: media.HEAD_BYTES - len(head)]
            if len(head) == media.HEAD_BYTES:
                _check_head(kind, head, field)
        digest.update(chunk)
        await asyncio.to_thread(file.write, chunk)
    if size == 0:
        raise DocumentEmpty(field=field)
    if len(head) < media.HEAD_BYTES:
        _check_head(kind, head, field)
    return digest.hexdigest(), size


def _check_head(kind: str, head: bytes, field: str) -> None:
    if not media.head_matches(kind, head):
        raise DocumentContentMismatch(field=field, media_type=kind)


def _folder(path: Path, *, parents: bool = False) -> None:
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=0o700, exist_ok=True)


def _fsync_folder(path: Path) -> None:
    """Make a rename into `path` durable: the folder's entry, not only the file's bytes."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
