"""Talking to the app the way a client does: GraphQL over real HTTP requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.testing import AsyncTestClient


@dataclass
class Result:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    @property
    def error_code(self) -> str | None:
        codes = self.error_codes
        return codes[0] if codes else None

    @property
    def error_field(self) -> str | None:
        return self.errors[0].get("extensions", {}).get("field") if self.errors else None

    def ok(self) -> Any:
        """The data, asserting the request succeeded without errors."""
        assert self.status == 200, self.body
        assert not self.errors, self.errors
        return self.data


class GraphQLClient:
    def __init__(self, http: AsyncTestClient[Any]) -> None:
        self.http = http

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        language: str | None = None,
    ) -> Result:
        """Posts the operation; `language` is sent as the Accept-Language header."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if language is not None:
            headers["Accept-Language"] = language
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code < 500, response.text
        return Result(response.status_code, response.json())


def doubling_fragments(levels: int) -> str:
    """A 2 KB document whose every fragment spreads the one before it twice: 2^levels
    fields once expanded (the attack that froze the server before fragments were measured
    once)."""
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return f"query {{ ...F{levels} }} " + " ".join(fragments)


def waited(error: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A refusal that says how long to wait: its extensions but the wait, and the wait in
    seconds (`params.retryAfterSeconds`, which its message names too, in Dutch)."""
    extensions = dict(error["extensions"])
    params = extensions.pop("params")
    wait = params.pop("retryAfterSeconds")
    assert params == {}, error
    assert error["message"].endswith(f"Probeer het over {wait} s opnieuw."), error
    return extensions, wait
