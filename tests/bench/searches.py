"""The fixed mix of eight searches the benchmark runs: what learners really ask.

One named GraphQL operation, as a result page would send it: 20 hits with what a result
card shows (the course, its provider, distance, expected start, the matching intakes), the
total and the facets for the filter panel. Each search differs in text, filters and sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

SEARCH = """
query Search($query: String, $filter: CourseFilter, $sort: CourseSort) {
  searchCourses(query: $query, filter: $filter, sort: $sort, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      distanceKm
      expectedStart
      waitWeeks
      course {
        id title route targetLevel format scheduleKinds
        priceCents pricePerHourCents totalHours hoursPerWeek
        provider { name certified starRating }
      }
      matchingIntakes { id startsOn seatsAvailable }
    }
    facets { field values { value label count } }
  }
}
"""


@dataclass(frozen=True)
class Search:
    name: str
    variables: dict[str, Any]


def searches(today: date) -> list[Search]:
    in_eight_weeks = (today + timedelta(weeks=8)).isoformat()
    return [
        # Free text with a synonym ("avondles" -> evening lessons) on the B1-route.
        Search("text_avondles_b1", {"query": "avondles", "filter": {"routes": ["B1"]}}),
        # A typo: typo tolerance must still find "Nederlands".
        Search("typo_nederlnds_b1", {"query": "nederlnds", "filter": {"levels": ["B1"]}}),
        # Within 15 km of Utrecht centre, nearest first.
        Search("near_utrecht_distance", {
            "filter": {"near": {"postcode": "3511 AB", "radiusKm": 15}}, "sort": "DISTANCE"}),
        # Evening lessons in the Groot Amsterdam region, cheapest first.
        Search("evening_amsterdam_price", {
            "filter": {"evening": True, "regionCodes": ["AM18"]}, "sort": "PRICE"}),
        # B1-route at most EUR 15 per lesson hour, cheapest hour first.
        Search("b1_price_per_hour", {
            "filter": {"routes": ["B1"], "maxPricePerHourCents": 1500},
            "sort": "PRICE_PER_HOUR"}),
        # A2 starting within eight weeks, soonest first.
        Search("a2_soonest_start", {
            "filter": {"levels": ["A2"], "startsBefore": in_eight_weeks},
            "sort": "SOONEST_START"}),
        # Weekend lessons with at most four weeks of wait, shortest wait first.
        Search("weekend_short_wait", {
            "filter": {"weekend": True, "maxWaitWeeks": 4}, "sort": "SHORTEST_WAIT"}),
        # The Z-route in Rotterdam, best rated school first.
        Search("z_route_rotterdam_rating", {
            "filter": {"routes": ["Z"], "municipalityCodes": ["GM0599"]}, "sort": "RATING"}),
    ]  # fmt: skip
