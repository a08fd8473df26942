"""The GraphQL edge: whatever a client sends, it gets a typed error, never a 500 or a trace.

Every answer here is JSON with `errors[].extensions.code`; the limits come from Settings
(depth 12, 2000 tokens, 15 aliases, 100 items per page).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from graphql import is_required_argument
from litestar.testing import AsyncTestClient

from market.api.graphql.schema import build_schema
from market.app import create_app
from market.db.database import Database
from market.geo import service as geo_service
from market.settings import Settings
from tests.support.actors import learner
from tests.support.graphql import GraphQLClient

BAD_USER_INPUT = "BAD_USER_INPUT"
TEN_KB = "x" * 10 * 1024


def assert_typed_refusal(response: Any, status: int, code: str = BAD_USER_INPUT) -> list[Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert errors
    assert {error["extensions"]["code"] for error in errors} == {code}
    assert "Traceback" not in response.text
    return [error["message"] for error in errors]


async def test_a_query_deeper_than_the_limit_is_refused(gql: GraphQLClient) -> None:
    depth = 13
    query = "{" + " f {" * depth + " id" + " }" * depth + " }"
    result = await gql(query, language="en")
    assert result.data is None
    assert set(result.error_codes) == {BAD_USER_INPUT}
    assert result.errors[0]["message"] == "The query nests 13 levels deep; at most 12 are allowed."
    assert result.errors[0]["extensions"]["reason"] == "QueryTooDeep"


async def test_a_query_of_too_many_tokens_is_refused(gql: GraphQLClient) -> None:
    result = await gql("{ labourMarketRegions { " + "code " * 2000 + "} }")
    assert result.data is None
    assert result.error_codes == [BAD_USER_INPUT]
    assert "more than 2000 tokens" in result.errors[0]["message"]


async def test_more_aliases_than_the_limit_are_refused(gql: GraphQLClient) -> None:
    fifteen = " ".join(f"r{i}: labourMarketRegions {{ code }}" for i in range(15))
    assert len((await gql("{" + fifteen + "}")).ok()) == 15

    result = await gql("{" + fifteen + " r15: labourMarketRegions { code } }", language="en")
    assert result.data is None
    assert result.error_codes == [BAD_USER_INPUT]
    assert result.errors[0]["message"] == "The query uses 16 aliases; at most 15 are allowed."
    assert result.errors[0]["extensions"]["reason"] == "TooManyAliases"


def paginated_query_fields() -> list[str]:
    """Query fields taking `first` whose other arguments are all optional."""
    query_type = build_schema()._schema.query_type
    assert query_type is not None
    return sorted(
        name
        for name, field in query_type.fields.items()
        if "first" in field.args
        and not any(is_required_argument(arg) for arg in field.args.values())
    )


def test_the_schema_has_paginated_query_fields() -> None:
    assert paginated_query_fields()


@pytest.mark.parametrize("first", [101, 0, -1])
async def test_page_sizes_outside_1_to_100_are_refused(gql: GraphQLClient, first: int) -> None:
    for field in paginated_query_fields():
        result = await gql(
            f"query($n: Int) {{ {field}(first: $n) {{ totalCount }} }}", {"n": first}
        )
        assert result.error_codes == [BAD_USER_INPUT], (field, result.body)
        assert result.error_field == "first", field


async def test_a_page_of_100_is_allowed(db: Database, gql: GraphQLClient) -> None:
    signed_in = await learner(db)  # some listings are a signed-in user's own
    for field in paginated_query_fields():
        result = await gql(f"{{ {field}(first: 100) {{ totalCount }} }}", token=signed_in.token)
        assert result.errors == [], (field, result.body)


NOT_JSON = "Unable to parse request body as JSON"
QUERY = '"{ labourMarketRegions { code } }"'


def nested(depth: int) -> str:
    return '{"query": ' + QUERY + ', "variables": {"v": ' + "[" * depth + "]" * depth + "}}"


def not_an_operation(why: str) -> str:
    return f"The body is not a GraphQL request: {why}"


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        pytest.param("{not json", "application/json", NOT_JSON, id="malformed-json"),
        pytest.param("", "application/json", NOT_JSON, id="empty-body"),
        pytest.param(b'{"query": "\xff{ x }"}', "application/json", NOT_JSON, id="invalid-utf-8"),
        pytest.param(r'{"query": "\ud800"}', "application/json", NOT_JSON, id="lone-surrogate"),
        pytest.param(
            QUERY, "application/json", not_an_operation("Expected `object`, got `str`"), id="string"
        ),
        pytest.param(
            "5", "application/json", not_an_operation("Expected `object`, got `int`"), id="number"
        ),
        pytest.param(
            "null", "application/json", not_an_operation("Expected `object`, got `null`"), id="null"
        ),
        pytest.param(
            "true", "application/json", not_an_operation("Expected `object`, got `bool`"), id="true"
        ),
        pytest.param(
            "[" + '{"query": ' + QUERY + "}]",
            "application/json",
            not_an_operation("Expected `object`, got `array`"),
            id="batch",
        ),
        pytest.param(
            "[1, 2]",
            "application/json",
            not_an_operation("Expected `object`, got `array`"),
            id="array-not-a-batch",
        ),
        pytest.param(
            '{"query": 5}',
            "application/json",
            not_an_operation("Expected `str | null`, got `int` - at `$.query`"),
            id="query-not-a-string",
        ),
        pytest.param(
            '{"query": ' + QUERY + ', "variables": [1]}',
            "application/json",
            not_an_operation("Expected `object | null`, got `array` - at `$.variables`"),
            id="variables-not-an-object",
        ),
        pytest.param(
            '{"query": ' + QUERY + ', "operationName": 5}',
            "application/json",
            not_an_operation("Expected `str | null`, got `int` - at `$.operationName`"),
            id="operation-name-not-a-string",
        ),
        pytest.param(
            '{"query": ' + QUERY + ', "extensions": "x"}',
            "application/json",
            not_an_operation("Expected `object | null`, got `str` - at `$.extensions`"),
            id="extensions-not-an-object",
        ),
        pytest.param(
            '{"query": ' + QUERY + ', "variables": {"n": 1' + "0" * 5000 + "}}",
            "application/json",
            not_an_operation("Integer value out of range - at `$.variables[...]`"),
            id="a-5000-digit-number",
        ),
        pytest.param(
            nested(1_000), "application/json", "The body is nested too deeply", id="nested-1000"
        ),
        pytest.param(
            nested(100_000), "application/json", "The body is nested too deeply", id="nested-100000"
        ),
        pytest.param(
            '{"variables": {}}',
            "application/json",
            "No GraphQL query found in the request",
            id="no-query",
        ),
        pytest.param(
            "{ labourMarketRegions { code } }",
            "text/plain",
            "Send GraphQL operations by POST as application/json",
            id="text-plain",
        ),
        pytest.param(
            "query={ labourMarketRegions { code } }",
            "application/x-www-form-urlencoded",
            "Send GraphQL operations by POST as application/json",
            id="form",
        ),
    ],
)
async def test_requests_that_are_not_graphql_operations_get_typed_400s(
    http: AsyncTestClient[Any], content: str | bytes, content_type: str, message: str
) -> None:
    response = await http.post("/graphql", content=content, headers={"content-type": content_type})
    assert assert_typed_refusal(response, 400) == [message]


async def test_operations_cannot_be_sent_by_get(http: AsyncTestClient[Any]) -> None:
    response = await http.get("/graphql", params={"query": "{ labourMarketRegions { code } }"})
    assert_typed_refusal(response, 400)


async def test_graphiql_is_off_outside_debug(http: AsyncTestClient[Any]) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert_typed_refusal(response, 404, "NOT_FOUND")


async def test_graphiql_is_served_in_debug(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, debug=True))
    async with AsyncTestClient(app=app) as http:
        response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_a_variable_of_the_wrong_type_is_refused(gql: GraphQLClient) -> None:
    result = await gql(
        "query($region: String) { municipalities(regionCode: $region) { code } }",
        {"region": 5},
    )
    assert result.data is None
    assert result.error_codes == [BAD_USER_INPUT]


async def test_a_missing_required_variable_is_refused(gql: GraphQLClient) -> None:
    result = await gql(
        "mutation($email: String!, $password: String!) {"
        " login(email: $email, password: $password) { token } }",
        {"email": "someone@example.test"},
    )
    assert result.error_codes == [BAD_USER_INPUT]


async def test_unknown_fields_are_refused_without_suggestions(gql: GraphQLClient) -> None:
    result = await gql("{ labourMarketRegion { code } }")
    assert result.error_codes == [BAD_USER_INPUT]
    assert result.errors[0]["message"] == "Cannot query field 'labourMarketRegion' on type 'Query'."


async def test_debug_mode_suggests_field_names(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, debug=True))
    async with AsyncTestClient(app=app) as http:
        result = await GraphQLClient(http)("{ labourMarketRegion { code } }")
    assert result.error_codes == [BAD_USER_INPUT]
    assert "Did you mean 'labourMarketRegions'?" in result.errors[0]["message"]


async def test_unsupported_operation_types_are_refused(gql: GraphQLClient) -> None:
    result = await gql("subscription { labourMarketRegions { code } }")
    assert result.error_codes == [BAD_USER_INPUT]


async def test_syntax_errors_are_refused(gql: GraphQLClient) -> None:
    result = await gql("{ labourMarketRegions { code }")
    assert result.error_codes == [BAD_USER_INPUT]
    assert result.errors[0]["message"].startswith("Syntax Error")


async def test_a_10_kb_string_argument_is_answered(gql: GraphQLClient) -> None:
    assert (await gql(f'{{ municipalities(regionCode: "{TEN_KB}") {{ code }} }}')).ok() == {
        "municipalities": []
    }
    result = await gql(
        "mutation($input: RegisterInput!) { register(input: $input) { id } }",
        {
            "input": {
                "email": f"{TEN_KB}@example.test",
                "password": TEN_KB,
                "displayName": TEN_KB,
                "preferredLanguage": TEN_KB,
            }
        },
    )
    assert result.data is None
    assert result.error_codes == [BAD_USER_INPUT]


async def test_an_unexpected_failure_in_a_resolver_is_masked(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("connection to 10.0.0.7 lost while running SELECT * FROM users")

    monkeypatch.setattr(geo_service, "list_regions", broken)

    result = await gql("{ labourMarketRegions { code } }")

    assert result.status == 200
    assert result.data is None
    assert result.errors == [
        {
            "message": "Unexpected error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["labourMarketRegions"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
    # Operators still get the whole story, in the log.
    assert "SELECT * FROM users" in capsys.readouterr().err
