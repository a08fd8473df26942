"""The fixed mix of eight searches the benchmark runs: what learners really ask.

Each is a named GraphQL operation with its variables, asking for a page of 20 hits with
the fields a result list shows, and the facets the filter panel shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

SEARCH = """
query Search($query: String, $filter: CourseFilter, $sort: CourseSort) {
  searchCourses(query: $query, filter: $filter, sort: $sort, first: 20) {
    totalCount
    nodes {
      id
      title
      route
      targetLevel
      format
      scheduleKinds
      priceCents
      pricePerHourCents
      totalHours
      hoursPerWeek
    }
  }
}
"""


@dataclass(frozen=True)
class Search:
    name: str
    variables: dict[str, Any]


def searches(today: date) -> list[Search]:
    return [
        Search("text_b1_evening", {"query": "avondles", "filter": {"routes": ["B1"]}}),
        Search("typo_text", {"query": "nederlnds", "filter": {"levels": ["B1"]}}),
        Search("evening_region_price", {"filter": {"evening": True, "regionCodes": ["AM18"]},
                                        "sort": "PRICE"}),
        Search("z_route_municipality", {"filter": {"routes": ["Z"],
                                                   "municipalityCodes": ["GM0599"]}}),
        Search("cheap_b2_weekend", {"filter": {"levels": ["B2"], "weekend": True,
                                               "maxPriceCents": 600000}, "sort": "PRICE"}),
        Search("a2_cheapest", {"filter": {"levels": ["A2"]}, "sort": "PRICE"}),
        Search("onderwijs_any_provider", {"filter": {"routes": ["ONDERWIJS"],
                                                     "certifiedOnly": False}}),
        Search("text_schakeltraject", {"query": "schakeltraject hbo", "sort": "PRICE"}),
    ]  # fmt: skip
