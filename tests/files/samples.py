"""Small real documents of each allowed kind, and what must not pass for one."""

from __future__ import annotations

import io
import zipfile

from market.files import media

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
TEXT = "Nota van inlichtingen: vraag 1, antwoord één.\n".encode()
CSV = b"lot;price_cents\n1;250000\n2;310000\n"
# The start of a Windows executable and of a Linux one.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def odf(media_type: str) -> bytes:
    """As LibreOffice writes it: `mimetype` first and uncompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), media_type, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def ooxml(main_part_type: str, main_part: str) -> bytes:
    """As Word or Excel writes it: the main part's type declared in [Content_Types].xml."""
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_part_type}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


ODT = odf(media.ODT)
ODS = odf(media.ODS)
DOCX = ooxml(media.DOCX + ".main+xml", "word/document.xml")
XLSX = ooxml(media.XLSX + ".main+xml", "xl/workbook.xml")
# Word's macro-enabled document: a ZIP like a .docx, renamed to one.
DOCM = ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml")


def damaged(archive: bytes) -> bytes:
    """The archive with its first entry's compressed bytes overwritten."""
    start = 30 + len("[Content_Types].xml")
    return archive[:start] + b"\xff" * 16 + archive[start + 16 :]


def encrypted(archive: bytes) -> bytes:
    """The archive with every entry marked as encrypted (general purpose flag bit 0)."""
    marked = bytearray(archive)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = marked.find(signature)
        while at >= 0:
            marked[at + flags_at] |= 1
            at = marked.find(signature, at + 4)
    return bytes(marked)


ALLOWED = {
    media.PDF: PDF,
    media.ODT: ODT,
    media.ODS: ODS,
    media.DOCX: DOCX,
    media.XLSX: XLSX,
    media.TEXT: TEXT,
    media.CSV: CSV,
}
