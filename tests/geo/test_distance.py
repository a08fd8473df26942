import pytest

from market.geo.distance import haversine_km


def test_amsterdam_dam_to_rotterdam_coolsingel_is_57_5_km() -> None:
    assert haversine_km(52.3731, 4.8926, 51.9225, 4.4792) == pytest.approx(57.50, abs=0.01)


def test_distance_is_symmetric_and_zero_at_the_same_point() -> None:
    there = haversine_km(53.2194, 6.5665, 50.8514, 5.6910)
    assert haversine_km(50.8514, 5.6910, 53.2194, 6.5665) == there
    assert haversine_km(52.0, 5.0, 52.0, 5.0) == 0.0


def test_one_degree_of_latitude_is_111_km() -> None:
    assert haversine_km(52.0, 5.0, 53.0, 5.0) == pytest.approx(111.195, abs=0.001)
