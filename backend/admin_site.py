"""The Django admin's site: for platform operators only.

The admin reads every organisation's records unscoped, so no organisation's people may
use it, not even its administrators (they have the members pages): a staff flag set on
someone who belongs to an organisation opens nothing here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class PlatformAdminSite(admin.AdminSite):
    site_header = "Ripple platform administration"
    site_title = "Ripple platform"

    def has_permission(self, request: HttpRequest) -> bool:
        from backend.selectors import is_platform_operator

        return is_platform_operator(user=request.user)


class PlatformAdminConfig(AdminConfig):
    """The Django admin (in INSTALLED_APPS), on the platform operators' site."""

    default_site = "backend.admin_site.PlatformAdminSite"
