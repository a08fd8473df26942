"""Published tenders as open data: the Open Contracting Data Standard (OCDS 1.1) release
package, as a pure mapping from what the service reads (a `Process`).

- `ocid`: the configured prefix (MARKET_OCDS_PREFIX) and the tender's id.
- Releases, each dated when its news became known (a consumer merging the feed keeps
  each release id once):
  - one per version of the tender: `tender` for the first (dated at publication), then
    `tenderUpdate` per correction (dated at the rectification), each listing the
    corrections so far as `tender.amendments`. The current version carries the whole
    tender; a superseded one what the rectifications recorded of it (its bid deadline),
    as the rest of its text is no longer stored. A version is released while the tender
    is open, so it says `active`, for the tender and each lot;
  - the opening of the bids (`tenderUpdate`): the providers that bid, as `tenderer`
    parties, and `numberOfTenderers`; nothing of a bid is known before it (guarantee 1);
  - one `award` per award decision, dated when it was sent to every bidder: `pending`, as
    OCDS says of an award in its standstill; a withdrawn decision's award is `cancelled`
    by a later `awardCancellation` release;
  - one `contract` per member municipality's contract, its `buyer` (contract_buyer
    extension) that municipality; it puts the award in force (`active`). It shows the
    term as it now stands, extensions exercised included: no moment of an extension is
    stored to date a release of its own;
  - once the tender has ended, its last state (`complete`, `unsuccessful`, or
    `tenderCancellation` for `cancelled`) with each lot's state, dated at that change.
- Values: an award's is the winning price per trajectory times the lot's estimated
  learners a year, over the initial term; a contract's the same for its own learners,
  over its term with the extensions exercised so far. Estimates, as the volumes are:
  a framework agreement buys per trajectory. Rounded to the cent.
- Parties: the coalition's lead is `procuringEntity` and `buyer`, every other member a
  `buyer`, a provider a `tenderer` and, once it won a lot, a `supplier`. An organisation
  is identified by its KvK number (scheme `NL-KVK`) where it has one, a municipality
  otherwise by its CBS code (GM0363) under the scheme `NL-CBS`, this platform's own name
  for that list (org-id.guide registers none for it); a provider without a KvK number by
  this platform's id for it, with no identifier.
- Money in euros (OCDS amounts are numbers in the currency); times in UTC with a `Z`;
  a calendar date (a contract's first or last day) becomes the start or end of that day in
  Europe/Amsterdam.
- Lots (lots extension) by their number; award criteria and weights are the tender's,
  repeated on each lot (the extension lets a lot override the tender's fields).
- Drafts are never mapped.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from market.tenders.policies import (
    AMSTERDAM,
    WEIGHED_METHODS,
    AwardMethod,
    ContractTerm,
    LotState,
    TenderState,
    earliest_end,
)
from market.tenders.service import LotView, TenderView

OCDS_VERSION = "1.1"
PUBLISHER = "market"
CURRENCY = "EUR"
LANGUAGE = "nl"
KVK_SCHEME = "NL-KVK"
CBS_SCHEME = "NL-CBS"
# The extensions' extension.json files, each at the version the tests validate against.
_EXTENSIONS_AT = "https://raw.githubusercontent.com/open-contracting-extensions"
EXTENSIONS = (
    f"{_EXTENSIONS_AT}/ocds_lots_extension/v1.1.5/extension.json",
    f"{_EXTENSIONS_AT}/ocds_contract_buyer_extension/master/extension.json",
)

# OCDS's closed tenderStatus codelist: every stage between publication and the contract
# is one `active` tender process.
TENDER_STATUS = {
    TenderState.PUBLISHED: "active",
    TenderState.QUESTIONS_CLOSED: "active",
    TenderState.BIDS_CLOSED: "active",
    TenderState.OPENED: "active",
    TenderState.EVALUATED: "active",
    TenderState.AWARD_DECIDED: "active",
    TenderState.CONTRACTED: "complete",
    TenderState.CANCELLED: "cancelled",
    TenderState.UNSUCCESSFUL: "unsuccessful",
}
LOT_STATUS = {
    LotState.ACTIVE: "active",
    LotState.AWARD_DECIDED: "active",
    LotState.CONTRACTED: "complete",
    LotState.UNSUCCESSFUL: "unsuccessful",
    LotState.CANCELLED: "cancelled",
}
_METHOD_DETAILS = {
    AwardMethod.RELATIVE_PRICE: "prijs ten opzichte van de laagste prijs",
    AwardMethod.LINEAR_PRICE: "prijs lineair tussen de gepubliceerde grenzen",
}
_MEMBER_ROLES = ["buyer"]
_LEAD_ROLES = ["procuringEntity", "buyer"]
_TENDERER_ROLES = ["tenderer"]
_SUPPLIER_ROLES = ["tenderer", "supplier"]


class NotPublished(ValueError):
    """A draft reached the mapping: a bug in the caller, never an answer."""


@dataclass(frozen=True, slots=True)
class Party:
    """An organisation taking part: a member municipality of the tender's coalition (the
    lead marked) or a provider."""

    organisation_id: uuid.UUID
    name: str
    kvk_number: str | None
    municipality_code: str | None
    lead: bool = False


@dataclass(frozen=True, slots=True)
class Correction:
    """A rectification of the published tender: the version it made."""

    version: int
    reason: str
    changed: tuple[str, ...]  # the names of the fields it changed
    bid_deadline_before: datetime
    bid_deadline_after: datetime
    published_at: datetime


@dataclass(frozen=True, slots=True)
class Opening:
    """The four-eyes opening of the bids: when, and the providers with a live bid."""

    opened_at: datetime
    tenderers: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class Award:
    """An award decision on a lot: its winner at the winning bid's price per trajectory."""

    id: uuid.UUID
    lot_id: uuid.UUID
    supplier: Party
    price_cents: int
    sent_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True, slots=True)
