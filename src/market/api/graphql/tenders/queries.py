from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.pagination import Connection
from market.api.graphql.tenders.inputs import TenderFilter
from market.api.graphql.tenders.types import Coalition, Tender
from market.kernel.pagination import PageRequest
from market.tenders import service


@strawberry.type
class TendersQuery:
    @strawberry.field(
        description="Municipality officers and evaluators: the coalitions their "
        "municipalities belong to or are invited to, newest first (platform admins: all)."
    )
    async def coalitions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Coalition]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        async with info.context.reader() as session:
            found = await service.coalitions(session, info.context.actor, page)
        return Connection.of(found, Coalition.of)

    @strawberry.field(
        description="A coalition, for its members' and invitees' officers and evaluators "
        "and platform admins; null for anyone else, as for an id nothing has."
    )
    async def coalition(self, info: Info, id: strawberry.ID) -> Coalition | None:
        coalition_id = ids.lookup("Coalition", id)
        if coalition_id is None:
            return None
        async with info.context.reader() as session:
            view = await service.find_coalition(session, info.context.actor, coalition_id)
        return None if view is None else Coalition.of(view)

    @strawberry.field(
        description="The tenders the actor sees, newest first: published ones to everyone; "
        "drafts to the procurement officers and evaluators of the coalition's members, and "
        "platform admins."
    )
    async def tenders(
        self,
        info: Info,
        filter: TenderFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Tender]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        where = service.TenderFilter() if filter is None else filter.to_filter()
        async with info.context.reader() as session:
            found = await service.tenders(session, info.context.actor, where, page)
        return Connection.of(found, Tender.of)

    @strawberry.field(
        description="A tender the actor sees (see `tenders`); null otherwise, as for an id "
        "nothing has."
    )
    async def tender(self, info: Info, id: strawberry.ID) -> Tender | None:
        tender_id = ids.lookup("Tender", id)
        if tender_id is None:
            return None
        async with info.context.reader() as session:
            view = await service.find_tender(session, info.context.actor, tender_id)
        return None if view is None else Tender.of(view)
