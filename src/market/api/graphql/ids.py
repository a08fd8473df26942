"""Opaque, typed IDs: clients see `base64("Course:<uuid>")`, services see UUIDs.

Text that is no id at all is the client's mistake (MalformedId, BAD_USER_INPUT). A
well-formed id of another type (an intake's id passed as a course id) names nothing of
the type asked for: a root lookup answers null for it, as for an id nothing has, and an
argument that must name something refuses it as not found.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from market.kernel.errors import InvalidInput, NotFound
from market.kernel.ids import encode as encode


class MalformedId(InvalidInput):
    reason = "MalformedId"
    message = "This is not an id: ids are the opaque strings this API hands out."


class UnknownId(NotFound):
    reason = "UnknownId"
    message = "Nothing with this id exists."


def decode(type_name: str, global_id: str, *, field: str = "id") -> uuid.UUID:
    """The UUID of a thing of `type_name` that the argument `field` must name."""
    value = lookup(type_name, global_id, field=field)
    if value is None:
        raise UnknownId(field=field)
    return value


def lookup(type_name: str, global_id: str, *, field: str = "id") -> uuid.UUID | None:
    """The UUID a root lookup looks for; None when the id is of another type."""
    if len(global_id) <= 100:
        try:
            raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
            kind, separator, value = raw.partition(":")
            if separator:
                parsed = uuid.UUID(value)
                return parsed if kind == type_name else None
        except (binascii.Error, UnicodeDecodeError, ValueError):
            pass
    raise MalformedId(field=field)
