"""The shipped reference data (CBS 2025 municipalities, regions, PC4 areas) as rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from importlib import resources
from typing import Any


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("market.geo").joinpath("data", name).open(encoding="utf-8") as f:
        yield from csv.DictReader(f)


def regions() -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "population": int(r["population_2021"]),
            "provinces": r["provinces"],
        }
        for r in _rows("labour_market_regions.csv")
    ]


def municipalities() -> list[dict[str, Any]]:
    return [
        {
            "cbs_code": r["cbs_code"],
            "name": r["name"],
            "province": r["province"],
            "region_code": r["labour_market_region_code"],
            "population": int(r["population"]),
            "latitude": float(r["latitude"]),
            "longitude": float(r["longitude"]),
        }
        for r in _rows("municipalities.csv")
    ]


def postcode_areas() -> list[dict[str, Any]]:
    return [
        {
            "pc4": r["pc4"],
            "municipality_code": r["cbs_code"],
            "place": r["woonplaats"],
            "latitude": float(r["latitude"]),
            "longitude": float(r["longitude"]),
        }
        for r in _rows("postcode4.csv")
    ]
