from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.enrollment.types import Enrollment, IntakeBookings, WaitlistPlace
from market.api.graphql.pagination import Connection
from market.enrollment import service
from market.kernel.pagination import PageRequest


@strawberry.type
class EnrollmentQuery:
    @strawberry.field(description="The signed-in learner's bookings, newest first.")
    async def my_enrollments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Enrollment]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        async with info.context.reader() as session:
            found = await service.my_enrollments(session, info.context.actor, page)
        return Connection.of(found, Enrollment.of)

    @strawberry.field(description="The signed-in learner's open places on waitlists.")
    async def my_waitlist_places(self, info: Info) -> list[WaitlistPlace]:
        async with info.context.reader() as session:
            rows = await service.my_waitlist_places(session, info.context.actor)
        return [WaitlistPlace.of(row) for row in rows]

    @strawberry.field(
        description="An enrollment, for its learner and its school's staff; null for anyone "
        "else, as for an id nothing has."
    )
    async def enrollment(self, info: Info, id: strawberry.ID) -> Enrollment | None:
        enrollment_id = ids.lookup("Enrollment", id)
        if enrollment_id is None:
            return None
        async with info.context.reader() as session:
            row = await service.find_enrollment(session, info.context.actor, enrollment_id)
        return None if row is None else Enrollment.of(row)

    @strawberry.field(description="Provider staff: an intake's enrollments and waitlist.")
    async def intake_bookings(self, info: Info, intake_id: strawberry.ID) -> IntakeBookings:
        intake = ids.decode("Intake", intake_id, field="intakeId")
        async with info.context.reader() as session:
            enrollments, waitlist = await service.intake_bookings(
                session, info.context.actor, intake
            )
        return IntakeBookings(
            enrollments=[Enrollment.of(row) for row in enrollments],
            waitlist=[WaitlistPlace.of(row) for row in waitlist],
        )
