"""Who sent a request: the address the limits per client (identity.throttling) count by,
for the API and the pages alike."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection


def client_address(connection: ASGIConnection[Any, Any, Any, Any], trusted_header: str) -> str:
    """The client's address: the connection's peer, or with a trusted proxy's header
    configured, the right-most entry of that header. A proxy appends the address it saw to
    whatever the client sent, so only that last entry is the proxy's own word; entries to
    its left are the client's to invent. Without the header (a request that bypassed the
    proxy) the peer it came from is the client."""
    if trusted_header:
        entries = [
            entry.strip()
            for line in connection.headers.getall(trusted_header, [])
            for entry in line.split(",")
        ]
        if entries and entries[-1]:
            return entries[-1]
    return connection.client.host if connection.client else ""