class SignedContract:
    """A member municipality's contract with a lot's winner, holding its own volume."""

    id: uuid.UUID
    award_id: uuid.UUID
    lot_id: uuid.UUID
    buyer: Party
    supplier: Party
    learners_per_year: int
    price_cents: int
    starts_on: date
    ends_on: date
    latest_end_date: date
    extensions_exercised: int
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class Process:
    """What the export knows of one published tender: the tender, its coalition's member
    municipalities, its corrections by version, and what followed the bid deadline."""

    tender: TenderView
    members: tuple[Party, ...]
    corrections: tuple[Correction, ...]
    opening: Opening | None
    awards: tuple[Award, ...]
    contracts: tuple[SignedContract, ...]


def ocid(prefix: str, tender_id: uuid.UUID) -> str:
    return f"{prefix}{tender_id}"


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC to the second (whole seconds: a consumer that asks the feed `since`
    the latest date it saw gets that release again rather than missing a later one)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _start_of_day(day: date) -> str:
    return timestamp(datetime.combine(day, time(0, 0), AMSTERDAM))


def _end_of_day(day: date) -> str:
    return timestamp(datetime.combine(day, time(23, 59, 59), AMSTERDAM))


def euros(cents: int) -> int | float:
    return cents // 100 if cents % 100 == 0 else cents / 100


def _value(cents: int) -> dict[str, Any]:
    return {"amount": euros(cents), "currency": CURRENCY}


def term_value_cents(price_cents: int, learners_per_year: int, months: int) -> int:
    """A price per trajectory for so many learners a year over so many months, to the
    cent (half up)."""
    exact = Decimal(price_cents * learners_per_year * months) / 12
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _identifier(party: Party) -> dict[str, str] | None:
    if party.kvk_number is not None:
        return {"scheme": KVK_SCHEME, "id": party.kvk_number, "legalName": party.name}
    if party.municipality_code is not None:
        return {"scheme": CBS_SCHEME, "id": party.municipality_code, "legalName": party.name}
    return None


def _party_id(party: Party) -> str:
    identifier = _identifier(party)
    if identifier is None:
        return f"{PUBLISHER}-{party.organisation_id}"
    return f"{identifier['scheme']}-{identifier['id']}"


def _reference(party: Party) -> dict[str, str]:
    return {"id": _party_id(party), "name": party.name}


