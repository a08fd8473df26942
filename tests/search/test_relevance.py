"""Text search on PostgreSQL: a phrase matches by all its stems; under RELEVANCE, matches by
word stem come before matches by a similar (typo'd) word, and within each the soonest start,
then the cheapest. (Meilisearch ranks by its own rules, which the contract leaves free.)"""

from __future__ import annotations

from datetime import timedelta

from market.db.database import Database
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

SEARCH = """
query($query: String) {
  searchCourses(query: $query, sort: RELEVANCE) { nodes { course { title } } }
}
"""


async def test_stem_matches_rank_before_typo_matches(db: Database, gql: GraphQLClient) -> None:
    provider = await add_provider(db, name="Leerhuis Voorbeeld")
    location = await add_location(db, provider)
    # The typo'd title starts sooner and is cheaper: by the default order alone it leads.
    typo = await add_course(db, provider, title="Taalcursus Nederlnds", price_cents=100_000)
    await add_intake(db, typo, location, starts_on=today() + timedelta(days=7))
    later = await add_course(db, provider, title="Cursus Nederlands", price_cents=500_000)
    await add_intake(db, later, location, starts_on=today() + timedelta(days=70))
    sooner = await add_course(db, provider, title="Nederlands voor werk", price_cents=900_000)
    await add_intake(db, sooner, location, starts_on=today() + timedelta(days=14))

    nodes = (await gql(SEARCH, {"query": "nederlands"})).ok()["searchCourses"]["nodes"]

    assert [node["course"]["title"] for node in nodes] == [
        "Nederlands voor werk",
        "Cursus Nederlands",
        "Taalcursus Nederlnds",
    ]


async def test_a_synonym_phrase_matches_by_all_its_stems_in_any_order(
    db: Database, gql: GraphQLClient
) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    scattered = await add_course(
        db, provider, title="Taal voor werk", description="Taal op de tweede plaats: Nederlands."
    )
    await add_intake(db, scattered, location, starts_on=today() + timedelta(days=7))
    partial = await add_course(db, provider, title="Tweede kans", description="Rekenen.")
    await add_intake(db, partial, location, starts_on=today() + timedelta(days=7))

    # "nt2" stands for "Nederlands als tweede taal": every stem must be there, adjacent or not.
    nodes = (await gql(SEARCH, {"query": "NT2"})).ok()["searchCourses"]["nodes"]

    assert [node["course"]["title"] for node in nodes] == ["Taal voor werk"]
