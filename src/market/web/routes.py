"""The pages' routes and what they need from the app: templates, CSRF and static files."""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from litestar import Request, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from market.settings import Settings
from market.web import i18n, session
from market.web.page import LANGUAGE_COOKIE, provide_page
from market.web.pages import PAGES

HERE = Path(__file__).parent
# Where the API lives: its clients send no CSRF token (they sign in with a bearer token,
# which no other site's form can send).
_API_PATHS = ["^/graphql", "^/webhooks/", "^/documents", "^/ocds/", "^/healthz", "^/readyz"]


def templates() -> TemplateConfig[JinjaTemplateEngine]:
    def configure(engine: JinjaTemplateEngine) -> None:
        env = engine.engine
        env.undefined = StrictUndefined
        env.trim_blocks = env.lstrip_blocks = True
        # For Babel's extraction of `_()`; the callables themselves come with each page.
        env.add_extension("jinja2.ext.i18n")

    return TemplateConfig(
        directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=configure
    )


def csrf(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=secret_key(settings),
        cookie_name="market_csrf",
        cookie_secure=True,
        cookie_httponly=True,
        exclude=_API_PATHS,
    )


def secret_key(settings: Settings) -> str:
    """MARKET_SECRET_KEY, or one made once and kept in the data folder (so every process
    of one installation signs alike, and a restart does not void open forms)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file():
        # Whichever process starts first makes it; linked in whole, so no other process
        # ever reads it half written.
        draft = path.with_name(f"secret_key.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        with suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Redirect:
    """The pages in the language the visitor chose before, or else their browser's."""
    lang = i18n.chosen(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language", "")
    )
    return Redirect(f"/{lang.value}/", status_code=303)


def routes() -> list[ControllerRouterHandler]:
    return [
        home,
        Router(
            "/{lang:str}",
            route_handlers=PAGES,
            dependencies={"page": Provide(provide_page)},
            exception_handlers={session.SignInFirst: session.sign_in_first},
            include_in_schema=False,
        ),
        create_static_files_router(
            "/static",
            directories=[HERE / "static"],
            # Names stay while contents change with a release: an hour's cache, then the
            # browser asks again (and gets a 304 while the file is unchanged).
            cache_control=CacheControlHeader(max_age=3600),
            include_in_schema=False,
        ),
    ]
