"""Input and output shapes for notifications and preferences."""

from __future__ import annotations

from rest_framework import serializers

from backend.validators import SafeTextMixin
from notifications.models import Kind, Notification, Preference


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "link",
            "organisation",
            "project",
            "cycle",
            "measure",
            "subject_type",
            "subject_id",
            "period",
            "evidence",
            "delivered_channels",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class PreferenceSerializer(SafeTextMixin, serializers.ModelSerializer):
    muted_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), required=False, max_length=len(Kind)
    )
    digest_weekday = serializers.IntegerField(
        min_value=0, max_value=6, required=False, help_text="0 is Monday, 6 is Sunday."
    )

    class Meta:
        model = Preference
        fields = [
            "in_app",
            "email",
            "muted_kinds",
            "digest_weekday",
            "quiet_hours_start",
            "quiet_hours_end",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate_muted_kinds(self, kinds: list[str]) -> list[str]:
        return list(dict.fromkeys(kinds))

    def validate(self, attrs: dict) -> dict:
        start = attrs.get("quiet_hours_start", getattr(self.instance, "quiet_hours_start", None))
        end = attrs.get("quiet_hours_end", getattr(self.instance, "quiet_hours_end", None))
        if (start is None) != (end is None):
            field = "quiet_hours_end" if end is None else "quiet_hours_start"
            raise serializers.ValidationError(
                {field: "Quiet hours need both a start and an end, or neither."}
            )
        return attrs