def _party(party: Party, roles: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {"id": _party_id(party), "name": party.name, "roles": roles}
    identifier = _identifier(party)
    if identifier is not None:
        found["identifier"] = identifier
    return found


def _member(party: Party) -> dict[str, Any]:
    return _party(party, _LEAD_ROLES if party.lead else _MEMBER_ROLES)


def award_criteria(tender: TenderView) -> str:
    """OCDS's awardCriteria code: price alone where quality weighs nothing (a pure price
    method), quality alone at a fixed price, rated criteria otherwise."""
    award = tender.award
    if award.method in WEIGHED_METHODS and award.quality_weight_bp == 0:
        return "priceOnly"
    if award.method is AwardMethod.FIXED_PRICE:
        return "qualityOnly"
    return "ratedCriteria"


def _percent(basis_points: int) -> str:
    return f"{basis_points / 100:g}%"


def award_criteria_details(tender: TenderView) -> str:
    """The published criteria and weights, as a reader of the tender documents sees them."""
    award = tender.award
    criteria = ", ".join(f"{c.name} {_percent(c.weight_bp)}" for c in tender.criteria)
    if award.method in WEIGHED_METHODS:
        quality, price = award.quality_weight_bp or 0, award.price_weight_bp or 0
        return (
            f"Kwaliteit {_percent(quality)} ({criteria}); "
            f"prijs {_percent(price)}, {_METHOD_DETAILS[award.method]}."
        )
    if award.method is AwardMethod.QUALITY_VALUE:
        values = ", ".join(
            f"{c.name} {_percent(c.weight_bp)} (tot EUR {euros(c.value_cents or 0)})"
            for c in tender.criteria
        )
        return f"Fictieve korting: prijs min de waarde van de kwaliteit: {values}."
    return f"Vaste prijs; gunning op kwaliteit alleen: {criteria}."


def _lot_description(lot: LotView) -> str:
    regions = ", ".join(lot.region_codes)
    return f"Route {lot.route.value} ({lot.stream or lot.level}); arbeidsmarktregio's {regions}."


def _lot(lot: LotView, criteria: str, details: str, contract: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(lot.number),
        "title": lot.title,
        "description": _lot_description(lot),
        "status": "active",
        "contractPeriod": contract,
        "awardCriteria": criteria,
        "awardCriteriaDetails": details,
    }
    if lot.max_value_cents is not None:
        found["value"] = _value(lot.max_value_cents)
    return found


def _contract_period(tender: TenderView) -> dict[str, str]:
    start = tender.timeline.contract_start_at
    initial = earliest_end(start, ContractTerm(tender.term.initial_months))
    period = {"startDate": timestamp(start), "endDate": _end_of_day(initial)}
    if tender.term.latest_end_date is not None:
        period["maxExtentDate"] = _end_of_day(tender.term.latest_end_date)
    return period


# -- the releases ---------------------------------------------------------------------------


def _published_at(tender: TenderView) -> datetime:
    if tender.published_at is None or tender.state is TenderState.DRAFT:
        raise NotPublished(str(tender.id))
    return tender.published_at


def _release(
    process: Process, prefix: str, name: str, moment: datetime, tag: str
) -> dict[str, Any]:
    """A release's own fields: `name` makes its id unique within the process."""
    the_ocid = ocid(prefix, process.tender.id)
    return {
        "ocid": the_ocid,
        "id": f"{the_ocid}-{name}",
        "date": timestamp(moment),
        "tag": [tag],
        "initiationType": "tender",
        "language": LANGUAGE,
    }


def _version_name(version: int) -> str:
    return f"v{version}"


def _amendments(process: Process, prefix: str, version: int) -> list[dict[str, Any]]:
    the_ocid = ocid(prefix, process.tender.id)
    return [
        {
            "id": str(c.version),
            "date": timestamp(c.published_at),
            "rationale": c.reason,
            "description": "Gewijzigd: " + ", ".join(c.changed) + ".",
            "amendsReleaseID": f"{the_ocid}-{_version_name(c.version - 1)}",
            "releaseID": f"{the_ocid}-{_version_name(c.version)}",
        }
        for c in process.corrections
        if c.version <= version
    ]


def _lead(process: Process) -> Party:
    (lead,) = [party for party in process.members if party.lead]
    return lead


def _current_tender(process: Process, prefix: str) -> dict[str, Any]:
    """The tender section of the current version: the whole tender as published."""
    tender = process.tender
    published, timeline = timestamp(_published_at(tender)), tender.timeline
    criteria, details = award_criteria(tender), award_criteria_details(tender)
    contract = _contract_period(tender)
    found: dict[str, Any] = {
        "id": str(tender.id),
        "title": tender.title,
        "description": tender.description,
        "status": "active",
        "procuringEntity": _reference(_lead(process)),
        "procurementMethod": "open",
        "mainProcurementCategory": "services",
        "awardCriteria": criteria,
        "awardCriteriaDetails": details,
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": published, "endDate": timestamp(timeline.bid_deadline)},
        "enquiryPeriod": {
            "startDate": published,
            "endDate": timestamp(timeline.questions_deadline),
        },
        "awardPeriod": {
            "startDate": timestamp(timeline.bid_deadline),
            "endDate": timestamp(timeline.planned_award_at),
        },
        "contractPeriod": contract,
        "lots": [_lot(lot, criteria, details, contract) for lot in tender.lots],
    }
    maxima = [lot.max_value_cents for lot in tender.lots]
    if maxima and None not in maxima:
        # The framework's maximum: what every lot may reach together.
        found["value"] = _value(sum(value or 0 for value in maxima))
    amendments = _amendments(process, prefix, tender.version)
    if amendments:
        found["amendments"] = amendments
    return found


def _superseded_tender(
    process: Process, prefix: str, version: int, superseded_by: Correction
) -> dict[str, Any]:
    """The tender section of a superseded version: what the correction that superseded it
    recorded of it, its bid deadline."""
    tender = process.tender
    found: dict[str, Any] = {
        "id": str(tender.id),
        "status": "active",
        "tenderPeriod": {
            "startDate": timestamp(_published_at(tender)),
            "endDate": timestamp(superseded_by.bid_deadline_before),
        },
    }
    amendments = _amendments(process, prefix, version)
    if amendments:
        found["amendments"] = amendments
    return found


def _version_tag(version: int) -> str:
    return "tender" if version == 1 else "tenderUpdate"


def _version_releases(process: Process, prefix: str) -> list[dict[str, Any]]:
    """A release per version: each superseded one with the correction that superseded it,
    then the current one whole, dated at its correction (at publication for the first)."""
    tender = process.tender
    published = _published_at(tender)
    earlier = [(1, published)] + [
        (c.version, c.published_at) for c in process.corrections if c.version < tender.version
    ]
    found = []
    for (version, at), superseded_by in zip(earlier, process.corrections, strict=False):
        release = _release(process, prefix, _version_name(version), at, _version_tag(version))
        release["tender"] = _superseded_tender(process, prefix, version, superseded_by)
        found.append(release)
    dated = {1: published} | {c.version: c.published_at for c in process.corrections}
    # A version without its rectification (none stored): dated at the tender's last update.
    at = dated.get(tender.version, max(published, tender.updated_at))
    version = tender.version
    current = _release(process, prefix, _version_name(version), at, _version_tag(version))
    members = sorted(process.members, key=lambda p: (not p.lead, p.name))
    current["parties"] = [_member(p) for p in members]
    current["buyer"] = _reference(_lead(process))
    current["tender"] = _current_tender(process, prefix)
    return [*found, current]


def _opening_release(process: Process, prefix: str, opening: Opening) -> dict[str, Any]:
    release = _release(process, prefix, "opening", opening.opened_at, "tenderUpdate")
    release["parties"] = [_party(p, _TENDERER_ROLES) for p in opening.tenderers]
    release["tender"] = {
        "id": str(process.tender.id),
        "numberOfTenderers": len(opening.tenderers),
        "tenderers": [_reference(p) for p in opening.tenderers],
    }
    return release


def _lot_of(process: Process, lot_id: uuid.UUID) -> LotView:
    (lot,) = [lot for lot in process.tender.lots if lot.id == lot_id]
    return lot


def _award_releases(process: Process, prefix: str, award: Award) -> list[dict[str, Any]]:
    lot = _lot_of(process, award.lot_id)
    learners = sum(volume.learners_per_year for volume in lot.volumes)
    months = process.tender.term.initial_months
    name = f"award-{award.id}"
    decided = _release(process, prefix, name, award.sent_at, "award")
    decided["parties"] = [_party(award.supplier, _SUPPLIER_ROLES)]
    decided["awards"] = [
        {
            "id": str(award.id),
            "title": f"Perceel {lot.number}: {lot.title}",
            "description": (
                f"Prijs per traject EUR {euros(award.price_cents)}; waarde geraamd op"
                f" {learners} trajecten per jaar over {months} maanden."
            ),
            "status": "pending",
            "date": timestamp(award.sent_at),
            "value": _value(term_value_cents(award.price_cents, learners, months)),
            "suppliers": [_reference(award.supplier)],
            "relatedLots": [str(lot.number)],
        }
    ]
    if award.withdrawn_at is None:
        return [decided]
    withdrawn = _release(
        process, prefix, f"{name}-cancelled", award.withdrawn_at, "awardCancellation"
    )
    withdrawn["awards"] = [{"id": str(award.id), "status": "cancelled"}]
    return [decided, withdrawn]


def _term_months(term: ContractTerm, extensions_exercised: int) -> int:
    return term.initial_months + sum(term.extension_months[:extensions_exercised])


def _contract_release(process: Process, prefix: str, contract: SignedContract) -> dict[str, Any]:
    lot = _lot_of(process, contract.lot_id)
    months = _term_months(process.tender.term, contract.extensions_exercised)
    value = term_value_cents(contract.price_cents, contract.learners_per_year, months)
    release = _release(process, prefix, f"contract-{contract.id}", contract.signed_at, "contract")
    release["parties"] = [_member(contract.buyer), _party(contract.supplier, _SUPPLIER_ROLES)]
    release["awards"] = [{"id": str(contract.award_id), "status": "active"}]
    release["contracts"] = [
        {
            "id": str(contract.id),
            "awardID": str(contract.award_id),
            "title": f"Perceel {lot.number}: {lot.title}; {contract.buyer.name}",
            "description": (
                f"Prijs per traject EUR {euros(contract.price_cents)}; waarde geraamd op"
                f" {contract.learners_per_year} trajecten per jaar over {months} maanden."
            ),
            "status": "active",
            "period": {
                "startDate": _start_of_day(contract.starts_on),
                "endDate": _end_of_day(contract.ends_on),
                "maxExtentDate": _end_of_day(contract.latest_end_date),
            },
            "value": _value(value),
            "dateSigned": timestamp(contract.signed_at),
            "buyer": _reference(contract.buyer),
        }
    ]
    return release


def _ending_release(process: Process, prefix: str) -> dict[str, Any] | None:
    """The tender's last state once it has ended; None while it runs."""
    tender = process.tender
    status = TENDER_STATUS[tender.state]
    if status == "active":
        return None
    release = _release(
        process,
        prefix,
        f"{_version_name(tender.version)}-{status}",
        max(_published_at(tender), tender.updated_at),
        "tenderCancellation" if tender.state is TenderState.CANCELLED else "tenderUpdate",
    )
    release["tender"] = {
        "id": str(tender.id),
        "status": status,
        "lots": [{"id": str(lot.number), "status": LOT_STATUS[lot.state]} for lot in tender.lots],
    }
    return release


def releases(process: Process, *, prefix: str) -> list[dict[str, Any]]:
    """Every release of the published tender, oldest first. Raises NotPublished for a
    draft."""
    found = _version_releases(process, prefix)
    if process.opening is not None:
        found.append(_opening_release(process, prefix, process.opening))
    for award in process.awards:
        found.extend(_award_releases(process, prefix, award))
    found.extend(_contract_release(process, prefix, c) for c in process.contracts)
    ending = _ending_release(process, prefix)
    if ending is not None:
        found.append(ending)
    # Stable: at one moment, the order above (a version before its opening, an award
    # before its contracts).
    return sorted(found, key=lambda release: str(release["date"]))


def release_package(
    releases: Sequence[dict[str, Any]], *, uri: str, changed_at: str
) -> dict[str, Any]:
    """The releases in a package. Generated on demand, it is dated (as OCDS asks) at the
    last change to what it holds: `changed_at`, an RFC 3339 time as `timestamp` writes it."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publisher": {"name": PUBLISHER},
        "publishedDate": changed_at,
        "releases": list(releases),
    }
