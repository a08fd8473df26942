"""An error's message is written in the language the request accepts (Dutch when it names
none spoken here); its reason, code and parameters stay the same for every language."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support.graphql import GraphQLClient

DEPTH = 13
TOO_DEEP = "{" + " f {" * DEPTH + " id" + " }" * DEPTH + " }"


async def test_a_graphql_error_is_written_in_the_accepted_language(gql: GraphQLClient) -> None:
    dutch = (await gql(TOO_DEEP, language="nl-NL,nl;q=0.9")).errors[0]
    english = (await gql(TOO_DEEP, language="en-GB, nl;q=0.5")).errors[0]
    unspoken = (await gql(TOO_DEEP, language="de")).errors[0]

    assert dutch["message"] == "De query is 13 niveaus diep; hoogstens 12 mag."
    assert english["message"] == "The query nests 13 levels deep; at most 12 are allowed."
    assert unspoken["message"] == dutch["message"]
    assert dutch["extensions"] == english["extensions"]
    assert english["extensions"]["reason"] == "QueryTooDeep"


async def test_a_refused_download_is_written_in_the_accepted_language(
    http: AsyncTestClient[Any],
) -> None:
    answers = {
        language: await http.get(
            "/documents/tender/no-such-document", headers={"Accept-Language": language}
        )
        for language in ("nl", "en")
    }

    assert {language: answer.status_code for language, answer in answers.items()} == {
        "nl": 404,
        "en": 404,
    }
    dutch, english = (answer.json()["errors"][0] for answer in answers.values())
    assert dutch["message"] == "Er is geen document met deze sleutel opgeslagen."
    assert english["message"] == "No document with this key is stored."
    assert (
        dutch["extensions"]
        == english["extensions"]
        == {
            "code": "NOT_FOUND",
            "reason": "DocumentNotFound",
            "field": "id",
        }
    )
