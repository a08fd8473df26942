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


@pytest.mark.parametrize(
    "text",
    [
        "not-an-id",
        "",
        "x" * 101,
        base64.urlsafe_b64encode(b"Course:not-a-uuid").decode(),
        base64.urlsafe_b64encode(b"no separator").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe:").decode(),
    ],
)
def test_text_that_is_no_id_is_malformed_whatever_the_type(text: str) -> None:
    with pytest.raises(ids.MalformedId) as refused:
        ids.lookup("Course", text, field="courseId")

    assert (refused.value.kind.value, refused.value.field) == ("BAD_USER_INPUT", "courseId")


def test_a_lookup_of_another_types_id_finds_nothing() -> None:
    value = uuid.uuid4()

    assert ids.lookup("Course", ids.encode("Intake", value)) is None
    assert ids.lookup("Course", ids.encode("Course", value)) == value
