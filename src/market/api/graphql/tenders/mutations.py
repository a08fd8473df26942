from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.tenders.inputs import TenderInput
from market.api.graphql.tenders.types import Coalition, Tender
from market.tenders import corrections, publication, service


@strawberry.type
class TendersMutation:
    @strawberry.mutation(
        description="A municipality's procurement officer: a new coalition led by their "
        "municipality (`leadOrganisationId` only when they are an officer of several)."
    )
    async def create_coalition(
        self, info: Info, name: str, lead_organisation_id: strawberry.ID | None = None
    ) -> Coalition:
        lead = None
        if lead_organisation_id is not None:
            lead = ids.decode("Organisation", lead_organisation_id, field="leadOrganisationId")
        async with info.context.transaction() as session:
            view = await service.create_coalition(
                session, info.context.actor, name=name, lead_id=lead
            )
        return Coalition.of(view)

    @strawberry.mutation(
        description="The lead's procurement officers: invite a municipality organisation "
        "(again, after it declined)."
    )
    async def invite_coalition_member(
        self, info: Info, coalition_id: strawberry.ID, organisation_id: strawberry.ID
    ) -> Coalition:
        coalition = ids.decode("Coalition", coalition_id, field="coalitionId")
        organisation = ids.decode("Organisation", organisation_id, field="organisationId")
        async with info.context.transaction() as session:
            view = await service.invite_member(session, info.context.actor, coalition, organisation)
        return Coalition.of(view)

    @strawberry.mutation(
        description="A procurement officer of the invited municipality (`organisationId` "
        "only when they are an officer of several): join the coalition."
    )
    async def accept_coalition_invitation(
        self, info: Info, coalition_id: strawberry.ID, organisation_id: strawberry.ID | None = None
    ) -> Coalition:
        return await _answer(info, coalition_id, organisation_id, accept=True)

    @strawberry.mutation(
        description="A procurement officer of the invited municipality: decline to join."
    )
    async def decline_coalition_invitation(
        self, info: Info, coalition_id: strawberry.ID, organisation_id: strawberry.ID | None = None
    ) -> Coalition:
        return await _answer(info, coalition_id, organisation_id, accept=False)

    @strawberry.mutation(
        description="A procurement officer of the coalition's lead: a new draft tender. "
        "Retried with the same `idempotencyKey` it returns the tender the first request "
        "created; the same key with a different request is a CONFLICT."
    )
    async def create_tender(
        self,
        info: Info,
        coalition_id: strawberry.ID,
        input: TenderInput,
        idempotency_key: str | None = None,
    ) -> Tender:
        coalition = ids.decode("Coalition", coalition_id, field="coalitionId")
        draft = input.to_draft()
        async with info.context.transaction() as session:
            view = await service.create_tender(
                session, info.context.actor, coalition, draft, idempotency_key=idempotency_key
            )
        return Tender.of(view)

    @strawberry.mutation(
        description="A procurement officer of the coalition's lead. A draft: replace its "
        "fields, lots (they get new ids), requirements and criteria. A published tender, "
        "before its bid deadline: a versioned correction, with `correctionReason` (see "
        "`Tender.rectifications`): every rule of publication is checked again, the lots and "
        "criteria keep their number and ids, every party is told, and when fewer than "
        "MARKET_TENDER_CORRECTION_MIN_DAYS days would remain the bid deadline moves later "
        "(the planned award and contract start with it)."
    )
    async def update_tender(
        self,
        info: Info,
        id: strawberry.ID,
        input: TenderInput,
        correction_reason: str | None = None,
    ) -> Tender:
        tender_id = ids.decode("Tender", id)
        draft = input.to_draft()
        rules = corrections.CorrectionRules(info.context.settings.tender_correction_min_days)
        async with info.context.transaction() as session:
            view = await corrections.update_tender(
                session,
                info.context.actor,
                tender_id,
                draft,
                correction_reason=correction_reason,
                rules=rules,
            )
        return Tender.of(view)

    @strawberry.mutation(
        description="A procurement officer of the coalition's lead: publish a draft to "
        "everyone, its award method, weights and criteria frozen from then on. Refused, "
        "with the field at fault, without a maximum value for every lot, a latest end "
        "date, questions closing in time for the answers, or a bid deadline ahead. "
        "Retried with the same `idempotencyKey` it returns the tender."
    )
    async def publish_tender(
        self, info: Info, id: strawberry.ID, idempotency_key: str | None = None
    ) -> Tender:
        tender_id = ids.decode("Tender", id)
        async with info.context.transaction() as session:
            view = await publication.publish_tender(
                session, info.context.actor, tender_id, idempotency_key=idempotency_key
            )
        return Tender.of(view)

    @strawberry.mutation(
        description="A procurement officer of the coalition's lead: cancel the tender, "
        "and its lots, in any state before CONTRACTED, giving the reason."
    )
    async def cancel_tender(self, info: Info, id: strawberry.ID, reason: str) -> Tender:
        tender_id = ids.decode("Tender", id)
        async with info.context.transaction() as session:
            view = await publication.cancel_tender(session, info.context.actor, tender_id, reason)
        return Tender.of(view)


async def _answer(
    info: Info, coalition_id: strawberry.ID, organisation_id: strawberry.ID | None, *, accept: bool
) -> Coalition:
    coalition = ids.decode("Coalition", coalition_id, field="coalitionId")
    organisation = None
    if organisation_id is not None:
        organisation = ids.decode("Organisation", organisation_id, field="organisationId")
    async with info.context.transaction() as session:
        view = await service.answer_invitation(
            session, info.context.actor, coalition, organisation, accept=accept
        )
    return Coalition.of(view)
