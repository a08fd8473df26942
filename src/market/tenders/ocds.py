"""Published tenders as open data: the Open Contracting Data Standard (OCDS 1.1) release
package, as a pure mapping from what the service reads.

- `ocid`: the configured prefix (MARKET_OCDS_PREFIX) and the tender's id.
- One release per known version of the tender: tagged `tender` for the first,
  `tenderUpdate` for a later one, `tenderCancellation` once cancelled. Only the current
  version is stored today, so a package holds its release alone; the release's id names
  the version, so a consumer merging the feed keeps each version once.
- Parties: the coalition's lead is `procuringEntity` and `buyer`, every other member a
  `buyer`. An organisation is identified by its KvK number (scheme `NL-KVK`) where it has
  one, else by its CBS municipality code (GM0363) under the scheme `NL-CBS`, this
  platform's own name for that list (org-id.guide registers none for it).
- Money in euros (OCDS amounts are numbers in the currency); times in UTC with a `Z`;
  the latest end date of the contract (a calendar date) becomes the end of that day in
  Europe/Amsterdam.
- Lots (lots extension) by their number; award criteria and weights are the tender's,
  repeated on each lot (the extension lets a lot override the tender's fields).
- Drafts are never mapped, and nothing about bids is: the mapping reads no bid.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
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


class NotPublished(ValueError):
    """A draft reached the mapping: a bug in the caller, never an answer."""


@dataclass(frozen=True, slots=True)
class Party:
    """A member municipality of the tender's coalition."""

    organisation_id: uuid.UUID
    name: str
    kvk_number: str | None
    municipality_code: str | None
    lead: bool


def ocid(prefix: str, tender_id: uuid.UUID) -> str:
    return f"{prefix}{tender_id}"


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC to the second (whole seconds: a consumer that asks the feed `since`
    the latest date it saw gets that release again rather than missing a later one)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _end_of_day(day: date) -> str:
    return timestamp(datetime.combine(day, time(23, 59, 59), AMSTERDAM))


def euros(cents: int) -> int | float:
    return cents // 100 if cents % 100 == 0 else cents / 100


def _value(cents: int) -> dict[str, Any]:
    return {"amount": euros(cents), "currency": CURRENCY}


def _identifier(party: Party) -> dict[str, str]:
    if party.kvk_number is not None:
        return {"scheme": KVK_SCHEME, "id": party.kvk_number, "legalName": party.name}
    if party.municipality_code is not None:
        return {"scheme": CBS_SCHEME, "id": party.municipality_code, "legalName": party.name}
    raise ValueError(f"organisation {party.organisation_id} has no identifier to publish")


def _party_id(party: Party) -> str:
    identifier = _identifier(party)
    return f"{identifier['scheme']}-{identifier['id']}"


def _reference(party: Party) -> dict[str, str]:
    return {"id": _party_id(party), "name": party.name}


def _parties(parties: Sequence[Party]) -> list[dict[str, Any]]:
    return [
        {
            "id": _party_id(party),
            "name": party.name,
            "identifier": _identifier(party),
            "roles": ["procuringEntity", "buyer"] if party.lead else ["buyer"],
        }
        for party in sorted(parties, key=lambda p: (not p.lead, p.name))
    ]


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
        "status": LOT_STATUS[lot.state],
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


def tags(tender: TenderView) -> list[str]:
    if tender.state is TenderState.CANCELLED:
        return ["tenderCancellation"]
    return ["tender"] if tender.version == 1 else ["tenderUpdate"]


def release_id(tender: TenderView, prefix: str) -> str:
    suffix = "-cancellation" if tender.state is TenderState.CANCELLED else ""
    return f"{ocid(prefix, tender.id)}-v{tender.version}{suffix}"


def released_at(tender: TenderView) -> datetime:
    """The release's date: publication for a first version, the last change otherwise."""
    if tender.published_at is None:
        raise NotPublished(str(tender.id))
    if tags(tender) == ["tender"]:
        return tender.published_at
    return max(tender.published_at, tender.updated_at)


def release(tender: TenderView, parties: Sequence[Party], *, prefix: str) -> dict[str, Any]:
    """The tender as one OCDS release. Raises NotPublished for a draft."""
    if tender.published_at is None or tender.state is TenderState.DRAFT:
        raise NotPublished(str(tender.id))
    (lead,) = [party for party in parties if party.lead]
    published, timeline = timestamp(tender.published_at), tender.timeline
    criteria, details = award_criteria(tender), award_criteria_details(tender)
    contract = _contract_period(tender)
    found: dict[str, Any] = {
        "ocid": ocid(prefix, tender.id),
        "id": release_id(tender, prefix),
        "date": timestamp(released_at(tender)),
        "tag": tags(tender),
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": _parties(parties),
        "buyer": _reference(lead),
        "tender": {
            "id": str(tender.id),
            "title": tender.title,
            "description": tender.description,
            "status": TENDER_STATUS[tender.state],
            "procuringEntity": _reference(lead),
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
        },
    }
    maxima = [lot.max_value_cents for lot in tender.lots]
    if maxima and None not in maxima:
        # The framework's maximum: what every lot may reach together.
        found["tender"]["value"] = _value(sum(value or 0 for value in maxima))
    return found


def release_package(
    releases: Sequence[dict[str, Any]], *, uri: str, changed_at: datetime
) -> dict[str, Any]:
    """The releases in a package. Generated on demand, it is dated (as OCDS asks) at the
    last change to what it holds: `changed_at`."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publisher": {"name": PUBLISHER},
        "publishedDate": timestamp(changed_at),
        "releases": list(releases),
    }
