"""The signed-in learner's account: who they are, the language we write to them in, their
data to download, and deleting the account."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template

from market.clients import client_address
from market.db.database import Database
from market.enrollment import service as enrollment
from market.enrollment.policies import BookingRules
from market.identity import service as identity
from market.kernel.errors import DomainError
from market.kernel.i18n import native_name
from market.privacy import export
from market.settings import Settings
from market.web import forms, i18n, session
from market.web.page import Page
from market.web.pages.auth import Form

Saved = Annotated[bool, Parameter(query="saved", default=False)]


async def _account(
    page: Page,
    db: Database,
    *,
    saved: bool = False,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    async with db.reader() as reader:
        profile = await identity.get_profile(reader, page.actor)
    assert profile is not None
    user = profile.user
    return page.render(
        "account/account.html",
        name=user.display_name,
        email=user.email,
        language=native_name(user.preferred_language),
        preferred=user.preferred_language,
        saved=saved,
        errors=errors or {},
        status_code=status_code,
    )


@get("/account")
async def account(page: Page, db: Database, saved: Saved) -> Template | Redirect:
    page.signed_in()
    return await _account(page, db, saved=saved)


@post("/account/language", status_code=303)
async def change_language(page: Page, db: Database, data: Form) -> Template | Redirect:
    page.signed_in()
    code = data.get("language", "")
    try:
        async with db.transaction() as transaction:
            await identity.set_preferred_language(transaction, page.actor, code)
    except DomainError as fact:
        errors = forms.field_errors(page, fact, ())
        return await _account(page, db, errors=errors, status_code=400)
    # The account page in the language just chosen (when the pages speak it).
    lang = i18n.language(code) or page.lang
    return Redirect(f"/{lang.value}/account?saved=true", status_code=303)


@get("/account/data")
async def data(page: Page, db: Database) -> Response[bytes] | Redirect:
    """The same document as the API's `myData`, as a file to keep."""
    page.signed_in()
    async with db.reader() as reader:
        document = await export.personal_data(reader, page.actor)
    return Response(
        msgspec.json.encode(document),
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@get("/account/delete")
async def delete_form(page: Page) -> Template | Redirect:
    page.signed_in()
    return page.render("account/delete.html", errors={})


@post("/account/delete", status_code=303)
async def delete(
    request: Request[Any, Any, Any], page: Page, db: Database, settings: Settings, data: Form
) -> Template | Redirect:
    page.signed_in()
    try:
        async with db.transaction() as transaction:
            attempt = await identity.delete_my_account(
                transaction,
                page.actor,
                password=data.get("password", ""),
                client=client_address(request, settings.trusted_proxy_header),
                policy=identity.SignInPolicy.of(settings),
                before_delete=partial(enrollment.withdraw_learner, rules=BookingRules.of(settings)),
            )
        # Committed first: a wrong password counts towards the sign-in throttle.
        attempt.unwrap()
    except DomainError as fact:
        errors = forms.field_errors(page, fact, ("password",))
        return page.render("account/delete.html", status_code=400, errors=errors)
    return Redirect(page.url("/account/deleted"), status_code=303, cookies=[session.signed_out()])


@get("/account/deleted")
async def deleted(page: Page) -> Template:
    return page.render("account/deleted.html")


ROUTES = [account, change_language, data, delete_form, delete, deleted]
