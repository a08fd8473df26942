"""GraphQL face of re-tendering an unsuccessful lot: `retenderLot`."""

from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.tenders.types import Tender
from market.tenders import retender


@strawberry.type
class RetenderMutation:
    @strawberry.mutation(
        description="A procurement officer of the coalition's lead: buy an UNSUCCESSFUL lot "
        "again. One call makes a new draft tender of the coalition with a copy of the lot "
        "(route, level or stream, regions, volumes, maximum), the original's requirements, "
        "award method, criteria and contract term, `retenderOfLotId` set, and a fresh "
        "timeline: publication 5 days ahead, the later moments at the original's intervals. "
        "The other arguments replace the original's (`priceCeilingCents`: LINEAR_PRICE "
        "only). A lot is re-tendered once (unless that tender is cancelled). Retried with "
        "the same `idempotencyKey` it returns the tender the first request created."
    )
    async def retender_lot(
        self,
        info: Info,
        lot_id: strawberry.ID,
        title: str | None = None,
        max_value_cents: int | None = None,
        max_trajectories: int | None = None,
        price_ceiling_cents: int | None = None,
        idempotency_key: str | None = None,
    ) -> Tender:
        lot = ids.decode("Lot", lot_id, field="lotId")
        overrides = retender.RetenderOverrides(
            title, max_value_cents, max_trajectories, price_ceiling_cents
        )
        async with info.context.transaction() as session:
            view = await retender.retender_lot(
                session, info.context.actor, lot, overrides, idempotency_key=idempotency_key
            )
        return Tender.of(view)
