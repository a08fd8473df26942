"""Distances on the map: great-circle (haversine) kilometres between two points.

A sphere of the Earth's mean radius is accurate to about 0.5% across the Netherlands,
far finer than "how far is the school" needs.
"""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

# The IUGG mean radius; the search's SQL (search_chord_km, migration 0007_search_bitmaps)
# uses the same figure.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(latitude1: float, longitude1: float, latitude2: float, longitude2: float) -> float:
    """Kilometres along the Earth's surface between two points given in degrees."""
    half_chord = (
        sin(radians(latitude2 - latitude1) / 2) ** 2
        + cos(radians(latitude1))
        * cos(radians(latitude2))
        * sin(radians(longitude2 - longitude1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(half_chord)))
