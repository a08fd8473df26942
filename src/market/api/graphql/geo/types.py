from __future__ import annotations

import strawberry

from market.geo import models


@strawberry.type(description="A labour-market region (arbeidsmarktregio), e.g. AM01 Groningen.")
class LabourMarketRegion:
    code: str
    name: str
    population: int
    provinces: list[str]

    @classmethod
    def of(cls, row: models.LabourMarketRegion) -> LabourMarketRegion:
        return cls(
            code=row.code,
            name=row.name,
            population=row.population,
            provinces=row.provinces.split("|"),
        )


@strawberry.type(description="A Dutch municipality (gemeente) with its CBS code, e.g. GM0363.")
class Municipality:
    code: str
    name: str
    province: str
    region_code: str
    population: int
    latitude: float
    longitude: float

    @classmethod
    def of(cls, row: models.Municipality) -> Municipality:
        return cls(
            code=row.cbs_code,
            name=row.name,
            province=row.province,
            region_code=row.region_code,
            population=row.population,
            latitude=row.latitude,
            longitude=row.longitude,
        )
