"""What the pages' forms share: a refusal's text, the field it belongs to and the status
it answers with, and the way to signing in before a page that needs an account."""

from __future__ import annotations

from collections.abc import Collection

from market.kernel import catalogs
from market.kernel.errors import DomainError, ErrorKind
from market.web.page import Page

# Where a refusal about no field of the form (or about the whole form) is shown.
FORM = "form"
# The status a page refused by a domain fact answers with.
_STATUS = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
}


def error_message(page: Page, fact: DomainError) -> str:
    """A refusal's text in the page's language."""
    return catalogs.error_text(fact, page.lang)


def field_errors(page: Page, fact: DomainError, fields: Collection[str]) -> dict[str, str]:
    """The refusal as the error of the form field it is about (forms name their fields as
    the services do), or of the whole form."""
    field = fact.field if fact.field is not None and fact.field in fields else FORM
    return {field: error_message(page, fact)}


def error_status(fact: DomainError) -> int:
    return _STATUS[fact.kind]
