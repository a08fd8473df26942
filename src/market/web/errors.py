"""Refusals on the pages: the API's handlers decide status, headers and logging, and a
page request gets them as a page in its language rather than as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response

from market.identity.policies import ANONYMOUS
from market.kernel.i18n import Language
from market.settings import Settings
from market.web import i18n
from market.web.page import Page

Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def page_language(path: str) -> Language | None:
    """The language of a page's address (/nl/..., /ar/...), or None for the API's."""
    first = path.lstrip("/").split("/", 1)[0]
    return i18n.language(first)


def as_page(api: Handler, settings: Settings) -> Handler:
    def handle(request: Request[Any, Any, Any], error: Any) -> Response[Any]:
        answer = api(request, error)
        lang = page_language(request.url.path)
        if lang is None:
            return answer
        page = Page(lang, ANONYMOUS, settings, request.url.path[len(lang.value) + 1 :] or "/")
        status = answer.status_code or 500
        response = page.render("error.html", status_code=status, status=status)
        response.headers.update(answer.headers)
        return response

    return handle
