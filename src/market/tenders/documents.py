"""Documents of tenders and bids: received once, attached by their uploader.

A document arrives by itself (`POST /documents`, streamed into the FileStore: at most
MARKET_MAX_DOCUMENT_BYTES, its type checked by its content) and waits as an upload; its
uploader then attaches it, to a bid (submitBid) or to a draft tender
(attachTenderDocument). A GraphQL request thus stays small whatever the documents weigh,
and a large document is never held in memory or in base64.

An upload is attached at most once and only by whoever uploaded it. One left unattached
for UPLOAD_LIFETIME is forgotten (`forget_abandoned`, an hourly job), and its content
removed once no upload or document names its key: the store keeps one copy of equal
bytes, so a key may be shared. A transaction-scoped advisory lock per key keeps that
check and a new upload of the same bytes apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import errors as catalog_errors
from market.files import FileStore, StoredFile
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor
from market.tenders import audit, errors, service
from market.tenders.models import BidDocument, DocumentUpload, Tender, TenderDocument
from market.tenders.policies import TenderState, trimmed_text

UPLOAD_LIFETIME = timedelta(days=1)
# Uploads a user may have waiting at once: enough for a bid's or a tender's documents,
# few enough that nobody fills the disk with unattached ones.
MAX_PENDING_UPLOADS = 50
MAX_NAME_LENGTH = 200
MAX_TENDER_DOCUMENTS = 30
# Who may upload: the staff who bid, and the procurement officers who draft tenders.
PROVIDER_ROLES = (Role.OWNER, Role.EDITOR)
MUNICIPAL_ROLES = (Role.PROCUREMENT_OFFICER,)


@dataclass(frozen=True, slots=True)
class UploadView:
    id: uuid.UUID
    name: str
    sha256: str
    size: int
    media_type: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    """An upload taken for a document: what the document's row keeps."""

    name: str
    key: str
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True, slots=True)
class Download:
    name: str
    key: str
    size: int
    media_type: str


async def _lock_key(session: AsyncSession, key: str) -> None:
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def admit(session: AsyncSession, actor: Actor, name: str) -> str:
    """Whether the actor may upload now: the trimmed name when they may. Checked before
    the content is read, so a refused upload is not even received; two uploads racing
    past the count at once can only add their own few."""
    user_id = actor.require_user()
    if not (
        actor.organisations(OrganisationKind.PROVIDER, PROVIDER_ROLES)
        or actor.organisations(OrganisationKind.MUNICIPALITY, MUNICIPAL_ROLES)
    ):
        raise errors.NotAllowedToUpload()
    name = trimmed_text(name, MAX_NAME_LENGTH, "name")
    pending = await session.scalar(
        select(func.count()).where(
            DocumentUpload.uploaded_by == user_id,
            DocumentUpload.created_at > func.now() - UPLOAD_LIFETIME,
        )
    )
    if pending is not None and pending >= MAX_PENDING_UPLOADS:
        raise errors.TooManyPendingUploads(limit=MAX_PENDING_UPLOADS)
    return name


async def receive(
    session: AsyncSession, actor: Actor, store: FileStore, stored: StoredFile, name: str
) -> UploadView:
    """Records what the store received (`store.put`, outside any transaction: a slow
    upload holds no connection) as the actor's upload, named as `admit` returned."""
    user_id = actor.require_user()
    await _lock_key(session, stored.key)
    # Forgetting an abandoned upload of the same bytes may have removed them meanwhile.
    if not await store.exists(stored.key):
        raise errors.UploadInterrupted()
    upload = DocumentUpload(
        id=uuid.uuid4(),
        name=name,
        key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        media_type=stored.media_type,
        uploaded_by=user_id,
    )
    session.add(upload)
    await session.flush()
    await session.refresh(upload)
    return UploadView(
        upload.id,
        upload.name,
        upload.sha256,
        upload.size,
        upload.media_type,
        upload.created_at + UPLOAD_LIFETIME,
    )


async def take(
    session: AsyncSession,
    actor: Actor,
    uploads: Sequence[tuple[uuid.UUID, str | None]],
    *,
    field: str,
) -> list[Attachment]:
    """The actor's own waiting uploads, each with the name given (else its own), in the
    order given; consumed: an upload is attached once. UploadNotFound names the entry
    whose upload is unknown, another's, already attached or forgotten."""
    user_id = actor.require_user()
    upload_ids = [upload_id for upload_id, _ in uploads]
    if len(set(upload_ids)) < len(upload_ids):
        raise catalog_errors.DuplicateItems(field=field)
    found = {
        upload.id: upload
        for upload in await session.scalars(
            select(DocumentUpload)
            .where(
                DocumentUpload.id.in_(upload_ids),
                DocumentUpload.uploaded_by == user_id,
                DocumentUpload.created_at > func.now() - UPLOAD_LIFETIME,
            )
            .with_for_update()
        )
    }
    taken = []
    for i, (upload_id, name) in enumerate(uploads):
        upload = found.get(upload_id)
        if upload is None:
            raise errors.UploadNotFound(field=f"{field}[{i}].uploadId")
        given = upload.name if name is None else name
        taken.append(
            Attachment(
                trimmed_text(given, MAX_NAME_LENGTH, f"{field}[{i}].name"),
                upload.key,
                upload.sha256,
                upload.size,
                upload.media_type,
            )
        )
    await session.execute(delete(DocumentUpload).where(DocumentUpload.id.in_(upload_ids)))
    return taken


