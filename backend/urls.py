"""The composition root's URLs: every app's API under /api/v1/, docs, health and admin."""

from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend.errors import json_error_view
from backend.health import healthz
from backend.parsers import RequestTooLarge
from backend.routing import Router  # noqa: F401 - registers the <id:...> path converter

api_v1 = [
    path("", include("backend.api")),
    path("", include("projects.api")),
    path("", include("projects.spc_api")),
    path("", include("pdsa.api")),
    path("", include("spread.api")),
    path("", include("notifications.api")),
    path("", include("capability.api")),
    path("", include("assessment.api")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    # The phone pages (server-rendered, NHS.UK design system), each app's own.
    path("", include("backend.pages")),
    path("", include("backend.pages.accounts")),
    path("", include("backend.pages.organisation")),
    path("", include("projects.pages")),
    path("", include("pdsa.pages")),
    path("", include("spread.pages")),
    path("", include("notifications.pages")),
    # The desk: the coach's, the QI team's and the board's pages, and comments.
    path("", include("projects.comment_pages")),
    path("", include("projects.portfolio_pages")),
    path("", include("projects.measure_pages")),
    path("", include("projects.board_pages")),
    path("", include("pdsa.comment_pages")),
    path("", include("notifications.caseload_pages")),
    path("", include("notifications.review_pages")),
    path("", include("capability.pages")),
    path("", include("assessment.pages")),
]

_api_bad_request = json_error_view(400, "bad_request", "The request could not be read.")
_api_too_large = json_error_view(413, "too_large", str(RequestTooLarge().detail))
_api_not_found = json_error_view(404, "not_found", "Not found.")
_api_server_error = json_error_view(500, "server_error", "Something went wrong on our side.")


def handler400(request, exception):
    # Django's own refusals before a view runs: a body past the upload limit (read by
    # Django, not the parser) or a malformed request.
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return _api_too_large(request)
        return _api_bad_request(request)
    return defaults.bad_request(request, exception)


def handler404(request, exception):
    if request.path.startswith("/api/"):
        return _api_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return _api_server_error(request)
    return defaults.server_error(request)
