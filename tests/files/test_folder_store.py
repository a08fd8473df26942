"""Storing tender and bid documents in a folder: what goes in comes back, by its hash,
once; nothing refused or broken stays on disk; no key reaches outside the folder."""

from __future__ import annotations

import asyncio
import hashlib
import stat
from pathlib import Path

import pytest

from market.files import FolderStore, StoredFile, media
from market.files.errors import (
    DocumentContentMismatch,
    DocumentEmpty,
    DocumentNotFound,
    DocumentTooLarge,
    DocumentTypeNotAllowed,
)
from tests.files import samples
from tests.files.streams import Endless, Stalled, Upload

LIMIT = 25 * 1024 * 1024


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def put(store: FolderStore, content: bytes | Upload, media_type: str) -> StoredFile:
    return await store.put(content, media_type=media_type, max_bytes=LIMIT, field="document")


async def test_a_document_comes_back_whole_by_its_key_with_its_hash(
    store: FolderStore, root: Path
) -> None:
    digest = hashlib.sha256(samples.PDF).hexdigest()

    stored = await put(store, Upload(samples.PDF, chunk=7), "application/pdf")

    assert stored == StoredFile(
        key=digest, sha256=digest, size=len(samples.PDF), media_type="application/pdf"
    )
    assert await store.exists(stored.key)
    assert await store.read(stored.key) == samples.PDF
    assert b"".join([chunk async for chunk in store.open(stored.key)]) == samples.PDF
    assert stored_files(root) == [root / digest[:2] / digest]


async def test_a_large_document_streams_back_in_chunks(store: FolderStore) -> None:
    text = b"regel\n" * 100_000

    stored = await put(store, Upload(text, chunk=50_000), "text/plain")

    chunks = [chunk async for chunk in store.open(stored.key)]
    assert len(chunks) > 1
    assert b"".join(chunks) == text
    assert stored.size == len(text)


@pytest.mark.parametrize("media_type", sorted(samples.ALLOWED))
async def test_every_allowed_kind_is_stored(store: FolderStore, media_type: str) -> None:
    content = samples.ALLOWED[media_type]

    stored = await put(store, content, media_type)

    assert stored.media_type == media_type
    assert await store.read(stored.key) == content


async def test_the_declared_type_is_kept_without_its_parameters(store: FolderStore) -> None:
    stored = await put(store, samples.CSV, "Text/CSV; charset=utf-8")

    assert stored.media_type == "text/csv"


async def test_the_same_content_is_stored_once(store: FolderStore, root: Path) -> None:
    first = await put(store, samples.CSV, "text/csv")
    second = await put(store, Upload(samples.CSV, chunk=3), "text/plain")

    assert second.key == first.key
    assert second.media_type == "text/plain"
    assert stored_files(root) == [root / first.key[:2] / first.key]


async def test_storing_known_content_again_leaves_the_stored_copy_alone(
    store: FolderStore, root: Path
) -> None:
    first = await put(store, samples.PDF, media.PDF)
    path = root / first.key[:2] / first.key
    before = path.stat()

    await put(store, samples.PDF, media.PDF)

    assert path.stat().st_ino == before.st_ino


async def test_concurrent_uploads_of_the_same_content_end_in_one_complete_copy(
    store: FolderStore, root: Path
) -> None:
    content = samples.TEXT * 20_000

    stored = await asyncio.gather(
        *(put(store, Upload(content, chunk=8192), "text/plain") for _ in range(8))
    )

    assert {entry.key for entry in stored} == {hashlib.sha256(content).hexdigest()}
    assert stored_files(root) == [root / stored[0].key[:2] / stored[0].key]
    assert await store.read(stored[0].key) == content


async def test_a_document_of_exactly_the_limit_is_stored(store: FolderStore) -> None:
    content = b"x" * 1000

    from_bytes = await store.put(content, media_type="text/plain", max_bytes=1000, field="doc")
    from_stream = await store.put(
        Upload(content, chunk=300), media_type="text/plain", max_bytes=1000, field="doc"
    )

    assert from_bytes.size == from_stream.size == 1000


@pytest.mark.parametrize("streamed", [False, True])
async def test_one_byte_over_the_limit_is_refused_and_nothing_stays(
    store: FolderStore, root: Path, streamed: bool
) -> None:
    content = b"x" * 1001

    with pytest.raises(DocumentTooLarge) as refused:
        await store.put(
            Upload(content, chunk=300) if streamed else content,
            media_type="text/plain",
            max_bytes=1000,
            field="attachment",
        )

    assert refused.value.field == "attachment"
    assert refused.value.params == {"max_bytes": 1000}
    assert refused.value.message == "A document may hold at most 1000 bytes."
    assert stored_files(root) == []


