"""Shapes shared by the portfolio's serializers."""

from __future__ import annotations

from rest_framework import serializers

from backend.models import User


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
