"""Input and output shapes for accounts and tenancy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend import selectors
from backend.models import Membership, Organisation, Unit, User
from backend.validators import SafeTextMixin


@extend_schema_field(OpenApiTypes.INT)  # every model's id is an integer
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that resolves only among rows the requesting user may see.

    An id from another organisation is "does not exist", exactly like an id that
    does not exist, so the field never confirms what it cannot show.
    """

    def __init__(self, selector: Callable[..., Any], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=self.context["request"].user)


class CreateOnlyFieldsMixin:
    """For a ModelSerializer: ``Meta.create_only_fields`` are written when the record is
    made and read-only after that (a unit never moves organisation, a cycle never moves
    project)."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            for name in getattr(self.Meta, "create_only_fields", ()):
                fields[name].read_only = True
        return fields


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class OrganisationSerializer(SafeTextMixin, serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "ods_code", "created_at", "updated_at"]
        read_only_fields = ["slug", "created_at", "updated_at"]


class UnitSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(selectors.organisation_list)
    parent = ScopedPrimaryKeyRelatedField(selectors.unit_list, allow_null=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)

    class Meta:
        model = Unit
        fields = [
            "id",
            "organisation",
            "parent",
            "name",
            "level",
            "kind",
            "specialty",
            "tags",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service checks names and names the field at fault
        create_only_fields = ["organisation"]  # a unit never moves organisation


class MembershipUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class MembershipSerializer(SafeTextMixin, CreateOnlyFieldsMixin, serializers.ModelSerializer):
    user = MembershipUserSerializer(read_only=True)
    organisation = ScopedPrimaryKeyRelatedField(selectors.organisation_list)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    home_unit = ScopedPrimaryKeyRelatedField(selectors.unit_list, allow_null=True, required=False)
    email = serializers.EmailField(write_only=True, help_text="Who to add (a new account is made).")
    full_name = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "email",
            "full_name",
            "organisation",
            "organisation_name",
            "role",
            "home_unit",
            "caseload_capacity",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        create_only_fields = ["organisation", "email", "full_name"]


class MeMembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "role", "home_unit", "caseload_capacity"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "memberships", "roles"]

    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        memberships = selectors.user_memberships(user=user).values()
        return MeMembershipSerializer(memberships, many=True).data

    def get_roles(self, user: User) -> dict[str, str]:
        """The user's role in each organisation, keyed by organisation id."""
        return {str(org_id): m.role for org_id, m in selectors.user_memberships(user=user).items()}
