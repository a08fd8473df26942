"""Signing up, in and out on the pages, and the account page: what a learner sees, and
that the pages keep the API's limits and never send anyone to another site."""

from __future__ import annotations

from typing import Any

from httpx import Response
from litestar.testing import AsyncTestClient

from market.web import session
from tests.support.pages import submit

PASSWORD = "paarse olifant 42"


async def sign_up(
    pages: AsyncTestClient[Any], lang: str = "nl", email: str = "amina@example.nl"
) -> Response:
    return await submit(
        pages,
        f"/{lang}/sign-up",
        f"/{lang}/sign-up",
        {"displayName": "Amina Yusuf", "email": email, "password": PASSWORD},
    )


async def sign_in(
    pages: AsyncTestClient[Any], password: str = PASSWORD, after: str = ""
) -> Response:
    return await submit(
        pages,
        "/nl/sign-in",
        "/nl/sign-in",
        {"email": "amina@example.nl", "password": password, "next": after},
    )


async def sign_out(pages: AsyncTestClient[Any]) -> None:
    answer = await submit(pages, "/nl/account", "/nl/sign-out", {})
    assert answer.headers["location"] == "/nl/"


async def test_signing_up_signs_in_with_a_cookie_no_script_or_other_site_gets(
    pages: AsyncTestClient[Any],
) -> None:
    answer = await sign_up(pages, "en")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/en/"
    cookie = next(
        line
        for line in answer.headers.get_list("set-cookie")
        if line.startswith(f"{session.COOKIE}=")
    ).lower()
    assert "; secure" in cookie
    assert "; httponly" in cookie
    assert "; samesite=lax" in cookie

    account = await pages.get("/en/account")
    assert account.status_code == 200
    assert "Amina Yusuf" in account.text
    assert "amina@example.nl" in account.text
    # Signed up on the English pages: English is the language mails come in.
    assert "<dd>English</dd>" in account.text


async def test_the_sign_up_form_has_the_autocomplete_a_password_manager_needs(
    pages: AsyncTestClient[Any],
) -> None:
    form = (await pages.get("/nl/sign-up")).text
    assert 'type="password" value="" required autocomplete="new-password"' in form
    assert 'autocomplete="email"' in form
    form = (await pages.get("/nl/sign-in")).text
    assert 'autocomplete="current-password"' in form


async def test_a_weak_password_is_refused_on_its_field_and_no_account_is_made(
    pages: AsyncTestClient[Any],
) -> None:
    answer = await submit(
        pages,
        "/nl/sign-up",
        "/nl/sign-up",
        {"displayName": "Amina", "email": "amina@example.nl", "password": "kort"},
    )
    assert answer.status_code == 400
    assert '<p class="error" id="password-error">Een wachtwoord heeft minstens 10' in answer.text
    assert 'aria-describedby="password-error password-hint"' in answer.text
    assert 'value="amina@example.nl"' in answer.text
    assert (await sign_in(pages, "kort")).status_code == 400


async def test_signing_up_with_an_address_that_has_an_account_says_to_sign_in(
    pages: AsyncTestClient[Any],
) -> None:
    await sign_up(pages)
    await sign_out(pages)
    answer = await submit(
        pages,
        "/nl/sign-up",
        "/nl/sign-up",
        {"displayName": "Iemand", "email": "amina@example.nl", "password": "een ander geheim"},
    )
    assert answer.status_code == 400
    assert "Met dit e-mailadres kunt u geen nieuw account maken." in answer.text
    assert session.COOKIE not in answer.headers.get("set-cookie", "")