# -- a tender's own documents ----------------------------------------------------------------


async def attach_to_tender(
    session: AsyncSession,
    actor: Actor,
    tender_id: uuid.UUID,
    upload_id: uuid.UUID,
    name: str | None = None,
) -> service.TenderView:
    """A procurement officer of the lead attaches an upload to a draft, as its last
    document."""
    tender, _ = await service.lead_tender_for_update(session, actor, tender_id)
    if tender.state is not TenderState.DRAFT:
        raise errors.TenderNotDraft(field="tenderId")
    count = await session.scalar(select(func.count()).where(TenderDocument.tender_id == tender.id))
    if count is not None and count >= MAX_TENDER_DOCUMENTS:
        raise catalog_errors.TooManyItems(MAX_TENDER_DOCUMENTS, field="uploadId")
    (attachment,) = await take(session, actor, [(upload_id, name)], field="documents")
    last = await session.scalar(
        select(func.coalesce(func.max(TenderDocument.position), 0)).where(
            TenderDocument.tender_id == tender.id
        )
    )
    session.add(
        TenderDocument(
            tender_id=tender.id,
            position=(last or 0) + 1,
            name=attachment.name,
            key=attachment.key,
            sha256=attachment.sha256,
            size=attachment.size,
            media_type=attachment.media_type,
            added_by=actor.user_id,
        )
    )
    return await _recorded(session, actor, tender.id, "tender.document_attached")


async def remove_from_tender(
    session: AsyncSession, actor: Actor, document_id: uuid.UUID
) -> service.TenderView:
    """A procurement officer of the lead removes a document from a draft. Its content
    stays in the store: the audit trail's past versions name it."""
    tender_id = await session.scalar(
        select(TenderDocument.tender_id).where(TenderDocument.id == document_id)
    )
    if tender_id is None:
        raise errors.TenderDocumentNotFound(field="documentId")
    tender, _ = await service.lead_tender_for_update(session, actor, tender_id)
    if tender.state is not TenderState.DRAFT:
        raise errors.TenderNotDraft(field="documentId")
    await session.execute(delete(TenderDocument).where(TenderDocument.id == document_id))
    return await _recorded(session, actor, tender.id, "tender.document_removed")


async def _recorded(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, action: str
) -> service.TenderView:
    await session.flush()
    tender, _ = await service.lead_tender_for_update(session, actor, tender_id)
    view = await service.tender_view(session, actor, tender_id)
    await audit.record_tender(session, actor, tender, action, view)
    return view


async def tender_download(
    session: AsyncSession, actor: Actor, document_id: uuid.UUID
) -> Download | None:
    """A document of a tender the actor sees (anyone, once it is published); None
    otherwise, as for an unknown id."""
    found = (
        await session.execute(
            select(
                TenderDocument.name,
                TenderDocument.key,
                TenderDocument.size,
                TenderDocument.media_type,
            )
            .join(Tender, Tender.id == TenderDocument.tender_id)
            .where(TenderDocument.id == document_id, service.visible_tenders(actor))
        )
    ).one_or_none()
    return None if found is None else Download(*found)


# -- forgetting abandoned uploads ------------------------------------------------------------


async def forget_abandoned(session: AsyncSession, store: FileStore) -> int:
    """Forgets the uploads left unattached for UPLOAD_LIFETIME and removes the content no
    upload or document names any more; the number forgotten."""
    keys = list(
        await session.scalars(
            delete(DocumentUpload)
            .where(DocumentUpload.created_at <= func.now() - UPLOAD_LIFETIME)
            .returning(DocumentUpload.key)
        )
    )
    for key in sorted(set(keys)):
        await _lock_key(session, key)
        named = union_all(
            select(DocumentUpload.key).where(DocumentUpload.key == key),
            select(BidDocument.key).where(BidDocument.key == key),
            select(TenderDocument.key).where(TenderDocument.key == key),
        ).subquery()
        if not await session.scalar(select(exists(select(named.c.key)))):
            await store.delete(key)
    return len(keys)
