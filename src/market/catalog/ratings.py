"""Learners' ratings of a course or provider as shown and as search sorts by them.

A course keeps the number of its visible reviews and the sum of their ratings (1 to 5) on
its own row (`Course.rating_count`, `Course.rating_sum`); a provider's are the sums over
its courses. Shown: the average to one decimal (halves up) and the count.

Sorted (`searchCourses(sort: RATING)`), by a Bayesian average: the ratings together with
PRIOR_WEIGHT imagined ratings of PRIOR_MEAN (the scale's middle), so a few reviews weigh
little and many weigh nearly their plain average. One 5-star review scores 3.33, ten score
4.33, fifty reviews averaging 4.8 score 4.64: the fifty come first. A course without
reviews has score 0 and comes after every reviewed one, whatever its score; Blik op Werk
stars (the official signal) break ties, then the course id. The score is an integer in
thousandths, computed the same way here and in SQL (`rating_score` in sql/ratings.sql,
which search's rows store), so both search engines order alike.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_RATING = 1
MAX_RATING = 5
PRIOR_MEAN = 3
PRIOR_WEIGHT = 5


def rating_score(count: int, total: int) -> int:
    """The Bayesian average of `count` ratings summing to `total`, in thousandths (rounded
    half up); 0 without ratings. Twin of SQL `rating_score(count, total)`."""
    if count <= 0:
        return 0
    weight = PRIOR_WEIGHT + count
    return (1000 * (PRIOR_WEIGHT * PRIOR_MEAN + total) + weight // 2) // weight


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """The visible reviews' number and the sum of their ratings."""

    count: int = 0
    total: int = 0

    @property
    def average(self) -> float | None:
        """The plain average to one decimal, halves rounded up; None without reviews."""
        if self.count <= 0:
            return None
        return ((20 * self.total + self.count) // (2 * self.count)) / 10

    @property
    def score(self) -> int:
        return rating_score(self.count, self.total)