async def test_an_endless_upload_is_read_no_further_than_one_byte_past_the_limit(
    store: FolderStore, root: Path
) -> None:
    upload = Endless()

    with pytest.raises(DocumentTooLarge):
        await store.put(upload, media_type="text/plain", max_bytes=200_000, field="doc")

    assert upload.taken == 200_001
    assert stored_files(root) == []


@pytest.mark.parametrize("content", [b"", Upload(b"")])
async def test_an_empty_document_is_refused(
    store: FolderStore, root: Path, content: bytes | Upload
) -> None:
    with pytest.raises(DocumentEmpty) as refused:
        await put(store, content, "application/pdf")

    assert refused.value.field == "document"
    assert stored_files(root) == []


@pytest.mark.parametrize(
    "media_type",
    ["application/x-msdownload", "application/zip", "text/html", "image/svg+xml", ""],
)
async def test_a_type_outside_the_list_is_refused(
    store: FolderStore, root: Path, media_type: str
) -> None:
    with pytest.raises(DocumentTypeNotAllowed) as refused:
        await put(store, samples.TEXT, media_type)

    assert refused.value.field == "document"
    assert stored_files(root) == []


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (samples.EXE, media.PDF),
        (samples.EXE, media.TEXT),
        (samples.ELF, media.CSV),
        (samples.EXE, media.DOCX),
        (samples.PDF, media.TEXT),
        (samples.DOCX, media.TEXT),
        (samples.TEXT, media.PDF),
        (samples.ODT, media.ODS),
        (samples.ODS, media.DOCX),
        (samples.DOCX, media.XLSX),
        (samples.XLSX, media.ODS),
        (samples.DOCM, media.DOCX),
        (samples.DOCX[:-40], media.DOCX),
        (samples.damaged(samples.DOCX), media.DOCX),
        (samples.encrypted(samples.XLSX), media.XLSX),
    ],
)
async def test_content_that_is_not_its_declared_type_is_refused(
    store: FolderStore, root: Path, content: bytes, declared: str
) -> None:
    with pytest.raises(DocumentContentMismatch) as refused:
        await put(store, Upload(content, chunk=1000), declared)

    assert refused.value.field == "document"
    assert refused.value.params == {"media_type": declared}
    assert stored_files(root) == []


async def test_a_renamed_executable_is_refused_from_its_leading_bytes(
    store: FolderStore, root: Path
) -> None:
    upload = Upload(samples.EXE + b"\x00" * LIMIT, chunk=4096)

    with pytest.raises(DocumentContentMismatch):
        await put(store, upload, media.PDF)

    assert upload.taken <= media.HEAD_BYTES
    assert stored_files(root) == []


async def test_an_upload_cancelled_halfway_leaves_nothing(store: FolderStore, root: Path) -> None:
    upload = Stalled(samples.TEXT * 1000)
    task = asyncio.create_task(put(store, upload, "text/plain"))
    await upload.stalled.wait()
    assert len(stored_files(root)) == 1

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert stored_files(root) == []


@pytest.mark.parametrize(
    "key",
    [
        "../outside.txt",
        "../../outside.txt",
        "/etc/passwd",
        "..",
        "",
        "tmp",
        "ab/../../outside.txt",
        "A" * 64,
        "0" * 63,
        "0" * 65,
        "0" * 64 + "\n",
        "0" * 62 + "/x",
        "0" * 64 + "/../../outside.txt",
    ],
)
async def test_no_key_reaches_outside_the_stored_documents(
    store: FolderStore, root: Path, key: str
) -> None:
    outside = root.parent / "outside.txt"
    outside.write_bytes(b"not a document")
    stored = await put(store, samples.PDF, media.PDF)

    assert not await store.exists(key)
    with pytest.raises(DocumentNotFound):
        await store.read(key)
    with pytest.raises(DocumentNotFound):
        await anext(store.open(key))
    await store.delete(key)

    assert outside.read_bytes() == b"not a document"
    assert await store.read(stored.key) == samples.PDF


async def test_an_unknown_key_is_not_found(store: FolderStore) -> None:
    key = hashlib.sha256(b"never stored").hexdigest()

    assert not await store.exists(key)
    with pytest.raises(DocumentNotFound):
        await store.read(key)
    with pytest.raises(DocumentNotFound):
        await anext(store.open(key))


async def test_an_unreferenced_upload_is_deleted(store: FolderStore, root: Path) -> None:
    stored = await put(store, samples.ODT, media.ODT)

    await store.delete(stored.key)
    await store.delete(stored.key)

    assert not await store.exists(stored.key)
    with pytest.raises(DocumentNotFound):
        await store.read(stored.key)
    assert stored_files(root) == []


async def test_only_the_service_user_may_read_the_documents(store: FolderStore, root: Path) -> None:
    stored = await put(store, samples.PDF, media.PDF)
    path = root / stored.key[:2] / stored.key

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (root, path.parent, root / "tmp"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
