"""GraphQL face of what follows an award decision: `registerObjection`,
`resolveObjection`, `signContract`, `exerciseExtension`; `lotObjections`,
`tenderContracts`, `myContracts`, `contracts`."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.pagination import Connection
from market.kernel.pagination import PageRequest
from market.tenders import contracts as contracting
from market.tenders import models, objections
from market.tenders.contracts import ContractView
from market.tenders.objections import ObjectionView


def _id(type_name: str, value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(ids.encode(type_name, value))


ObjectionState = models.ObjectionState
strawberry.enum(
    ObjectionState,
    name="ObjectionState",
    description="OPEN: no contract on the lot can be signed; WITHDRAWN by the provider; "
    "REJECTED; UPHELD: the lot's award decision is withdrawn.",
)


ObjectionOutcome = objections.Outcome
strawberry.enum(
    ObjectionOutcome,
    name="ObjectionOutcome",
    description="How a lead procurement officer resolves an objection.",
)


@strawberry.type(
    description="An objection against a lot's award decision. Read by the lead's "
    "procurement officers and the objecting provider's staff."
)
class Objection:
    id: strawberry.ID
    tender_id: strawberry.ID
    lot_id: strawberry.ID
    lot_number: int
    provider_id: strawberry.ID
    provider_name: str
    text: str
    state: ObjectionState
    registered_at: datetime
    resolution: str | None = strawberry.field(description="Null while open.")
    resolved_at: datetime | None

    @classmethod
    def of(cls, view: ObjectionView) -> Objection:
        return cls(
            id=_id("Objection", view.id),
            tender_id=_id("Tender", view.tender_id),
            lot_id=_id("Lot", view.lot_id),
            lot_number=view.lot_number,
            provider_id=_id("Organisation", view.provider_id),
            provider_name=view.provider_name,
            text=view.text,
            state=view.state,
            registered_at=view.registered_at,
            resolution=view.resolution,
            resolved_at=view.resolved_at,
        )


@strawberry.type(
    description="A member municipality's own contract with the winner of a lot: its own "
    "learners a year, at the winning price per trajectory. Read by the coalition's "
    "procurement officers and evaluators, the supplier's staff and platform admins."
)
class Contract:
    id: strawberry.ID
    tender_id: strawberry.ID
    tender_title: str
    lot_id: strawberry.ID
    lot_number: int
    lot_title: str
    buyer_id: strawberry.ID
    buyer_name: str
    supplier_id: strawberry.ID
    supplier_name: str
    learners_per_year: int
    price_cents: int = strawberry.field(description="Per trajectory, as bid.")
    starts_on: date
    ends_on: date = strawberry.field(description="Its last day, extensions taken included.")
    latest_end_date: date
    extensions_exercised: int
    extensions_left: list[int] = strawberry.field(
        description="The months of the options not yet exercised, in the order they come."
    )
    signed_at: datetime

    @classmethod
    def of(cls, view: ContractView) -> Contract:
        return cls(
            id=_id("Contract", view.id),
            tender_id=_id("Tender", view.tender_id),
            tender_title=view.tender_title,
            lot_id=_id("Lot", view.lot_id),
            lot_number=view.lot_number,
            lot_title=view.lot_title,
            buyer_id=_id("Organisation", view.buyer_id),
            buyer_name=view.buyer_name,
            supplier_id=_id("Organisation", view.supplier_id),
            supplier_name=view.supplier_name,
            learners_per_year=view.learners_per_year,
            price_cents=view.price_cents,
            starts_on=view.starts_on,
            ends_on=view.ends_on,
            latest_end_date=view.latest_end_date,
            extensions_exercised=view.extensions_exercised,
            extensions_left=list(view.extensions_left),
            signed_at=view.signed_at,
        )


def _optional(type_name: str, value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return None if value is None else ids.decode(type_name, value, field=field)


@strawberry.type
class ContractsMutation:
    @strawberry.mutation(
        description="Staff of a provider that bid on the lot, during the standstill; or a "
        "procurement officer of the lead registering one received on paper (naming "
        "`providerId`, until the first contract on the lot is signed): an objection "
        "against the lot's award decision. While it is open no contract on the lot is signed."
    )
    async def register_objection(
        self, info: Info, lot_id: strawberry.ID, text: str, provider_id: strawberry.ID | None = None
    ) -> Objection:
        lot = ids.decode("Lot", lot_id, field="lotId")
        provider = _optional("Organisation", provider_id, "providerId")
        async with info.context.transaction() as session:
            view = await objections.register_objection(
                session, info.context.actor, lot, text, provider_id=provider
            )
        return Objection.of(view)

    @strawberry.mutation(
        description="A procurement officer of the lead: resolve an open objection. UPHELD "
        "withdraws the lot's award decision: the lot is ACTIVE again and the tender "
        "EVALUATED, to decide the award anew."
    )
    async def resolve_objection(
        self,
        info: Info,
        objection_id: strawberry.ID,
        outcome: ObjectionOutcome,
        resolution: str,
    ) -> Objection:
        objection = ids.decode("Objection", objection_id, field="objectionId")
        async with info.context.transaction() as session:
            view = await objections.resolve_objection(
                session,
                info.context.actor,
                objection,
                outcome,
                resolution,
            )
        return Objection.of(view)

    @strawberry.mutation(
        description="A procurement officer of a member municipality with volume in the lot "
        "(`municipalityId` only when they are an officer of several): sign its own contract "
        "with the lot's winner. Refused before the standstill ends, while an objection on "
        "the lot is open, and a second time."
    )
    async def sign_contract(
        self, info: Info, lot_id: strawberry.ID, municipality_id: strawberry.ID | None = None
    ) -> Contract:
        lot = ids.decode("Lot", lot_id, field="lotId")
        municipality = _optional("Organisation", municipality_id, "municipalityId")
        async with info.context.transaction() as session:
            view = await contracting.sign_contract(session, info.context.actor, lot, municipality)
        return Contract.of(view)

    @strawberry.mutation(
        description="A procurement officer of the contract's buyer: exercise its next "
        "extension option while it runs, never past its latest end date."
    )
    async def exercise_extension(self, info: Info, contract_id: strawberry.ID) -> Contract:
        contract = ids.decode("Contract", contract_id, field="contractId")
        async with info.context.transaction() as session:
            view = await contracting.exercise_extension(session, info.context.actor, contract)
        return Contract.of(view)


@strawberry.type
class ContractsQuery:
    @strawberry.field(
        description="The objections on a lot: all of them for the lead's procurement "
        "officers, its own for a provider's staff, none for anyone else. Oldest first."
    )
    async def lot_objections(self, info: Info, lot_id: strawberry.ID) -> list[Objection]:
        lot = ids.decode("Lot", lot_id, field="lotId")
        async with info.context.reader() as session:
            views = await objections.lot_objections(session, info.context.actor, lot)
        return [Objection.of(view) for view in views]

    @strawberry.field(
        description="The contracts of a tender, or of one of its lots, by lot and buyer: "
        "all of them for the coalition's procurement officers and evaluators and platform "
        "admins, its own for the supplier's staff, none for anyone else."
    )
    async def tender_contracts(
        self, info: Info, tender_id: strawberry.ID, lot_id: strawberry.ID | None = None
    ) -> list[Contract]:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        lot = _optional("Lot", lot_id, "lotId")
        async with info.context.reader() as session:
            views = await contracting.tender_contracts(session, info.context.actor, tender, lot)
        return [Contract.of(view) for view in views]

    @strawberry.field(
        description="Provider staff: the contracts their providers won, newest first."
    )
    async def my_contracts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Contract]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        async with info.context.reader() as session:
            found = await contracting.my_contracts(session, info.context.actor, page)
        return Connection.of(found, Contract.of)

    @strawberry.field(
        description="Municipality procurement officers and evaluators: the contracts their "
        "municipalities signed as buyer, newest first."
    )
    async def contracts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Contract]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        async with info.context.reader() as session:
            found = await contracting.municipality_contracts(session, info.context.actor, page)
        return Connection.of(found, Contract.of)
