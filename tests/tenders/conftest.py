"""Fixtures every tender test may take: the worlds, each built once and cloned per test
(tests/support/worlds.py)."""

from tests.support.concurrent import client
from tests.support.worlds import shared_world
from tests.tenders import test_authorization
from tests.tenders.award_world import build_award_world
from tests.tenders.bid_world import build_bid_world
from tests.tenders.contract_world import decided_tender
from tests.tenders.ocds_world import contracted_tender
from tests.tenders.questions_world import build as build_questions_world
from tests.tenders.world import build_coalition

__all__ = [
    "authorization_world",
    "award_world",
    "bid_world",
    "client",
    "coalition_world",
    "contracted_world",
    "decided_world",
    "questions_world",
]

coalition_world = shared_world("coalition_world", build_coalition)
authorization_world = shared_world("authorization_world", test_authorization.build)
questions_world = shared_world("questions_world", build_questions_world)
bid_world = shared_world("bid_world", build_bid_world)
award_world = shared_world("award_world", build_award_world)
decided_world = shared_world("decided_world", decided_tender)
contracted_world = shared_world("contracted_world", contracted_tender)
