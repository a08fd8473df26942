"""Reading and submitting the learners' pages as a browser without JavaScript would."""

from __future__ import annotations

import re
from typing import Any

from httpx import Response
from litestar.testing import AsyncTestClient

_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def submit(
    client: AsyncTestClient[Any], page: str, action: str, data: dict[str, Any]
) -> Response:
    """Open `page`, then post `data` to `action` with the token of the page's form."""
    opened = await client.get(page)
    assert opened.status_code == 200, opened.text
    return await client.post(
        action, data={**data, "_csrf_token": csrf_token(opened.text)}, follow_redirects=False
    )


def words(html: str) -> str:
    """A page's words as a reader meets them: tags taken out, runs of spaces made one plain
    space (money and numbers are written with no-break spaces)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.replace("\xa0", " ")))
