"""Documents of bids and tenders: uploaded once by `POST /documents` (streamed, limited,
checked by content), attached by their uploader, downloaded by whoever may read them, and
forgotten when left unattached for a day. A refused upload keeps nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.files import FolderStore
from market.settings import Settings
from market.tenders import documents
from tests.support.actors import Person
from tests.support.graphql import GraphQLClient
from tests.tenders.bid_world import (  # noqa: F401 (settings: the test's own files folder)
    MAX_DOCUMENT_BYTES,
    PDF,
    SUBMIT,
    BidWorld,
    bid_input,
    build_bid_world,
    document,
    pass_bid_deadline,
    publish,
    settings,
    submit,
    upload,
)
from tests.tenders.world import TENDER_FIELDS, create_tender, rows

ATTACH = f"""mutation($tender: ID!, $document: DocumentInput!) {{
  attachTenderDocument(tenderId: $tender, document: $document) {{
    {TENDER_FIELDS} documents {{ id name sha256 size mediaType downloadPath }}
  }}
}}"""
REMOVE = """mutation($id: ID!) {
  removeTenderDocument(documentId: $id) { documents { id name } }
}"""
DOCUMENTS = "query($id: ID!) { tender(id: $id) { documents { name downloadPath } } }"
BID_DOCUMENTS = "query($id: ID!) { bid(id: $id) { documents { name downloadPath } } }"
OPEN = "mutation($tender: ID!) { openBids(tenderId: $tender) { openedAt } }"


def _files(configured: Settings) -> list[str]:
    """The documents kept in the store (not its partial uploads)."""
    root = Path(configured.files_dir)
    return sorted(p.name for p in root.glob("??/*")) if root.exists() else []


def _reason(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["extensions"]["reason"]


async def _download(gql: GraphQLClient, path: str, person: Person | None = None) -> Any:
    headers = {"Authorization": f"Bearer {person.token}"} if person else {}
    return await gql.http.get(path, headers=headers)


async def test_a_bidder_uploads_attaches_and_downloads_a_document(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world

    uploaded = await upload(gql, w.alpha.owner, PDF, name="Plan van aanpak.pdf")

    assert uploaded.status_code == 201
    body = uploaded.json()
    assert (body["name"], body["size"], body["mediaType"]) == (
        "Plan van aanpak.pdf",
        len(PDF),
        "application/pdf",
    )
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    bid = await submit(gql, w.alpha.owner, bid_input(w, documents=[{"uploadId": body["id"]}]))
    (path,) = [
        d["downloadPath"]
        for d in (await gql(BID_DOCUMENTS, {"id": bid["id"]}, token=w.alpha.owner.token)).ok()[
            "bid"
        ]["documents"]
    ]
    got = await _download(gql, path, w.alpha.editor)
    assert (got.status_code, got.content) == (200, PDF)
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"Plan van aanpak.pdf\"; filename*=UTF-8''Plan%20van%20aanpak.pdf"
    )
    # The upload was consumed by the bid.
    assert await rows(db, "SELECT count(*) FROM document_uploads") == [(0,)]


async def test_a_bids_document_is_sealed_until_the_opening(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    bid = await submit(
        gql, w.alpha.owner, bid_input(w, documents=[await document(gql, w.alpha.owner)])
    )
    mine = await gql(BID_DOCUMENTS, {"id": bid["id"]}, token=w.alpha.owner.token)
    (path,) = [d["downloadPath"] for d in mine.ok()["bid"]["documents"]]
    lead = w.coalition.lead

    before = [lead.officer, lead.evaluator, w.second_officer, w.beta.owner, w.admin, None]
    assert [(await _download(gql, path, p)).status_code for p in before] == [404] * 6

    await pass_bid_deadline(db, w.tender)
    for officer in (lead.officer, w.second_officer):
        (await gql(OPEN, {"tender": w.tender}, token=officer.token)).ok()
    after = [lead.officer, w.second_officer, lead.evaluator, w.beta.owner, None]
    assert [(await _download(gql, path, p)).status_code for p in after] == [
        200,
        200,
        404,  # evaluators score quality blind to price: they read no documents
        404,
        404,
    ]


@pytest.mark.parametrize(
    ("content", "media_type", "name", "expected"),
    [
        (
            b"%PDF-" + b"x" * MAX_DOCUMENT_BYTES,
            "application/pdf",
            "a.pdf",
            (413, "DocumentTooLarge"),
        ),
        (b"MZ\x90\x00 not a pdf", "application/pdf", "a.pdf", (415, "DocumentContentMismatch")),
        (b"#!/bin/sh", "application/x-sh", "a.sh", (415, "DocumentTypeNotAllowed")),
        (b"", "application/pdf", "a.pdf", (400, "DocumentEmpty")),
        (PDF, "application/pdf", "  ", (400, "TextRequired")),
    ],
    ids=["over the limit", "not what it claims", "a type not taken", "empty", "no name"],
)
async def test_a_refused_upload_keeps_nothing(
    db: Database,
    gql: GraphQLClient,
    settings: Settings,  # noqa: F811 (the fixture imported above, asked for by name)
    content: bytes,
    media_type: str,
    name: str,
    expected: tuple[int, str],
    bid_world: BidWorld,
) -> None:
    w = bid_world

    refused = await upload(gql, w.alpha.owner, content, name=name, media_type=media_type)

    assert _reason(refused) == expected
    assert await rows(db, "SELECT count(*) FROM document_uploads") == [(0,)]
    assert _files(settings) == []


async def test_the_largest_document_within_the_limit_is_taken(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    exact = b"%PDF-" + b"x" * (MAX_DOCUMENT_BYTES - 5)

    uploaded = await upload(gql, w.alpha.owner, exact)

    assert (uploaded.status_code, uploaded.json()["size"]) == (201, MAX_DOCUMENT_BYTES)


async def test_only_provider_staff_and_procurement_officers_upload(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    anonymous = await gql.http.post(
        "/documents",
        params={"name": "a.pdf"},
        content=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    assert _reason(anonymous) == (401, "SignInRequired")
    assert _reason(await upload(gql, w.learner, PDF)) == (403, "NotAllowedToUpload")
    assert _reason(await upload(gql, w.coalition.lead.evaluator, PDF)) == (
        403,
        "NotAllowedToUpload",
    )
    assert (await upload(gql, w.coalition.lead.officer, PDF)).status_code == 201


async def test_uploads_waiting_at_once_are_capped(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    for _ in range(documents.MAX_PENDING_UPLOADS):
        assert (await upload(gql, w.alpha.owner, PDF)).status_code == 201

    refused = await upload(gql, w.alpha.owner, PDF)

    assert _reason(refused) == (409, "TooManyPendingUploads")
    assert refused.json()["errors"][0]["extensions"]["params"] == {
        "limit": documents.MAX_PENDING_UPLOADS
    }
    # Another user of the same provider has their own.
    assert (await upload(gql, w.alpha.editor, PDF)).status_code == 201


async def test_an_upload_is_attached_once_and_only_by_its_uploader(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    mine = await document(gql, w.alpha.owner)

    theirs = await gql(
        SUBMIT, {"input": bid_input(w, documents=[mine])}, token=w.alpha.editor.token
    )
    twice = await gql(
        SUBMIT, {"input": bid_input(w, documents=[mine, mine])}, token=w.alpha.owner.token
    )

    assert (theirs.errors[0]["extensions"]["reason"], theirs.error_field) == (
        "UploadNotFound",
        "documents[0].uploadId",
    )
    assert (twice.errors[0]["extensions"]["reason"], twice.error_field) == (
        "DuplicateItems",
        "documents",
    )
    await submit(gql, w.alpha.owner, bid_input(w, documents=[mine]))
    again = await gql(SUBMIT, {"input": bid_input(w, documents=[mine])}, token=w.alpha.owner.token)
    assert again.errors[0]["extensions"]["reason"] == "UploadNotFound"
    assert await rows(db, "SELECT count(*) FROM tender_bids") == [(1,)]


async def test_a_draft_tenders_documents_are_public_once_published(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    lead = w.coalition.lead
    draft = await create_tender(gql, w.coalition)
    uploaded = (await upload(gql, lead.officer, b"Bestek\n", "bestek.txt", "text/plain")).json()

    attached = await gql(
        ATTACH,
        {"tender": draft, "document": {"uploadId": uploaded["id"]}},
        token=lead.officer.token,
    )

    (doc,) = attached.ok()["attachTenderDocument"]["documents"]
    assert (doc["name"], doc["size"], doc["mediaType"]) == ("bestek.txt", 7, "text/plain")
    member = await gql(DOCUMENTS, {"id": draft}, token=w.coalition.member.officer.token)
    assert member.ok()["tender"]["documents"] == [
        {"name": "bestek.txt", "downloadPath": doc["downloadPath"]}
    ]
    assert (await _download(gql, doc["downloadPath"], w.alpha.owner)).status_code == 404
    assert (await _download(gql, doc["downloadPath"])).status_code == 404

    await publish(db, draft)
    public = await _download(gql, doc["downloadPath"])
    assert (public.status_code, public.content) == (200, b"Bestek\n")
    later = (await upload(gql, lead.officer, b"Bijlage\n", "bijlage.txt", "text/plain")).json()
    refused = await gql(
        ATTACH, {"tender": draft, "document": {"uploadId": later["id"]}}, token=lead.officer.token
    )
    assert refused.errors[0]["extensions"]["reason"] == "TenderNotDraft"
    removed = await gql(REMOVE, {"id": doc["id"]}, token=lead.officer.token)
    assert removed.errors[0]["extensions"]["reason"] == "TenderNotDraft"
    actions = await rows(
        db,
        "SELECT action FROM tender_audit_entries WHERE tender_id = :id ORDER BY sequence",
        id=ids.decode("Tender", draft),
    )
    assert actions == [("tender.created",), ("tender.document_attached",)]


async def test_only_the_leads_officers_attach_and_remove(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    lead, member = w.coalition.lead, w.coalition.member
    draft = await create_tender(gql, w.coalition)
    own = (await upload(gql, member.officer, PDF)).json()

    refused = await gql(
        ATTACH, {"tender": draft, "document": {"uploadId": own["id"]}}, token=member.officer.token
    )
    assert refused.errors[0]["extensions"]["reason"] == "NotCoalitionLead"
    attached = await gql(
        ATTACH,
        {"tender": draft, "document": await document(gql, lead.officer)},
        token=lead.officer.token,
    )
    (doc,) = attached.ok()["attachTenderDocument"]["documents"]
    not_lead = await gql(REMOVE, {"id": doc["id"]}, token=member.officer.token)
    assert not_lead.errors[0]["extensions"]["reason"] == "NotCoalitionLead"
    removed = await gql(REMOVE, {"id": doc["id"]}, token=lead.officer.token)
    assert removed.ok()["removeTenderDocument"]["documents"] == []


async def test_uploads_left_for_a_day_are_forgotten_and_their_content_removed(
    db: Database,
    gql: GraphQLClient,
    settings: Settings,  # noqa: F811
    bid_world: BidWorld,
) -> None:
    w = bid_world
    await submit(gql, w.alpha.owner, bid_input(w, documents=[await document(gql, w.alpha.owner)]))
    # The same bytes again, and other bytes, both left unattached.
    await document(gql, w.alpha.owner)
    other = b"%PDF-1.7\nanders"
    await document(gql, w.alpha.owner, other)
    fresh = await document(gql, w.beta.owner, b"%PDF-1.7\nnieuw")
    async with db.transaction() as session:
        await session.execute(
            text(
                "UPDATE document_uploads SET created_at = now() - interval '25 hours'"
                " WHERE uploaded_by = :user"
            ),
            {"user": w.alpha.owner.user_id},
        )

    async with db.transaction() as session:
        forgotten = await documents.forget_abandoned(session, FolderStore(settings.files_dir))

    assert forgotten == 2
    # The bid's document stays; the other bytes are gone; the fresh upload waits on.
    assert _files(settings) == sorted(
        hashlib.sha256(c).hexdigest() for c in (PDF, b"%PDF-1.7\nnieuw")
    )
    assert await rows(db, "SELECT id FROM document_uploads") == [
        (ids.decode("DocumentUpload", fresh["uploadId"]),)
    ]
    async with db.transaction() as session:
        assert await documents.forget_abandoned(session, FolderStore(settings.files_dir)) == 0
