"""What the market offers in some regions on one route: figures for buyers drafting a
tender (its ceiling price and volumes), aggregated over the listed courses and their
upcoming intakes at locations in the regions.

Aggregates only: where fewer than `MIN_PROVIDERS` certified providers stand behind the
figures, only their number is given, since a median over one or two schools is their
own price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import (
    Course,
    CourseStatus,
    Intake,
    Level,
    Location,
    ProviderProfile,
    Route,
    Stream,
)
from market.catalog.policies import certified, local_today
from market.geo.models import Municipality

MIN_PROVIDERS = 3


@dataclass(frozen=True, slots=True)
class MarketFigures:
    certified_providers: int
    # None where fewer than MIN_PROVIDERS providers stand behind them.
    courses: int | None
    median_price_per_hour_cents: int | None
    seats_on_offer: int | None
    median_wait_weeks: int | None

    @property
    def withheld(self) -> bool:
        return self.courses is None


async def market_figures(
    session: AsyncSession,
    route: Route,
    region_codes: Sequence[str],
    *,
    level: Level | None = None,
    stream: Stream | None = None,
) -> MarketFigures:
    """Certified providers offering the route (at the level or in the stream, if given) at
    a location in the regions, with the median price per lesson hour of their courses,
    the seats free on their upcoming intakes and the median wait a learner booking one
    today can expect (the availability rule, waitlist queues included)."""
    today = local_today()
    offer = (
        select(
            Course.id.label("course_id"),
            Course.provider_id,
            Course.price_per_hour_cents,
            Intake.seat_capacity,
            Intake.seats_taken,
            func.intake_wait_weeks(
                func.intake_expected_start(
                    Intake.starts_on,
                    func.intake_delay_days(
                        Intake.seat_capacity,
                        Intake.seats_taken,
                        Intake.waitlist_weeks,
                        Intake.queue_length,
                    ),
                    today,
                ),
                today,
            ).label("wait_weeks"),
        )
        .join(Intake, Intake.course_id == Course.id)
        .join(Location, Location.id == Intake.location_id)
        .join(Municipality, Municipality.cbs_code == Location.municipality_code)
        .join(ProviderProfile, ProviderProfile.organisation_id == Course.provider_id)
        .where(
            Course.status == CourseStatus.PUBLISHED,
            Course.route == route,
            Municipality.region_code.in_(region_codes),
            certified(today),
            (Intake.starts_on.is_(None)) | (Intake.starts_on >= today),
        )
    )
    if level is not None:
        offer = offer.where(Course.target_level == level)
    if stream is not None:
        offer = offer.where(Course.stream == stream)
    rows = offer.cte("offer")
    courses = select(rows.c.course_id, rows.c.price_per_hour_cents).distinct().cte("courses")
    median = func.percentile_cont(0.5).within_group
    figures = (
        await session.execute(
            select(
                select(func.count(rows.c.provider_id.distinct())).scalar_subquery(),
                select(func.count()).select_from(courses).scalar_subquery(),
                select(
                    cast(func.round(median(courses.c.price_per_hour_cents)), Integer)
                ).scalar_subquery(),
                select(
                    func.coalesce(
                        func.sum(func.greatest(rows.c.seat_capacity - rows.c.seats_taken, 0)), 0
                    )
                ).scalar_subquery(),
                select(cast(func.ceil(median(rows.c.wait_weeks)), Integer)).scalar_subquery(),
            )
        )
    ).one()
    providers = int(figures[0])
    if providers < MIN_PROVIDERS:
        return MarketFigures(providers, None, None, None, None)
    return MarketFigures(providers, int(figures[1]), figures[2], int(figures[3]), figures[4])
