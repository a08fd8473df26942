"""Signing in, signing up and signing out.

The pages go through the same limits as the API's `register` and `login`: each attempt is
counted against its client address first, and failed passwords slow the next ones down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template

from market.clients import client_address
from market.db.database import Database
from market.identity import service as identity
from market.identity.errors import LoginFailed
from market.identity.throttling import ClientAction, RequestLimit
from market.kernel.errors import DomainError
from market.settings import Settings
from market.web import forms, i18n, session
from market.web.page import Page

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Where a page that needs a signed-in user came from: back there after signing in.
Next = Annotated[str, Parameter(query="next", default="")]

_SIGN_IN_FIELDS = ("email", "password")
_SIGN_UP_FIELDS = ("displayName", "email", "password")


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who signs in, as the limits per client see them."""

    db: Database
    settings: Settings
    client: str

    @classmethod
    def of(cls, request: Request[Any, Any, Any], db: Database, settings: Settings) -> Visitor:
        return cls(db, settings, client_address(request, settings.trusted_proxy_header))

    async def admit(self, action: ClientAction) -> None:
        """Counted in a transaction of its own: it stays counted whatever comes of it."""
        async with self.db.transaction() as transaction:
            await identity.admit(
                transaction, client=self.client, limit=RequestLimit.of(self.settings, action)
            )

    async def sign_in(self, email: str, password: str) -> Cookie:
        """The session cookie for the right password."""
        await self.admit(ClientAction.LOGIN)
        policy = identity.SignInPolicy.of(self.settings)
        async with self.db.transaction() as transaction:
            attempt = await identity.login(
                transaction, email=email, password=password, client=self.client, policy=policy
            )
        # Committed first: a failed attempt is remembered even though this one fails.
        signed_in = attempt.unwrap()
        assert signed_in is not None
        return session.signed_in(signed_in.token, int(policy.token_ttl.total_seconds()))


def local_target(page: Page, candidate: str) -> str:
    """Where to go after signing in: `candidate` when it is a page of this site (in this
    page's language: a learner who switched language on the way keeps it), else the front
    page. Anything else (another site, `//host`, a backslash a browser reads as a slash)
    would let a link send a learner elsewhere after signing in."""
    home = page.url("/")
    prefix, _, rest = candidate.removeprefix("/").partition("/")
    if i18n.language(prefix) is not None:
        candidate = f"{home}{rest}"
    parts = urlsplit(candidate)
    if (
        candidate.startswith(home)
        and not parts.scheme
        and not parts.netloc
        and "\\" not in candidate
        and candidate.isprintable()
        and " " not in candidate
    ):
        return candidate
    return home


@get("/sign-in")
async def sign_in_form(page: Page, after: Next) -> Template:
    return page.render("auth/sign_in.html", email="", errors={}, next=local_target(page, after))


@post("/sign-in", status_code=303)
async def sign_in(
    request: Request[Any, Any, Any], page: Page, db: Database, settings: Settings, data: Form
) -> Redirect | Template:
    email, target = data.get("email", ""), local_target(page, data.get("next", ""))
    try:
        cookie = await Visitor.of(request, db, settings).sign_in(email, data.get("password", ""))
    except DomainError as fact:
        errors = forms.field_errors(page, fact, _SIGN_IN_FIELDS)
        return page.render(
            "auth/sign_in.html", status_code=400, email=email, errors=errors, next=target
        )
    return Redirect(target, status_code=303, cookies=[cookie])


@get("/sign-up")
async def sign_up_form(page: Page, after: Next) -> Template:
    return page.render(
        "auth/sign_up.html", email="", name="", errors={}, next=local_target(page, after)
    )


@post("/sign-up", status_code=303)
async def sign_up(
    request: Request[Any, Any, Any], page: Page, db: Database, settings: Settings, data: Form
) -> Redirect | Template:
    email, name = data.get("email", ""), data.get("displayName", "")
    password, target = data.get("password", ""), local_target(page, data.get("next", ""))
    visitor = Visitor.of(request, db, settings)
    errors: dict[str, str]
    try:
        await visitor.admit(ClientAction.REGISTER)
        async with db.transaction() as transaction:
            await identity.register(
                transaction,
                email=email,
                password=password,
                display_name=name,
                preferred_language=page.lang.value,
            )
        cookie = await visitor.sign_in(email, password)
    except LoginFailed:
        # The address had an account already (registering never says so: its owner gets
        # a mail). Signing in with this password failed, which is all the page may tell.
        errors = {
            "email": page.texts.gettext(
                "Met dit e-mailadres kunt u geen nieuw account maken. "
                "Heeft u al een account? Log dan in."
            )
        }
    except DomainError as fact:
        errors = forms.field_errors(page, fact, _SIGN_UP_FIELDS)
    else:
        return Redirect(target, status_code=303, cookies=[cookie])
    return page.render(
        "auth/sign_up.html", status_code=400, email=email, name=name, errors=errors, next=target
    )


@post("/sign-out", status_code=303)
async def sign_out(request: Request[Any, Any, Any], page: Page, db: Database) -> Redirect:
    async with db.transaction() as transaction:
        await identity.logout(transaction, session.token(request))
    return Redirect(page.url("/"), status_code=303, cookies=[session.signed_out()])


ROUTES = [sign_in_form, sign_in, sign_up_form, sign_up, sign_out]
