"""No patient-identifiable data: free text that contains a valid NHS number is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import nhs_number
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from rest_framework import serializers

# Ten digits, written together or as 3-3-4 with spaces or hyphens, not inside a longer number.
_CANDIDATE = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")

# Free text has a limit: a PDSA objective or a learning is a few paragraphs, and a field
# that takes megabytes is stored, rendered and searched at that size.
TEXT_MAX_LENGTH = 10_000

NHS_NUMBER_MESSAGE = (
    "This looks like it contains an NHS number. Ripple must not hold patient-identifiable "
    "data: remove it and describe the patient without identifying them."
)


def contains_nhs_number(text: str) -> bool:
    """Whether ``text`` holds a ten-digit number that passes the NHS number checksum."""
    return any(nhs_number.is_valid("".join(match.groups())) for match in _CANDIDATE.finditer(text))


def refuse_nhs_numbers(text: str | None) -> None:
    """Django validator: refuse text with a valid NHS number in it."""
    if text and contains_nhs_number(text):
        raise ValidationError(NHS_NUMBER_MESSAGE, code="nhs_number")


def _texts(value: Any) -> Iterator[str]:
    """Every string in ``value``: itself, or inside its lists and objects (keys too)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, Mapping):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)


def holds_nhs_number(value: Any) -> bool:
    """Whether any text in ``value`` (a string, or lists and objects of them) holds one."""
    return any(contains_nhs_number(text) for text in _texts(value))


def _capped(field: serializers.Field) -> None:
    if isinstance(field, serializers.CharField) and field.max_length is None:
        field.max_length = TEXT_MAX_LENGTH
        message = field.error_messages["max_length"].format(max_length=TEXT_MAX_LENGTH)
        field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH, message=message))


class SafeTextMixin:
    """For a serializer: every field that carries text refuses a valid NHS number in it,
    and free text without a limit of its own gets ``TEXT_MAX_LENGTH``.

    Text is text whatever the field's type: a plain string, a list of tags, a JSON
    document. Put the mixin first among the bases, so every write is checked without
    each serializer having to remember to.
    """

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if not field.read_only:
                _capped(field)
                _capped(getattr(field, "child", None))
        return fields

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        errors = {
            name: [serializers.ErrorDetail(NHS_NUMBER_MESSAGE, code="nhs_number")]
            for name, field in self.fields.items()
            if not field.read_only
            and field.source in value
            and holds_nhs_number(value[field.source])
        }
        if errors:
            raise serializers.ValidationError(errors)
        return value
