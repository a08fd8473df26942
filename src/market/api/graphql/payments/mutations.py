from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.payments.types import (
    PaymentAccount,
    PaymentInstructions,
    PaymentOnboarding,
    PaymentStatus,
)
from market.payments import service


@strawberry.type
class PaymentsMutation:
    @strawberry.mutation(
        description="The learner: how to pay their held booking online (card or iDEAL). "
        "Asking again gives the same payment back, never a second charge."
    )
    async def prepare_payment(
        self, info: Info, enrollment_id: strawberry.ID
    ) -> PaymentInstructions:
        enrollment = ids.decode("Enrollment", enrollment_id, field="enrollmentId")
        async with info.context.transaction() as session:
            given = await service.prepare_payment(
                session, info.context.actor, info.context.payments, enrollment
            )
        return PaymentInstructions.of(given)

    @strawberry.mutation(
        description="The learner, back from paying (the return page): asks Stripe how the "
        "payment stands and confirms the booking if it was paid. Safe to repeat."
    )
    async def confirm_payment(self, info: Info, enrollment_id: strawberry.ID) -> PaymentStatus:
        enrollment = ids.decode("Enrollment", enrollment_id, field="enrollmentId")
        async with info.context.transaction() as session:
            status = await service.confirm_payment(
                session, info.context.actor, info.context.payments, enrollment
            )
            answer = PaymentStatus.of(status)
        return answer

    @strawberry.mutation(
        description="The provider's owner (or a platform admin): set up online payment. "
        "Creates the provider's Stripe account once and answers a fresh onboarding link."
    )
    async def start_payment_onboarding(
        self, info: Info, provider_id: strawberry.ID
    ) -> PaymentOnboarding:
        provider = ids.decode("Provider", provider_id, field="providerId")
        async with info.context.transaction() as session:
            onboarding = await service.start_onboarding(
                session, info.context.actor, info.context.payments, provider
            )
            answer = PaymentOnboarding(
                url=onboarding.url, account=PaymentAccount.of(onboarding.account)
            )
        return answer
