"""Expected failures of storing a document, each naming the input field it is about."""

from __future__ import annotations

from market.kernel.errors import InvalidInput, NotFound


class DocumentTooLarge(InvalidInput):
    reason = "DocumentTooLarge"
    message = "A document may hold at most {max_bytes} bytes."


class DocumentEmpty(InvalidInput):
    reason = "DocumentEmpty"
    message = "The document is empty."


class DocumentTypeNotAllowed(InvalidInput):
    reason = "DocumentTypeNotAllowed"
    message = (
        "Upload a PDF, an OpenDocument or Office Open XML text or spreadsheet, plain text or CSV."
    )


class DocumentContentMismatch(InvalidInput):
    reason = "DocumentContentMismatch"
    message = "The document's content is not the {media_type} it is declared to be."


class DocumentNotFound(NotFound):
    reason = "DocumentNotFound"
    message = "No document with this key is stored."
