"""Every reason an error can carry, as graphql/ERRORS.md lists them for clients.

The facts are found, not listed by hand: every DomainError subclass that a module of the
package defines, so a new one cannot be left out of the document (`market errors` writes
it, a test keeps it equal to the code).
"""

from __future__ import annotations

import importlib
import pkgutil
from string import Formatter

import market
from market.kernel.errors import KINDS, DomainError


def facts() -> list[type[DomainError]]:
    """Every fact of the package, by reason."""
    # Importing every module defines every fact (Alembic's migrations are files it loads
    # itself, not modules of the package: none is imported here).
    for module in pkgutil.walk_packages(market.__path__, "market."):
        importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    pending = [DomainError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        # (A class a test defines for itself is no fact clients can meet.)
        if cls not in KINDS and cls.__module__.startswith("market."):
            found.append(cls)
    return sorted(found, key=lambda cls: (cls.reason, cls.__module__))


def params(fact: type[DomainError]) -> list[str]:
    """The parameters a fact is raised with: the placeholders of its message."""
    names = (name for _, name, _, _ in Formatter().parse(fact.message) if name)
    return list(dict.fromkeys(names))


def document() -> str:
    """graphql/ERRORS.md: the introduction, then a table row per fact."""
    lines = [
        _INTRODUCTION,
        "| reason | code | params | message (English) |",
        "| --- | --- | --- | --- |",
    ]
    for fact in facts():
        names = ", ".join(f"`{name}`" for name in params(fact))
        message = fact.message.replace("|", r"\|")
        lines.append(f"| `{fact.reason}` | {fact.kind.value} | {names} | {message} |")
    return "\n".join(lines) + "\n"


_INTRODUCTION = """\
# Error reasons

Generated from the code by `market errors`; a test fails when it differs.

Every expected failure answers a GraphQL error whose `extensions` hold:

- `code`: BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND or CONFLICT;
- `reason`: the stable key of the fact below, which clients translate by; it is
  written out in the code, never derived from a class name;
- `field`: the argument or input field at fault, where there is one;
- `params`: the values the fact names, by the names below (numbers, or text such as a
  date `2200-12-31`), only when it has any.

The message is written in the language the request's `Accept-Language` prefers among
nl, en, ar, tr and ti (Dutch when it names none of them); the English below is its source
text, translated by the `errors` catalogs (src/market/locale). Requests refused before they
became a GraphQL operation (not JSON, unknown paths, wrong methods) and errors of GraphQL
itself (syntax, unknown fields, wrong variable types) have a code and no reason.
"""
