"""compareCourses: its types and the query (the rules live in market.catalog.compare)."""

from __future__ import annotations

from datetime import date

import strawberry

from market.api.graphql import ids as global_ids
from market.api.graphql.catalog.types import (
    Course,
    Format,
    Intake,
    Level,
    Provider,
    ScheduleKind,
    StarRating,
)
from market.api.graphql.context import Info
from market.catalog import compare, exams

ExamPart = strawberry.enum(
    exams.ExamPart, name="ExamPart", description="A part of the civic-integration exam."
)


@strawberry.type(description="One exam part and what each attempt beyond the free ones costs.")
class ExamPartFee:
    part: ExamPart  # type: ignore[valid-type]
    fee_per_further_attempt_cents: int


@strawberry.type(
    description="The exams at the course's target level. The first attempts of each part "
    "are free (paid by the government); further ones the learner pays. Fees are the "
    "platform's configured figures (see catalog/exams.py)."
)
class ExamPolicy:
    level: Level  # type: ignore[valid-type]
    free_attempts_per_part: int
    parts: list[ExamPartFee] = strawberry.field(
        description="Empty for A1 (Z-route): it ends with an interview, not an exam."
    )
    further_attempt_of_every_part_cents: int = strawberry.field(
        description="One paid attempt of every part at this level."
    )

    @classmethod
    def of(cls, policy: exams.ExamPolicy) -> ExamPolicy:
        return cls(
            level=policy.level,
            free_attempts_per_part=policy.free_attempts_per_part,
            parts=[
                ExamPartFee(part=p.part, fee_per_further_attempt_cents=p.fee_cents)
                for p in policy.parts
            ],
            further_attempt_of_every_part_cents=policy.further_attempt_of_every_part_cents,
        )


@strawberry.type(
    description="What the learner's remaining DUO loan pays of the course price (DUO pays "
    "the school directly) and what is left to pay."
)
class DuoLoanCoverage:
    covered_cents: int
    to_pay_cents: int
    reason: str | None = strawberry.field(
        description="Why the loan covers nothing (e.g. the school is not certified)."
    )

    @classmethod
    def of(cls, loan: compare.DuoLoanCoverage) -> DuoLoanCoverage:
        return cls(
            covered_cents=loan.covered_cents, to_pay_cents=loan.to_pay_cents, reason=loan.reason
        )


@strawberry.type(description="One course's measures in a comparison.")
class CourseComparison:
    course: Course
    provider: Provider
    price_cents: int = strawberry.field(description="All-in price (education is VAT-exempt).")
    price_per_hour_cents: int
    total_hours: int
    hours_per_week: int
    schedule_kinds: list[ScheduleKind]  # type: ignore[valid-type]
    format: Format  # type: ignore[valid-type]
    support_languages: list[str] = strawberry.field(
        description="ISO 639 codes of the languages the course's teachers or staff speak "
        "besides Dutch (labels: the SUPPORT_LANGUAGE facet's)."
    )
    expected_start: date | None = strawberry.field(
        description="When a learner booking today can expect to start, at the soonest "
        "bookable intake; null when none is left."
    )
    wait_weeks: int | None = strawberry.field(description="Whole weeks until expectedStart.")
    soonest_intake: Intake | None
    distance_km: float | None = strawberry.field(
        description="Km from the postcode area's centre to the nearest location of a "
        "bookable intake (0.1 km); null without a postcode or when all are online."
    )
    certified: bool = strawberry.field(description="A verified Blik op Werk mark valid today.")
    star_rating: StarRating | None  # type: ignore[valid-type]
    cancellation_terms: str
    price_includes: list[str]
    exam_training_included: bool
    exam_policy: ExamPolicy
    duo_loan: DuoLoanCoverage | None = strawberry.field(
        description="Given duoLoanRemainingCents: what that loan covers of this course."
    )

    @classmethod
    def of(cls, c: compare.Comparison) -> CourseComparison:
        course = c.course
        soonest = c.soonest
        return cls(
            course=Course.of(course),
            provider=Provider.of(c.provider),
            price_cents=course.price_cents,
            price_per_hour_cents=course.price_per_hour_cents,
            total_hours=course.total_hours,
            hours_per_week=course.hours_per_week,
            schedule_kinds=list(course.schedule_kinds),
            format=course.format,
            support_languages=list(course.support_languages),
            expected_start=soonest.availability.expected_start if soonest else None,
            wait_weeks=soonest.availability.wait_weeks if soonest else None,
            soonest_intake=Intake.of(soonest.intake) if soonest else None,
            distance_km=c.distance_km,
            certified=c.provider.certified,
            star_rating=c.provider.star_rating,
            cancellation_terms=course.cancellation_terms,
            price_includes=list(course.price_includes),
            exam_training_included=course.exam_training_included,
            exam_policy=ExamPolicy.of(c.exam_policy),
            duo_loan=DuoLoanCoverage.of(c.duo_loan) if c.duo_loan else None,
        )


@strawberry.type
class CompareQuery:
    @strawberry.field(
        description="2 to 4 different published courses side by side, in the order given. "
        "postcode: measure distances from its area; duoLoanRemainingCents (0 to 1,000,000): "
        "show what that DUO loan covers of each course."
    )
    async def compare_courses(
        self,
        info: Info,
        ids: list[strawberry.ID],
        postcode: str | None = None,
        duo_loan_remaining_cents: int | None = None,
    ) -> list[CourseComparison]:
        compare.check_count(len(ids))
        course_ids = [global_ids.decode("Course", value, field="ids") for value in ids]
        async with info.context.reader() as session:
            result = await compare.compare_courses(
                session,
                course_ids,
                postcode=postcode,
                duo_loan_remaining_cents=duo_loan_remaining_cents,
            )
        return [CourseComparison.of(c) for c in result]
