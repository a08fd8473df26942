from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog.inputs import (
    CreateCourseInput,
    CreateIntakeInput,
    CreateLocationInput,
    UpdateCourseInput,
    UpdateIntakeInput,
    UpdateLocationInput,
    UpdateProviderInput,
    VerifyCertificationInput,
)
from market.api.graphql.catalog.types import Course, Intake, Location, Provider
from market.api.graphql.context import Info
from market.catalog import service


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(description="Provider staff: keep the provider's profile current.")
    async def update_provider(
        self, info: Info, id: strawberry.ID, input: UpdateProviderInput
    ) -> Provider:
        provider_id = ids.decode("Provider", id)
        async with info.context.transaction() as session:
            view = await service.update_provider(
                session, info.context.actor, provider_id, input.to_changes()
            )
        return Provider.of(view)

    @strawberry.mutation(
        description="Platform admin: record a checked Blik op Werk mark, diploma recognition "
        "and stars."
    )
    async def verify_certification(
        self, info: Info, provider_id: strawberry.ID, input: VerifyCertificationInput
    ) -> Provider:
        provider = ids.decode("Provider", provider_id, field="providerId")
        async with info.context.transaction() as session:
            view = await service.verify_certification(
                session, info.context.actor, provider, input.to_changes()
            )
        return Provider.of(view)

    @strawberry.mutation(description="Provider staff: add a lesson location.")
    async def create_location(self, info: Info, input: CreateLocationInput) -> Location:
        provider_id = ids.decode("Provider", input.provider_id, field="providerId")
        async with info.context.transaction() as session:
            row = await service.create_location(
                session, info.context.actor, provider_id, input.to_spec()
            )
        return Location.of(row)

    @strawberry.mutation(description="Provider staff: change a lesson location.")
    async def update_location(
        self, info: Info, id: strawberry.ID, input: UpdateLocationInput
    ) -> Location:
        location_id = ids.decode("Location", id)
        async with info.context.transaction() as session:
            row = await service.update_location(
                session, info.context.actor, location_id, input.to_changes()
            )
        return Location.of(row)

    @strawberry.mutation(description="Provider staff: a new course, saved as a draft.")
    async def create_course(self, info: Info, input: CreateCourseInput) -> Course:
        provider_id = ids.decode("Provider", input.provider_id, field="providerId")
        async with info.context.transaction() as session:
            row = await service.create_course(
                session, info.context.actor, provider_id, input.to_spec()
            )
        return Course.of(row)

    @strawberry.mutation(description="Provider staff: change some fields of a course.")
    async def update_course(
        self, info: Info, id: strawberry.ID, input: UpdateCourseInput
    ) -> Course:
        course_id = ids.decode("Course", id)
        async with info.context.transaction() as session:
            row = await service.update_course(
                session, info.context.actor, course_id, input.to_changes()
            )
        return Course.of(row)

    @strawberry.mutation(
        description="Provider staff: make a draft visible to everyone (listed in searches "
        "once it has a bookable intake)."
    )
    async def publish_course(self, info: Info, id: strawberry.ID) -> Course:
        course_id = ids.decode("Course", id)
        async with info.context.transaction() as session:
            row = await service.publish_course(session, info.context.actor, course_id)
        return Course.of(row)

    @strawberry.mutation(description="Provider staff: withdraw a course for good (read-only).")
    async def archive_course(self, info: Info, id: strawberry.ID) -> Course:
        course_id = ids.decode("Course", id)
        async with info.context.transaction() as session:
            row = await service.archive_course(session, info.context.actor, course_id)
        return Course.of(row)

    @strawberry.mutation(description="Provider staff: a start date or continuous intake.")
    async def create_intake(self, info: Info, input: CreateIntakeInput) -> Intake:
        course_id = ids.decode("Course", input.course_id, field="courseId")
        spec = input.to_spec()
        async with info.context.transaction() as session:
            row = await service.create_intake(session, info.context.actor, course_id, spec)
        return Intake.of(row)

    @strawberry.mutation(description="Provider staff: change an intake's dates, seats, wait.")
    async def update_intake(
        self, info: Info, id: strawberry.ID, input: UpdateIntakeInput
    ) -> Intake:
        intake_id = ids.decode("Intake", id)
        changes = input.to_changes()
        async with info.context.transaction() as session:
            row = await service.update_intake(session, info.context.actor, intake_id, changes)
        return Intake.of(row)
