"""API for accounts and tenancy: tokens, me, organisations, units and memberships."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from backend import selectors, services
from backend.etags import ETagDestroyMixin, ETagMixin
from backend.filters import UnitFilter
from backend.idempotency import IdempotentCreateMixin
from backend.models import Membership
from backend.serializers import (
    MembershipSerializer,
    MeSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnitSerializer,
)
from backend.throttles import SignInThrottle


class TokenCreateView(APIView):
    """Exchange an e-mail and password for an API token (``Authorization: Token <token>``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, expiry = services.token_create(**data.validated_data, request=request._request)
        return Response(TokenSerializer({"token": token, "expiry": expiry}).data)


class TokenRevokeView(APIView):
    """Revoke the token this request was made with (sign out this device)."""

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        if request.auth is not None and hasattr(request.auth, "delete"):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeAllView(APIView):
    """Revoke every token of the signed-in user (sign out everywhere)."""

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        request.user.auth_token_set.all().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user, their memberships and their role in each organisation."""

    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class OrganisationViewSet(
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations you belong to; their administrators may rename them."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.organisation_list(user=self.request.user)

    def perform_update(self, serializer: OrganisationSerializer) -> None:
        services.ensure_role(
            user=self.request.user,
            organisation_id=serializer.instance.pk,
            roles=frozenset({Membership.Role.ADMIN}),
            action="change the organisation",
        )
        serializer.save()


class UnitViewSet(
    ETagMixin,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Sites, divisions, directorates, wards and teams. Admins and the QI team write."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return selectors.unit_list(user=self.request.user)

    def perform_create(self, serializer: UnitSerializer) -> None:
        serializer.instance = services.unit_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: UnitSerializer) -> None:
        serializer.instance = services.unit_update(
            by=self.request.user, unit=serializer.instance, **serializer.validated_data
        )


class MembershipViewSet(ETagMixin, ETagDestroyMixin, IdempotentCreateMixin, viewsets.ModelViewSet):
    """Who belongs to your organisations, in which role. Administrators write."""

    serializer_class = MembershipSerializer
    filterset_fields = ["organisation", "role", "user", "home_unit"]
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.membership_list(user=self.request.user)

    def perform_create(self, serializer: MembershipSerializer) -> None:
        serializer.instance = services.membership_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: MembershipSerializer) -> None:
        serializer.instance = services.membership_update(
            by=self.request.user, membership=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_delete(by=self.request.user, membership=instance)


router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("units", UnitViewSet, basename="unit")
router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = [
    path("auth/token/", TokenCreateView.as_view(), name="auth-token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("auth/token/revoke-all/", TokenRevokeAllView.as_view(), name="auth-token-revoke-all"),
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
