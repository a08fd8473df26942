"""DUO loan invoices: their type, the loader that lists them per booking, and the school's
mutations that record them and their steps."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.dataloaders import loader
from market.payments import duo, models

DuoInvoiceState = strawberry.enum(
    models.DuoInvoiceState,
    name="DuoInvoiceState",
    description="DRAFT -> SENT (to DUO; the learner approves it in Mijn Inburgering) -> "
    "APPROVED | REJECTED; APPROVED -> PAID (DUO paid the school).",
)


@strawberry.type(description="A school's invoice to DUO for lessons given on a DUO booking.")
class DuoInvoice:
    id: strawberry.ID
    number: str
    period_start: date
    period_end: date
    amount_cents: int
    state: DuoInvoiceState  # type: ignore[valid-type]
    rejection_reason: str | None
    created_at: datetime
    sent_at: datetime | None
    decided_at: datetime | None
    paid_at: datetime | None

    @classmethod
    def of(cls, row: models.DuoInvoice) -> DuoInvoice:
        return cls(
            id=strawberry.ID(ids.encode("DuoInvoice", row.id)),
            number=row.number,
            period_start=row.period_start,
            period_end=row.period_end,
            amount_cents=row.amount_cents,
            state=row.state,
            rejection_reason=row.rejection_reason,
            created_at=row.created_at,
            sent_at=row.sent_at,
            decided_at=row.decided_at,
            paid_at=row.paid_at,
        )


def invoices(info: Info) -> DataLoader[uuid.UUID, list[models.DuoInvoice]]:
    return loader(info, "payments.duo_invoices", duo.invoices_of_enrollments, list)


@strawberry.input
class DuoInvoiceInput:
    number: str = strawberry.field(description="The school's own invoice number.")
    period_start: date
    period_end: date = strawberry.field(description="The last day of lessons it covers.")
    amount_cents: int

    def to_spec(self) -> duo.InvoiceSpec:
        return duo.InvoiceSpec(self.number, self.period_start, self.period_end, self.amount_cents)


async def _step(
    info: Info, id: strawberry.ID, target: models.DuoInvoiceState, reason: str | None = None
) -> DuoInvoice:
    invoice_id = ids.decode("DuoInvoice", id)
    async with info.context.transaction() as session:
        row = await duo.step_duo_invoice(session, info.context.actor, invoice_id, target, reason)
    return DuoInvoice.of(row)


@strawberry.type
class DuoMutation:
    @strawberry.mutation(description="Provider staff: record an invoice to DUO (a draft).")
    async def record_duo_invoice(
        self, info: Info, enrollment_id: strawberry.ID, input: DuoInvoiceInput
    ) -> DuoInvoice:
        enrollment = ids.decode("Enrollment", enrollment_id, field="enrollmentId")
        async with info.context.transaction() as session:
            row = await duo.record_duo_invoice(
                session, info.context.actor, enrollment, input.to_spec()
            )
        return DuoInvoice.of(row)

    @strawberry.mutation(description="Provider staff: the invoice was sent to DUO.")
    async def send_duo_invoice(self, info: Info, id: strawberry.ID) -> DuoInvoice:
        return await _step(info, id, models.DuoInvoiceState.SENT)

    @strawberry.mutation(description="Provider staff: the learner approved the invoice.")
    async def record_duo_invoice_approval(self, info: Info, id: strawberry.ID) -> DuoInvoice:
        return await _step(info, id, models.DuoInvoiceState.APPROVED)

    @strawberry.mutation(description="Provider staff: the learner rejected the invoice.")
    async def record_duo_invoice_rejection(
        self,
        info: Info,
        id: strawberry.ID,
        reason: Annotated[str, strawberry.argument(description="Why, as the learner said.")],
    ) -> DuoInvoice:
        return await _step(info, id, models.DuoInvoiceState.REJECTED, reason)

    @strawberry.mutation(description="Provider staff: DUO paid the invoice.")
    async def record_duo_invoice_payment(self, info: Info, id: strawberry.ID) -> DuoInvoice:
        return await _step(info, id, models.DuoInvoiceState.PAID)
