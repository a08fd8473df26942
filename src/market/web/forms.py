"""What the pages' forms share: a domain fact shown in the page's language, and the
errors of a form by the field they are about."""

from __future__ import annotations

from collections.abc import Mapping

from market.kernel.errors import DomainError
from market.web.page import Page

# A form's errors: its field's name (or "" for the whole form) -> the text shown.
FieldErrors = dict[str, str]


def error_message(page: Page, fact: DomainError) -> str:
    """The fact in the page's language. The one place that turns a fact into words, until
    the error catalogs give every reason a text in each language."""
    del page  # the English message for now, whatever the page's language
    return fact.message


def field_errors(page: Page, fact: DomainError, fields: Mapping[str, str]) -> FieldErrors:
    """The fact as the error of the form field it names (`fields` maps the service's names
    to the form's); a fact about no field of the form is the form's own error."""
    return {fields.get(fact.field or "", ""): error_message(page, fact)}
