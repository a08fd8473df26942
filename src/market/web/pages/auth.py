"""Signing in, signing up and signing out."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.response import Redirect

from market.db.database import Database
from market.identity import service as identity
from market.web import session
from market.web.page import Page


@post("/sign-out", status_code=303)
async def sign_out(request: Request[Any, Any, Any], page: Page, db: Database) -> Redirect:
    async with db.transaction() as transaction:
        await identity.logout(transaction, session.token(request))
    return Redirect(page.url("/"), status_code=303, cookies=[session.signed_out()])


ROUTES = [sign_out]
