"""What the civic-integration exams cost a learner beyond the course price.

The law (DOMAIN.md): language exams at A2, B1 and B2 in four skills (reading, listening,
writing, speaking), plus KNM; the first two attempts per part are free, further attempts
are paid by the learner. Z-route courses (target A1) end with a closing interview at the
municipality, not an exam.

DOMAIN.md gives no fee amounts. ASSUMPTION, to be checked against DUO's current price list
before going live: every part costs EUR 50 per paid attempt, the price inburgeren.nl lists
for each part (reading, listening, writing, speaking, KNM: EUR 250 together) for learners
under the 2021 act. Fees and parts are data here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from market.catalog.models import Level


class ExamPart(StrEnum):
    READING = "reading"
    LISTENING = "listening"
    WRITING = "writing"
    SPEAKING = "speaking"
    KNM = "knm"  # Kennis van de Nederlandse Maatschappij


_LANGUAGE_EXAM = (
    ExamPart.READING,
    ExamPart.LISTENING,
    ExamPart.WRITING,
    ExamPart.SPEAKING,
    ExamPart.KNM,
)


@dataclass(frozen=True, slots=True)
class ExamRules:
    free_attempts_per_part: int = 2
    fee_cents_per_part: Mapping[ExamPart, int] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(ExamPart, 5_000))
    )
    # The parts a learner takes at each target level; A1 (Z-route) has none.
    parts_by_level: Mapping[Level, tuple[ExamPart, ...]] = field(
        default_factory=lambda: MappingProxyType(
            {
                Level.A1: (),
                Level.A2: _LANGUAGE_EXAM,
                Level.B1: _LANGUAGE_EXAM,
                Level.B2: _LANGUAGE_EXAM,
            }
        )
    )


EXAM_RULES = ExamRules()


@dataclass(frozen=True, slots=True)
class PartFee:
    part: ExamPart
    fee_cents: int  # per attempt beyond the free ones


@dataclass(frozen=True, slots=True)
class ExamPolicy:
    """The exams at one target level and what the attempts the law does not pay cost."""

    level: Level
    free_attempts_per_part: int
    parts: tuple[PartFee, ...]

    @property
    def further_attempt_of_every_part_cents(self) -> int:
        """One paid attempt of every part: what failing everything twice costs per round."""
        return sum(part.fee_cents for part in self.parts)


def exam_policy(level: Level, rules: ExamRules = EXAM_RULES) -> ExamPolicy:
    parts = tuple(
        PartFee(part, rules.fee_cents_per_part[part]) for part in rules.parts_by_level[level]
    )
    return ExamPolicy(level, rules.free_attempts_per_part, parts)
