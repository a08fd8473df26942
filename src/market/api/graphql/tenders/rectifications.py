"""GraphQL face of a tender's corrections (rectificaties): `Tender.rectifications`, read
through a per-request DataLoader, one statement for every tender of a page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from market.api.graphql.context import Info
from market.api.graphql.dataloaders import loader
from market.tenders import corrections
from market.tenders.corrections import ChangeView, RectificationView


@strawberry.type(description="One field a correction changed, with its value before and after.")
class TenderChange:
    field: str = strawberry.field(
        description="Its path as the API names it, e.g. `lots[0].maxValueCents`."
    )
    before: JSON | None = strawberry.field(
        description="Null: the field did not exist (a list grew)."
    )
    after: JSON | None = strawberry.field(description="Null: the field no longer exists.")

    @classmethod
    def of(cls, view: ChangeView) -> TenderChange:
        return cls(field=view.field, before=view.before, after=view.after)


@strawberry.type(
    description="A correction of a published tender: the version it made, why, what changed, "
    "and the bid deadline before and after (a correction may extend it)."
)
class Rectification:
    version: int
    reason: str
    changes: list[TenderChange]
    bid_deadline_before: datetime
    bid_deadline_after: datetime
    published_at: datetime

    @classmethod
    def of(cls, view: RectificationView) -> Rectification:
        return cls(
            version=view.version,
            reason=view.reason,
            changes=[TenderChange.of(change) for change in view.changes],
            bid_deadline_before=view.bid_deadline_before,
            bid_deadline_after=view.bid_deadline_after,
            published_at=view.published_at,
        )


def tender_rectifications(info: Info) -> DataLoader[uuid.UUID, list[RectificationView]]:
    actor = info.context.actor

    async def fetch(
        session: AsyncSession, tender_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[RectificationView]]:
        return await corrections.rectifications(session, actor, tender_ids)

    return loader(info, "tenders.rectifications", fetch, list)
