"""What every page shares: the language in the address, the refusals as pages, the
headers that keep other sites and scripts out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

import market.web

TEMPLATES = Path(market.web.__file__).parent / "templates"


async def test_the_front_door_sends_a_visitor_to_their_browsers_language(
    pages: AsyncTestClient[Any],
) -> None:
    answer = await pages.get(
        "/", headers={"accept-language": "en-GB,nl;q=0.5"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/en/"
    answer = await pages.get("/", headers={"accept-language": "fr"}, follow_redirects=False)
    assert answer.headers["location"] == "/nl/"


async def test_the_front_door_remembers_the_language_last_read(
    pages: AsyncTestClient[Any],
) -> None:
    await pages.get("/en/no-such-page")
    answer = await pages.get("/", headers={"accept-language": "nl"}, follow_redirects=False)
    assert answer.headers["location"] == "/en/"


async def test_an_unknown_page_is_a_page_in_its_language(pages: AsyncTestClient[Any]) -> None:
    answer = await pages.get("/nl/no-such-page")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="nl" dir="ltr">' in answer.text
    assert "Pagina niet gevonden" in answer.text
    assert 'href="#main"' in answer.text  # the skip link
    # The switcher names each language as it calls itself, and links this page in it.
    assert '<a href="/ti/no-such-page" lang="ti" hreflang="ti">ትግርኛ</a>' in answer.text
    assert '<a href="/ar/no-such-page" lang="ar" hreflang="ar">العربية</a>' in answer.text
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["referrer-policy"] == "same-origin"


async def test_the_api_keeps_answering_json(pages: AsyncTestClient[Any]) -> None:
    answer = await pages.get("/xx/no-such-page")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    answer = await pages.post("/graphql", json={"query": "{ me { id } }"})
    assert answer.json() == {"data": {"me": None}}


async def test_a_form_without_its_csrf_token_changes_nothing(
    pages: AsyncTestClient[Any],
) -> None:
    answer = await pages.post("/nl/sign-out", data={})
    assert answer.status_code == 403
    assert "Dit mag niet" in answer.text


async def test_the_stylesheet_is_cached_for_a_while(pages: AsyncTestClient[Any]) -> None:
    answer = await pages.get("/static/site.css")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "max-age=3600"


# What a template shows that is not markup, code or a translated text: words outside
# `{{ }}`/`{% %}`, and attributes people read (aria-label, title, alt, placeholder).
_CODE = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<script.*?</script>", re.DOTALL)
_READ_ATTRIBUTE = re.compile(r'(aria-label|title|alt|placeholder)="[^"{]*[^\W\d_][^"{]*"')


def test_every_word_a_template_shows_comes_from_the_catalog() -> None:
    untranslated = {}
    for template in sorted(TEMPLATES.rglob("*.html")):
        source = template.read_text()
        # (A macro may write attributes outside any tag of its own.)
        shown = re.sub(r'<[^>]*>|[\w-]+="[^"]*"', " ", _CODE.sub(" ", source))
        words = [word for word in re.findall(r"[^\W\d_]{2,}", shown) if word != "nbsp"]
        attributes = [match.group(0) for match in _READ_ATTRIBUTE.finditer(source)]
        if words or attributes:
            untranslated[template.name] = words + attributes
    assert untranslated == {}
