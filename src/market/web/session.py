"""Signing in on the pages: the session cookie.

The cookie holds the same kind of token `login` gives API clients, so sign-out, expiry and
account deletion end it the same way. It is secure, http-only and same-site (lax): scripts
cannot read it, and no other site's form posts it (CSRF tokens guard the forms besides).
The GraphQL endpoint never reads it: API clients send a bearer token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect

from market.db.database import Database
from market.identity import service as identity
from market.identity.policies import ANONYMOUS, Actor

COOKIE = "market_session"


def token(request: Request[Any, Any, Any]) -> str | None:
    return request.cookies.get(COOKIE) or None


async def actor(db: Database, request: Request[Any, Any, Any]) -> Actor:
    """Who is signed in; anonymous for no cookie or an expired or ended token."""
    presented = token(request)
    if not presented:
        return ANONYMOUS
    async with db.reader() as session:
        return await identity.actor_for_token(session, presented)


def signed_in(presented: str, max_age_seconds: int) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=presented,
        max_age=max_age_seconds,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )


def signed_out() -> Cookie:
    return Cookie(
        key=COOKIE, value="", max_age=0, path="/", secure=True, httponly=True, samesite="lax"
    )


class SignInFirst(Exception):
    """A page that needs an account, asked for by a visitor who is not signed in
    (`Page.signed_in`); answered by `sign_in_first`."""


def sign_in_first(request: Request[Any, Any, Any], _: SignInFirst) -> Redirect:
    """To signing in, and back afterwards: to this page, or for a form, to the page it was
    sent from (signing in goes on only to a page of this site: pages/auth.local_target)."""
    lang = request.path_params["lang"]
    if request.method in ("GET", "HEAD"):
        back = urlsplit(str(request.url))
    else:
        back = urlsplit(request.headers.get("referer", f"/{lang}/"))
    here = back.path + (f"?{back.query}" if back.query else "")
    return Redirect(f"/{lang}/sign-in?{urlencode({'next': here})}", status_code=303)
