"""Reading the reference geography, and placing a postcode on the map."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.db import driver
from market.geo.errors import (
    MalformedPostcode,
    UnknownMunicipality,
    UnknownPostcode,
    UnknownRegion,
)
from market.geo.models import LabourMarketRegion, Municipality, PostcodeArea

# 1011 AB, 1011AB, 1011 ab or just the four digits; no leading zero in Dutch postcodes.
_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})?\s*$")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a postcode lies: its area's centroid, or the municipality's if unknown."""

    pc4: str
    municipality_code: str
    latitude: float
    longitude: float


def normalise_postcode(text: str, *, field: str = "postcode") -> str:
    """'1011ab' -> '1011 AB'; '1011' stays '1011'. Raises MalformedPostcode."""
    match = _POSTCODE.match(text) if len(text) <= 12 else None
    if not match:
        raise MalformedPostcode(field=field)
    digits, letters = match.groups()
    return f"{digits} {letters.upper()}" if letters else digits


async def list_regions(session: AsyncSession) -> Sequence[LabourMarketRegion]:
    return (
        await session.scalars(select(LabourMarketRegion).order_by(LabourMarketRegion.code))
    ).all()


async def list_municipalities(
    session: AsyncSession, *, region_code: str | None = None
) -> Sequence[Municipality]:
    query = select(Municipality).order_by(Municipality.name)
    if region_code is not None:
        query = query.where(Municipality.region_code == region_code)
    return (await session.scalars(query)).all()


async def municipalities_by_code(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, Municipality]:
    """The municipalities of these CBS codes (unknown codes are simply absent)."""
    rows = await session.scalars(select(Municipality).where(Municipality.cbs_code.in_(codes)))
    return {row.cbs_code: row for row in rows}


async def get_municipality(
    session: AsyncSession, cbs_code: str, *, field: str = "municipalityCode"
) -> Municipality:
    municipality = await session.get(Municipality, cbs_code.strip().upper())
    if municipality is None:
        raise UnknownMunicipality(field=field)
    return municipality


async def locate_postcode(
    reader: driver.Reader, postcode: str, *, field: str = "postcode"
) -> Place:
    """The centroid of the postcode's PC4 area; raises UnknownPostcode if it has none."""
    pc4 = normalise_postcode(postcode, field=field)[:4]
    place = _PLACES.get(pc4)
    if place is None:
        rows = await driver.fetch(reader, _AREA, _AREA.arguments({"pc4": pc4}))
        if not rows:
            raise UnknownPostcode(field=field)
        [(municipality_code, latitude, longitude)] = rows
        place = _PLACES[pc4] = Place(pc4, municipality_code, latitude, longitude)
    return place


async def check_regions(reader: driver.Reader, codes: Sequence[str], *, field: str) -> None:
    """Raises UnknownRegion unless every code names a labour-market region."""
    if codes and not set(codes) <= (await _named(reader, _REGIONS)).keys():
        raise UnknownRegion(field=field)


async def check_municipalities(reader: driver.Reader, codes: Sequence[str], *, field: str) -> None:
    """Raises UnknownMunicipality unless every code names a municipality."""
    if codes and not set(codes) <= (await _named(reader, _MUNICIPALITIES)).keys():
        raise UnknownMunicipality(field=field)


async def region_names(reader: driver.Reader, codes: Sequence[str]) -> dict[str, str]:
    """The names of the labour-market regions these codes name (unknown codes left out)."""
    names = await _named(reader, _REGIONS) if codes else {}
    return {code: names[code] for code in codes if code in names}


async def municipality_names(reader: driver.Reader, codes: Sequence[str]) -> dict[str, str]:
    """The names of the municipalities these CBS codes name (unknown codes left out)."""
    names = await _named(reader, _MUNICIPALITIES) if codes else {}
    return {code: names[code] for code in codes if code in names}


async def _named(reader: driver.Reader, listing: driver.Statement) -> dict[str, str]:
    known = _KNOWN.get(listing.sql)
    if known is None:
        rows = await driver.fetch(reader, listing, ())
        known = _KNOWN[listing.sql] = {code: name for code, name in rows}
    return known


# Regions, municipalities and postcode areas are reference data that only migrations write
# (0001_geo): what is read of them holds for the life of the process, and a search that
# names a place spares a round trip. The codes with their names (35 regions, 342
# municipalities) by the statement that lists them; the postcode areas as they are asked
# for (some 4,000 at most).
_KNOWN: dict[str, dict[str, str]] = {}
_PLACES: dict[str, Place] = {}
_REGIONS = driver.Statement.of(select(LabourMarketRegion.code, LabourMarketRegion.name))
_MUNICIPALITIES = driver.Statement.of(select(Municipality.cbs_code, Municipality.name))
_AREA = driver.Statement.of(
    select(PostcodeArea.municipality_code, PostcodeArea.latitude, PostcodeArea.longitude).where(
        PostcodeArea.pc4 == bindparam("pc4")
    )
)
