"""Reference geography: labour-market regions, municipalities, postcode areas."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base


class LabourMarketRegion(Base):
    __tablename__ = "labour_market_regions"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)  # AM01
    name: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)
    provinces: Mapped[str] = mapped_column(String(200))  # "Drenthe|Groningen"


class Municipality(Base):
    __tablename__ = "municipalities"

    cbs_code: Mapped[str] = mapped_column(String(6), primary_key=True)  # GM0363
    name: Mapped[str] = mapped_column(String(100), index=True)
    province: Mapped[str] = mapped_column(String(50))
    region_code: Mapped[str] = mapped_column(ForeignKey("labour_market_regions.code"), index=True)
    population: Mapped[int] = mapped_column(Integer)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class PostcodeArea(Base):
    __tablename__ = "postcode_areas"

    pc4: Mapped[str] = mapped_column(String(4), primary_key=True)  # 1011
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.cbs_code"))
    place: Mapped[str] = mapped_column(String(100))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
