"""The rating rule (market.catalog.ratings): shown averages, and the score search sorts by,
the same in Python and in SQL."""

from __future__ import annotations

import random

from sqlalchemy import text

from market.catalog.ratings import RatingSummary, rating_score
from market.db.database import Database


def test_a_few_reviews_weigh_little_and_many_nearly_their_average() -> None:
    one_five = rating_score(1, 5)
    ten_fives = rating_score(10, 50)
    fifty_at_4_8 = rating_score(50, 240)

    assert (one_five, ten_fives, fifty_at_4_8) == (3333, 4333, 4636)
    assert fifty_at_4_8 > ten_fives > one_five
    # Any review at all scores above none.
    assert rating_score(1, 1) > rating_score(0, 0) == 0


def test_the_average_shows_one_decimal_rounding_halves_up() -> None:
    assert RatingSummary(0, 0).average is None
    assert RatingSummary(2, 9).average == 4.5
    assert RatingSummary(3, 14).average == 4.7  # 4.667
    assert RatingSummary(4, 17).average == 4.3  # 4.25
    assert RatingSummary(3, 13).average == 4.3  # 4.333


async def test_sql_scores_as_python_does(db: Database) -> None:
    generator = random.Random(14)
    cases = [(0, 0), (1, 1), (1, 5), (50, 240), (400_000, 2_000_000)]
    for _ in range(1000):
        count = generator.choice([generator.randint(1, 20), generator.randint(1, 100_000)])
        cases.append((count, generator.randint(count, 5 * count)))
    async with db.reader() as session:
        rows = await session.execute(
            text(
                "SELECT rating_score(x.c, x.t)"
                " FROM unnest(CAST(:c AS int[]), CAST(:t AS int[])) WITH ORDINALITY AS x(c, t, n)"
                " ORDER BY x.n"
            ),
            {"c": [c for c, _ in cases], "t": [t for _, t in cases]},
        )
        scores = [score for (score,) in rows]

    assert scores == [rating_score(c, t) for c, t in cases]
