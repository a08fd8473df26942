"""The award terms frozen at publication (guarantee 4): the method, its parameters and
the quality criteria, copied into the tender as JSON when it is published. From then on
every read of the terms comes from this copy, so nothing written to the criteria's rows
afterwards changes what bidders were promised; a change needs a versioned correction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import msgspec

from market.tenders.policies import AwardTerms


@dataclass(frozen=True, slots=True)
class FrozenCriterion:
    id: uuid.UUID
    name: str
    weight_bp: int
    value_cents: int | None


@dataclass(frozen=True, slots=True)
class FrozenTerms:
    award: AwardTerms
    criteria: tuple[FrozenCriterion, ...]


def freeze(terms: FrozenTerms) -> dict[str, Any]:
    frozen: dict[str, Any] = msgspec.to_builtins(terms)
    return frozen


def thaw(data: dict[str, Any]) -> FrozenTerms:
    return msgspec.convert(data, FrozenTerms)
