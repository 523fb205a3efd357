"""Shapes shared by the portfolio's serializers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.models import User
from projects.spc import MAX_MAGNITUDE, number_problem


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryWhoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    """One change to a record: when, who, what kind, and each field's old and new value."""

    id = serializers.IntegerField()
    when = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    subject = serializers.CharField()
    object_id = serializers.IntegerField()
    who = HistoryWhoSerializer(allow_null=True)
    changes = HistoryChangeSerializer(many=True)
    reason = serializers.CharField(allow_blank=True)


class ChartNumberField(serializers.FloatField):
    """A number the SPC engine will chart (a data point's value, a target): the engine's
    one rule (``projects.spc.number_problem``), and JSON ``true`` is not the number 1."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -MAX_MAGNITUDE)
        kwargs.setdefault("max_value", MAX_MAGNITUDE)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            raise serializers.ValidationError("Must be a number, not true or false.", "invalid")
        value = super().to_internal_value(data)
        problem = number_problem(value)
        if problem:
            raise serializers.ValidationError(f"Must {problem.removeprefix('must ')}.", "invalid")
        return value
