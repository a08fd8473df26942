"""The compare page (/{lang}/compare?course=..&course=..): two to four courses side by
side, on the measures the catalog compares them by."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get
from litestar.response import Template

from market.catalog import compare
from market.catalog.errors import CourseNotFound
from market.catalog.policies import RULES
from market.db.database import Database
from market.kernel.errors import DomainError
from market.web.forms import error_message
from market.web.page import Page
from market.web.pages.search import language_names


def _ids(values: list[str]) -> list[uuid.UUID]:
    """The courses asked for; an id no course can have is a course not found."""
    try:
        return [uuid.UUID(value) for value in values]
    except ValueError:
        raise CourseNotFound(field="ids") from None


@get("/compare")
async def compare_page(request: Request[Any, Any, Any], page: Page, db: Database) -> Template:
    asked = [str(value) for value in request.query_params.getall("course", [])]
    postcode = str(request.query_params.get("postcode") or "").strip()
    compared: list[compare.Comparison] = []
    problem: str | None = None
    try:
        compare.check_count(len(asked))
        async with db.reader() as session:
            compared = await compare.compare_courses(
                session,
                _ids(asked),
                postcode=postcode or None,
                # What the largest loan DUO gives would leave to pay, per course.
                duo_loan_remaining_cents=RULES.duo_max_loan_cents,
            )
    except DomainError as fact:
        problem = error_message(page, fact)
    where = {"postcode": postcode} if postcode else None
    return page.render(
        "compare/compare.html",
        status_code=400 if problem else 200,
        compared=compared,
        problem=problem,
        with_distance=any(c.distance_km is not None for c in compared),
        links={c.course.id: page.url(f"/courses/{c.course.id}", where) for c in compared},
        languages={c.course.id: language_names(page, c.course.support_languages) for c in compared},
        search_url=page.url("/search", where),
    )


ROUTES = [compare_page]
