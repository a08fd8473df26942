"""Fixtures every tender test may take."""

from tests.support.concurrent import client

__all__ = ["client"]
