"""The media types a document may have, and whether its bytes are what it claims to be.

Each allowed type comes with a check of the file's content, so that the list grows only
with a check: a declared type alone is the uploader's word, and a renamed executable
must not pass as a PDF. The checks read the leading bytes; an Office Open XML file is a
ZIP like any other at its start, so its declared main part is read from the finished file.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
CSV = "text/csv"

# Enough leading bytes for every signature, and a fair sample of a text file.
HEAD_BYTES = 8192

_ZIP_ENTRY = b"PK\x03\x04"
# A local file header: signature, version, flags, method, time and date, CRC, sizes, the
# name's and the extra field's lengths (APPNOTE 4.3.7).
_ZIP_HEADER = struct.Struct("<4s4xH8x8xHH")
# Tab, line feed, form feed and carriage return: the only control bytes text may hold.
_TEXT_CONTROLS = frozenset(range(32)) - {9, 10, 12, 13}
# The [Content_Types].xml of a document names its main part's type within its first bytes;
# reading no more keeps a crafted archive from inflating without bound.
_CONTENT_TYPES_BYTES = 64 * 1024
# The main part's content type of each OOXML kind (a macro-enabled one names another).
_OOXML_MAIN = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


def normalise(declared: str) -> str:
    """`Text/CSV; charset=utf-8` -> `text/csv`: the type without its parameters."""
    return declared.partition(";")[0].strip().lower()


def is_allowed(media_type: str) -> bool:
    return media_type in _HEAD_CHECKS


def head_matches(media_type: str, head: bytes) -> bool:
    """Whether the leading bytes of a document fit the (allowed) type it is declared as."""
    return _HEAD_CHECKS[media_type](head)


def file_matches(media_type: str, path: Path) -> bool:
    """Whether the whole stored file fits its type, where its leading bytes cannot tell."""
    main = _OOXML_MAIN.get(media_type)
    return True if main is None else _ooxml_declares(path, main)


def _is_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def _first_zip_entry(head: bytes) -> tuple[str, bytes] | None:
    """The name and the leading stored bytes of a ZIP's first entry, if uncompressed."""
    if len(head) < _ZIP_HEADER.size:
        return None
    signature, method, name_length, extra_length = _ZIP_HEADER.unpack_from(head)
    if signature != _ZIP_ENTRY or method != 0:
        return None
    start = _ZIP_HEADER.size
    name = head[start : start + name_length].decode("ascii", errors="replace")
    return name, head[start + name_length + extra_length :]


def _odf(media_type: str) -> Callable[[bytes], bool]:
    # ODF requires an uncompressed first entry `mimetype` holding the document's type.
    def check(head: bytes) -> bool:
        entry = _first_zip_entry(head)
        return (
            entry is not None
            and entry[0] == "mimetype"
            and entry[1].startswith(media_type.encode("ascii"))
        )

    return check


def _is_zip(head: bytes) -> bool:
    return head.startswith(_ZIP_ENTRY)


def _is_text(head: bytes) -> bool:
    starts_binary = _is_pdf(head) or _is_zip(head)
    return not starts_binary and _TEXT_CONTROLS.isdisjoint(head)


def _ooxml_declares(path: Path, main: bytes) -> bool:
    try:
        with zipfile.ZipFile(path) as archive, archive.open("[Content_Types].xml") as types:
            return main in types.read(_CONTENT_TYPES_BYTES)
    # Whatever a damaged or crafted archive makes zipfile raise, it is no such document.
    except (
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        struct.error,
    ):
        return False


_HEAD_CHECKS: Mapping[str, Callable[[bytes], bool]] = {
    PDF: _is_pdf,
    ODT: _odf(ODT),
    ODS: _odf(ODS),
    DOCX: _is_zip,
    XLSX: _is_zip,
    TEXT: _is_text,
    CSV: _is_text,
}
