from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.payments.types import PaymentAccount
from market.payments import service


@strawberry.type
class PaymentsQuery:
    @strawberry.field(
        description="Provider staff and platform admins: the provider's Stripe account; null "
        "for anyone else, and for a provider that has none yet."
    )
    async def payment_account(
        self, info: Info, provider_id: strawberry.ID
    ) -> PaymentAccount | None:
        provider = ids.lookup("Provider", provider_id, field="providerId")
        if provider is None:
            return None
        async with info.context.reader() as session:
            row = await service.payment_account(session, info.context.actor, provider)
        return None if row is None else PaymentAccount.of(row)
