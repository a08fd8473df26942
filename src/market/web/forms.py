"""What the pages' forms share: a refusal's text, and the field it belongs to."""

from __future__ import annotations

from collections.abc import Collection

from market.kernel.errors import DomainError
from market.web.page import Page

# Where a refusal about no field of the form (or about the whole form) is shown.
FORM = "form"


def error_message(page: Page, fact: DomainError) -> str:
    """A refusal's text in the page's language."""
    return fact.message


def field_errors(page: Page, fact: DomainError, fields: Collection[str]) -> dict[str, str]:
    """The refusal as the error of the form field it is about (forms name their fields as
    the services do), or of the whole form."""
    field = fact.field if fact.field is not None and fact.field in fields else FORM
    return {field: error_message(page, fact)}
