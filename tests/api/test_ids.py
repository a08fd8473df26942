"""Clients hold ids as base64("Type:<uuid>") without padding: the format is public."""

import base64
import uuid

import pytest

from market.api.graphql import ids


@pytest.mark.parametrize("type_name", ["Course", "Intake", "Provider", "Location"])
def test_an_id_is_its_type_and_uuid_in_url_safe_base64(type_name: str) -> None:
    value = uuid.UUID("fbff3e9f-0d7c-4bfe-9b3f-6a1f0ef1c2d3")
    encoded = ids.encode(type_name, value)

    assert encoded == base64.urlsafe_b64encode(f"{type_name}:{value}".encode()).decode().rstrip("=")
    assert "=" not in encoded
    assert ids.decode(type_name, encoded) == value


def test_an_id_of_another_type_is_not_found() -> None:
    encoded = ids.encode("Intake", uuid.uuid4())

    with pytest.raises(ids.UnknownId):
        ids.decode("Course", encoded)
