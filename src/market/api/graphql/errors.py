"""The one place expected failures become GraphQL errors, and everything else is masked.
The endpoint (api/graphql/http.py) passes every response's errors through `translate`.

- A DomainError raised by a service is answered with its message in the request's
  language (its `errors` catalog, market.kernel.catalogs) and gets `extensions.code` from
  its kind, `extensions.reason` (the key clients translate),
  `extensions.field` when known and `extensions.params` when the fact has parameters:
  graphql/ERRORS.md lists every reason with its parameters.
- Errors about the request itself (syntax, validation, variable types, limits) carry
  BAD_USER_INPUT; they never contain internals.
- Anything else is logged with its traceback and answered as "Unexpected error."
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from market.kernel.catalogs import error_text
from market.kernel.errors import DomainError, ErrorKind
from market.kernel.i18n import Language

log = logging.getLogger("market.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"


def translate(error: GraphQLError, language: Language) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        return _with(error, error_text(original, language), fact_extensions(original))
    if original is None or isinstance(original, GraphQLError):
        return _with(error, error.message, {"code": ErrorKind.INVALID.value})
    log.error("unexpected error in %s", error.path, exc_info=original)
    return _with(error, "Unexpected error.", {"code": INTERNAL})


def fact_extensions(fact: DomainError) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": fact.kind.value, "reason": fact.reason}
    if fact.field:
        extensions["field"] = fact.field
    if fact.params:
        extensions["params"] = dict(fact.params)
    return extensions


def fact_error(fact: DomainError, language: Language) -> dict[str, Any]:
    """The body for a fact a REST route answers with: one error, as GraphQL gives it."""
    message = error_text(fact, language)
    return {"errors": [{"message": message, "extensions": fact_extensions(fact)}]}


def _with(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def request_error(reason: str, status_code: int) -> dict[str, Any]:
    """The body for a request refused before it became a GraphQL operation."""
    code = ErrorKind.NOT_FOUND if status_code == 404 else ErrorKind.INVALID
    return {"errors": [{"message": reason, "extensions": {"code": code.value}}]}
