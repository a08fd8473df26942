"""What every HTTP answer carries, whatever the route or outcome, and what an unexpected
failure looks like to the client and to the operator."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import httpx
import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from market.app import create_app
from market.settings import Settings

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}


def assert_secured(response: httpx.Response) -> None:
    sent = {name: response.headers.get(name) for name in SECURITY_HEADERS}
    assert sent == SECURITY_HEADERS, (response.status_code, response.text)


async def test_a_graphql_answer_carries_the_security_headers(http: AsyncTestClient[Any]) -> None:
    response = await http.post("/graphql", json={"query": "{ labourMarketRegions { code } }"})
    assert response.status_code == 200
    assert_secured(response)


async def test_a_sign_in_answer_is_never_stored(http: AsyncTestClient[Any]) -> None:
    response = await http.post(
        "/graphql",
        json={
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) {"
            " token } }",
            "variables": {"e": "nobody@example.test", "p": "not the password"},
        },
    )
    assert response.status_code == 200
    assert response.json()["errors"]
    assert_secured(response)


@pytest.mark.parametrize(
    ("method", "path", "content", "status"),
    [
        ("GET", "/healthz", None, 200),
        ("GET", "/readyz", None, 200),
        ("GET", "/no-such-page", None, 404),
        ("DELETE", "/graphql", None, 405),
        ("POST", "/graphql", b"null", 400),
        ("POST", "/graphql", b'{"query": "{ labourMarketRegions { code }"}', 200),
    ],
    ids=["health", "ready", "unknown-path", "wrong-method", "malformed-body", "syntax-error"],
)
async def test_every_answer_carries_the_security_headers(
    http: AsyncTestClient[Any], method: str, path: str, content: bytes | None, status: int
) -> None:
    response = await http.request(
        method, path, content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == status
    assert_secured(response)


async def test_graphiql_gets_a_policy_that_lets_it_load(settings: Settings) -> None:
    async with AsyncTestClient(app=create_app(dataclasses.replace(settings, debug=True))) as http:
        response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    # What Strawberry's page loads: scripts and styles from unpkg, its inline ones, a data:
    # icon. A Strawberry that loads from elsewhere must change the policy with it.
    loaded = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert loaded
    assert all(url.startswith(("https://unpkg.com/", "data:")) for url in loaded), loaded
    assert policy["script-src"] == "https://unpkg.com 'unsafe-inline'"
    assert policy["style-src"] == "https://unpkg.com 'unsafe-inline'"
    assert policy["connect-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@get("/broken", sync_to_thread=False)
def broken() -> None:
    raise RuntimeError("connection to 10.0.0.7 lost while running SELECT * FROM users")


async def test_an_unexpected_failure_is_a_typed_500_and_a_logged_traceback(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings)
    app.register(broken)
    async with AsyncTestClient(app=app) as http:
        response = await http.get("/broken", headers={"x-request-id": "edge-test-500"})

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "errors": [
            {"message": "Unexpected error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    assert_secured(response)
    logged = [
        json.loads(line)
        for line in capsys.readouterr().err.splitlines()
        if line.startswith("{") and "edge-test-500" in line
    ]
    failure = next(entry for entry in logged if entry["event"] == "unexpected error")
    assert failure["level"] == "error"
    assert failure["path"] == "/broken"
    assert "Traceback" in failure["exception"]
    assert "SELECT * FROM users" in failure["exception"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "message"),
    [
        ("GET", "/no-such-page", 404, "NOT_FOUND", "Not Found"),
        ("DELETE", "/graphql", 405, "BAD_USER_INPUT", "Method Not Allowed"),
        ("POST", "/healthz", 405, "BAD_USER_INPUT", "Method Not Allowed"),
    ],
)
async def test_refusals_outside_graphql_are_graphql_shaped(
    http: AsyncTestClient[Any], method: str, path: str, status: int, code: str, message: str
) -> None:
    response = await http.request(method, path)

    assert response.status_code == status
    assert response.json() == {"errors": [{"message": message, "extensions": {"code": code}}]}
    if status == 405:
        assert "GET" in response.headers["allow"] or "POST" in response.headers["allow"]
