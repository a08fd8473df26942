"""Meilisearch's HTTP boundary for tests: no Meilisearch server runs here, so the SDK's
HTTP client is given an httpx MockTransport that answers with Meilisearch's documented
response shapes (tasks enqueued with 202, task objects, index objects, search results) and
records every request the SDK sends, for the test to assert."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from market.search.meilisearch import MeilisearchSearch

URL = "http://meilisearch.test:7700"
MOMENT = "2026-11-28T10:00:00.000000Z"

# The task type Meilisearch reports for each write, by method and path ending.
_TASK_TYPES = {
    ("POST", "/documents"): "documentAdditionOrUpdate",
    ("POST", "/documents/delete-batch"): "documentDeletion",
    ("POST", "/documents/delete"): "documentDeletion",
    ("PATCH", "/settings"): "settingsUpdate",
}


@dataclass
class Request:
    method: str
    path: str
    body: Any

    @property
    def call(self) -> tuple[str, str]:
        return self.method, self.path


@dataclass
class FakeMeilisearch:
    """Indexes that exist, the task outcome to report, and a multi-search answerer."""

    indexes: set[str] = field(default_factory=set)
    task_status: str = "succeeded"
    answer_search: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    requests: list[Request] = field(default_factory=list)
    _uids: itertools.count[int] = field(default_factory=itertools.count)
    _tasks: dict[int, tuple[str | None, str]] = field(default_factory=dict)

    def engine(self) -> MeilisearchSearch:
        engine = MeilisearchSearch.connect(URL, "test-key")
        # The one seam: the SDK's own HTTP client, with a transport that answers here.
        engine.client.http_client._transport = httpx2.MockTransport(self.handle)
        return engine

    @property
    def calls(self) -> list[tuple[str, str]]:
        """Every request but task polling, as (method, path)."""
        return [r.call for r in self.requests if not r.path.startswith("/tasks/")]

    def bodies(self, method: str, path: str) -> list[Any]:
        return [r.body for r in self.requests if r.call == (method, path)]

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.requests.append(Request(request.method, path, body))
        match request.method, path.strip("/").split("/"):
            case "GET", ["tasks", uid]:
                return self._task(int(uid))
            case "POST", ["multi-search"]:
                assert self.answer_search is not None, "this test expects no search"
                return httpx2.Response(
                    200, json={"results": [self.answer_search(q) for q in body["queries"]]}
                )
            case "POST", ["indexes"]:
                self.indexes.add(body["uid"])
                return self._enqueued(body["uid"], "indexCreation")
            case "GET", ["indexes", uid]:
                if uid not in self.indexes:
                    return httpx2.Response(404, json=_not_found(uid))
                return httpx2.Response(
                    200,
                    json={"uid": uid, "primaryKey": "id", "createdAt": MOMENT,
                          "updatedAt": MOMENT},
                )  # fmt: skip
            case "DELETE", ["indexes", uid]:
                self.indexes.discard(uid)
                return self._enqueued(uid, "indexDeletion")
            case "POST", ["swap-indexes"]:
                return self._enqueued(None, "indexSwap")
            case method, ["indexes", uid, *rest]:
                kind = _TASK_TYPES[(method, "/" + "/".join(rest))]
                return self._enqueued(uid, kind)
        raise AssertionError(f"unexpected request {request.method} {path}")

    def _enqueued(self, index: str | None, kind: str) -> httpx2.Response:
        uid = next(self._uids)
        self._tasks[uid] = (index, kind)
        return httpx2.Response(
            202,
            json={"taskUid": uid, "indexUid": index, "status": "enqueued", "type": kind,
                  "enqueuedAt": MOMENT},
        )  # fmt: skip

    def _task(self, uid: int) -> httpx2.Response:
        index, kind = self._tasks[uid]
        task: dict[str, Any] = {
            "uid": uid,
            "indexUid": index,
            "status": self.task_status,
            "type": kind,
            "details": {},
            "duration": "PT0.001S",
            "enqueuedAt": MOMENT,
            "startedAt": MOMENT,
            "finishedAt": MOMENT,
        }
        if self.task_status == "failed":
            task["error"] = {
                "message": "Index `courses`: The `_geo` field in the document is invalid.",
                "code": "invalid_document_geo_field",
                "type": "invalid_request",
                "link": "https://docs.meilisearch.com/errors#invalid_document_geo_field",
            }
        return httpx2.Response(200, json=task)


def _not_found(uid: str) -> dict[str, str]:
    return {
        "message": f"Index `{uid}` not found.",
        "code": "index_not_found",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#index_not_found",
    }


def search_result(
    query: dict[str, Any],
    *,
    hits: list[dict[str, Any]] | None = None,
    total: int = 0,
    facets: dict[str, dict[str, int]] | None = None,
) -> dict[str, Any]:
    """One result of a multi-search, shaped as Meilisearch documents it: offset/limit
    pagination gives estimatedTotalHits, page/hitsPerPage gives the exhaustive totalHits."""
    result: dict[str, Any] = {
        "indexUid": query["indexUid"],
        "hits": hits or [],
        "query": query.get("q") or "",
        "processingTimeMs": 1,
    }
    if query.get("hitsPerPage") is not None:
        result |= {"hitsPerPage": query["hitsPerPage"], "page": query["page"],
                   "totalHits": total, "totalPages": 0}  # fmt: skip
    else:
        result |= {"offset": query["offset"], "limit": query["limit"],
                   "estimatedTotalHits": total}  # fmt: skip
    if facets is not None:
        result["facetDistribution"] = facets
    return result
