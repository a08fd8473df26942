"""GraphQL from a chosen client address, as a trusted reverse proxy reports it: the app
under test must be configured with `trusted_proxy_header=PROXY_HEADER`."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support.graphql import Result

PROXY_HEADER = "X-Forwarded-For"
# What a client may claim itself: the proxy appends the address it saw after it.
SPOOFED = "198.51.100.66"


class ClientAt:
    def __init__(self, http: AsyncTestClient[Any], address: str) -> None:
        self.http = http
        self.address = address

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Result:
        headers = {PROXY_HEADER: f"{SPOOFED}, {self.address}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code < 500, response.text
        return Result(response.status_code, response.json())