async def test_signing_out_ends_the_session_not_only_the_cookie(
    pages: AsyncTestClient[Any],
) -> None:
    await sign_up(pages)
    token = pages.cookies[session.COOKIE]
    await sign_out(pages)
    pages.cookies.set(session.COOKIE, token)
    answer = await pages.get("/nl/account", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/nl/sign-in?next=%2Fnl%2Faccount"


async def test_a_wrong_password_is_said_in_the_form_keeping_the_email_not_the_password(
    pages: AsyncTestClient[Any],
) -> None:
    await sign_up(pages)
    await sign_out(pages)
    answer = await sign_in(pages, "niet mijn wachtwoord")
    assert answer.status_code == 400
    assert "Het e-mailadres of het wachtwoord klopt niet." in answer.text
    assert 'value="amina@example.nl"' in answer.text
    assert "niet mijn wachtwoord" not in answer.text
    assert session.COOKIE not in pages.cookies


async def test_after_signing_in_only_a_page_of_this_site_is_next_in_the_pages_language(
    pages: AsyncTestClient[Any],
) -> None:
    await sign_up(pages)
    for asked, target in [
        ("/nl/account", "/nl/account"),
        ("https://evil.example/nl/", "/nl/"),
        ("//evil.example/nl/", "/nl/"),
        ("/nl/\\evil.example", "/nl/"),
        # Switched to Dutch on the way: the page in Dutch.
        ("/en/account", "/nl/account"),
        ("/xx/account", "/nl/"),
    ]:
        answer = await sign_in(pages, after=asked)
        assert answer.status_code == 303
        assert answer.headers["location"] == target, asked


async def test_choosing_another_language_shows_the_account_in_it(
    pages: AsyncTestClient[Any],
) -> None:
    await sign_up(pages)
    answer = await submit(pages, "/nl/account", "/nl/account/language", {"language": "en"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/en/account?saved=true"
    account = await pages.get("/en/account?saved=true")
    assert '<html lang="en" dir="ltr">' in account.text
    assert "<dd>English</dd>" in account.text
    assert 'class="success"' in account.text


async def test_my_data_is_a_json_file_of_this_user_only(pages: AsyncTestClient[Any]) -> None:
    await sign_up(pages, email="someone.else@example.nl")
    await sign_out(pages)
    await sign_up(pages)
    answer = await pages.get("/nl/account/data")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-disposition"] == 'attachment; filename="my-data.json"'
    document = answer.json()
    assert document["profile"]["email"] == "amina@example.nl"
    assert document["profile"]["preferredLanguage"] == "nl"
    assert "someone.else@example.nl" not in answer.text
    assert document["bookings"] == {"enrollments": [], "waitlistPlaces": []}
    assert document["reviews"] == []
    assert len(document["sessions"]) == 1


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    pages: AsyncTestClient[Any],
) -> None:
    await sign_up(pages)
    answer = await pages.post("/nl/account/language", data={"language": "tr"})
    assert answer.status_code == 403
    assert "<dd>Nederlands</dd>" in (await pages.get("/nl/account")).text
    answer = await pages.post("/nl/account/delete", data={"password": PASSWORD})
    assert answer.status_code == 403
    assert (await pages.get("/nl/account")).status_code == 200


async def test_deleting_the_account_asks_the_password_and_ends_signed_out(
    pages: AsyncTestClient[Any],
) -> None:
    await sign_up(pages)
    answer = await submit(
        pages, "/nl/account/delete", "/nl/account/delete", {"password": "niet mijn wachtwoord"}
    )
    assert answer.status_code == 400
    assert "Het wachtwoord klopt niet." in answer.text

    answer = await submit(pages, "/nl/account/delete", "/nl/account/delete", {"password": PASSWORD})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/nl/account/deleted"
    assert session.COOKIE not in pages.cookies
    goodbye = await pages.get("/nl/account/deleted")
    assert "Uw account is verwijderd" in goodbye.text
    assert (await sign_in(pages)).status_code == 400


async def test_an_anonymous_visitor_signs_in_first(pages: AsyncTestClient[Any]) -> None:
    for page in ("/nl/account", "/nl/account/data", "/nl/account/delete"):
        answer = await pages.get(page, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/nl/sign-in?next={page.replace('/', '%2F')}"
