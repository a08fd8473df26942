"""GraphQL face of documents: the documents of tenders and bids as `Document`, an upload
to attach as `DocumentInput`, and `attachTenderDocument` / `removeTenderDocument` on
drafts. The bytes travel over plain HTTP (api/rest/documents.py): uploaded by
`POST /documents`, downloaded at a document's `downloadPath`."""

from __future__ import annotations

import uuid

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.tenders.types import Tender
from market.tenders import documents


@strawberry.input(
    description="A document uploaded by `POST /documents` (its `id`), attached under its "
    "own name unless another is given. An upload is attached once."
)
class DocumentInput:
    upload_id: strawberry.ID
    name: str | None = None

    def to_pair(self, field: str) -> tuple[uuid.UUID, str | None]:
        return ids.decode("DocumentUpload", self.upload_id, field=field), self.name


@strawberry.type
class DocumentsMutation:
    @strawberry.mutation(
        description="A procurement officer of the lead: attach an upload to a draft tender "
        "as its last document."
    )
    async def attach_tender_document(
        self, info: Info, tender_id: strawberry.ID, document: DocumentInput
    ) -> Tender:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        upload_id, name = document.to_pair("document.uploadId")
        async with info.context.transaction() as session:
            view = await documents.attach_to_tender(
                session, info.context.actor, tender, upload_id, name
            )
        return Tender.of(view)

    @strawberry.mutation(
        description="A procurement officer of the lead: remove a document from a draft tender."
    )
    async def remove_tender_document(self, info: Info, document_id: strawberry.ID) -> Tender:
        document = ids.decode("TenderDocument", document_id, field="documentId")
        async with info.context.transaction() as session:
            view = await documents.remove_from_tender(session, info.context.actor, document)
        return Tender.of(view)
