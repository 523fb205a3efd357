"""Phone pages for notifications: the list behind the header's badge."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications.selectors import notification_list
from notifications.services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 25


@login_required
def notification_page(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked."""
    page = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/pages/list.html",
        {"page": page, "any_unread": any(n.read_at is None for n in page)},
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    notification = get_object_or_404(notification_list(user=request.user), pk=pk)
    notification_mark_read(notification=notification, by=request.user)
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    return redirect("notification-list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notification read."""
    notifications_mark_all_read(user=request.user)
    return redirect("notification-list")


urlpatterns = [
    path("notifications/", notification_page, name="notification-list"),
    path("notifications/<id:pk>/", notification_open, name="notification-open"),
    path("notifications/read-all/", notification_read_all, name="notification-read-all"),
]
