"""The GraphQL endpoint: Strawberry's Litestar controller with the edge rules applied.

- Every response's errors pass through `errors.translate` exactly once, here at the one
  exit all results share (including parse errors, which schema extensions never see).
- A request that never becomes a GraphQL operation (a body that is not JSON, another
  content type, no query, a batch, a GET) is still answered with GraphQL errors in JSON,
  with the status code Strawberry chose, never bare text.
- The body is decoded once, here, into the one shape an operation has (a JSON object whose
  members have the spec's types): anything else is a 400, as GraphQL over HTTP says,
  however it is malformed (a bare string, invalid UTF-8, nesting deeper than the stack).
- GraphiQL only in debug mode, with a Content-Security-Policy that lets its page load
  what it needs; operations only by POST.
"""

from __future__ import annotations

from typing import Any

import msgspec
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from litestar import Request, Response
from litestar.background_tasks import BackgroundTasks
from litestar.controller import Controller
from litestar.di import Provide
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.parse_content_type import parse_content_type
from strawberry.litestar import make_graphql_controller
from strawberry.types import ExecutionResult

from market.api.graphql import errors
from market.api.graphql.schema import MarketSchema
from market.kernel.i18n import negotiate
from market.settings import Settings

PATH = "/graphql"

# Strawberry's GraphiQL page: React, GraphiQL and its explorer from unpkg (pinned, with
# subresource integrity), an inline script and style, a data: icon, queries to itself.
GRAPHIQL_POLICY = (
    "default-src 'none'; script-src https://unpkg.com 'unsafe-inline'; "
    "style-src https://unpkg.com 'unsafe-inline'; font-src https://unpkg.com data:; "
    "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class _Operation(msgspec.Struct, rename="camel"):
    """A request body as GraphQL over HTTP defines it. One object: batches are not enabled."""

    query: str | None = None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None


_decode_operation = msgspec.json.Decoder(_Operation).decode


def _parse_operation(body: bytes) -> GraphQLRequestData:
    """The operation in a JSON request body, or an HTTPException(400) saying what is wrong."""
    try:
        operation = _decode_operation(body)
    except msgspec.ValidationError as error:
        raise HTTPException(400, f"The body is not a GraphQL request: {error}") from error
    except msgspec.DecodeError as error:
        raise HTTPException(400, "Unable to parse request body as JSON") from error
    except RecursionError as error:
        raise HTTPException(400, "The body is nested too deeply") from error
    return GraphQLRequestData(
        query=operation.query,
        variables=operation.variables,
        operation_name=operation.operation_name,
        extensions=operation.extensions,
    )


def graphql_controller(
    schema: MarketSchema, settings: Settings, context_getter: Any
) -> type[Controller]:
    strawberry_controller = make_graphql_controller(
        schema,
        path=PATH,
        graphql_ide="graphiql" if settings.debug else None,
        allow_queries_via_get=False,
        context_getter=context_getter,
    )

    class GraphQLController(strawberry_controller):  # type: ignore[valid-type,misc]
        # Strawberry provides its placeholder response with sync_to_thread=True: a hop to a
        # worker thread and back on every request, for one constructor call. And Litestar
        # resolves each level of dependencies holding more than one in a task group of its
        # own (about 0.3 ms of CPU a request): chained, every level holds one. Our context
        # getter (`custom_context`), then the response, Strawberry's context, the root value.
        dependencies = {
            **strawberry_controller.dependencies,
            "response": Provide(_placeholder_response, sync_to_thread=False),
            "root_value": Provide(_no_root_value, sync_to_thread=False),
        }

        def encode_json(self, data: object) -> bytes:
            # msgspec, as Litestar itself uses: a search page is some 700 values, and the
            # standard library's encoder spends half a millisecond of CPU on them.
            return msgspec.json.encode(data)

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Any, root_value: Any
        ) -> Response[Any]:
            try:
                return await self.run(request, context=context, root_value=root_value)  # type: ignore[no-any-return]
            except HTTPException as error:
                return Response(
                    errors.request_error(error.reason, error.status_code),
                    status_code=error.status_code,
                )

        async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
            content_type, _ = parse_content_type(request.content_type or "")
            if request.method != "POST" or content_type.lower() != "application/json":
                raise HTTPException(400, "Send GraphQL operations by POST as application/json")
            return _parse_operation(await request.get_body())

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
            return Response(
                self.graphql_ide_html,
                media_type="text/html",
                headers={"Content-Security-Policy": GRAPHIQL_POLICY},
            )

        async def process_result(
            self, request: Request[Any, Any, Any], result: ExecutionResult
        ) -> GraphQLHTTPResponse:
            if result.errors:
                language = negotiate(request.headers.get("accept-language", ""))
                result.errors = [errors.translate(error, language) for error in result.errors]
            return process_result(result)

    return GraphQLController


def _no_root_value(context: Any) -> None:
    """The queries' root value: none (each domain's Query type is the root)."""


def _placeholder_response(custom_context: Any) -> Response[Any]:
    """The response Strawberry's context carries, for resolvers to set headers or cookies."""
    return Response({}, background=BackgroundTasks([]))
