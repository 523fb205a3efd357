"""Phone pages for notifications: the list behind the header's badge, and the preferences
page that every e-mail links to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from backend.pages import PageForm, invalid_form_response, save_or_refuse
from notifications.models import CELEBRATION_KINDS, NUDGE_KINDS, Kind, Preference
from notifications.selectors import notification_list
from notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
    preferences_for,
)

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


DAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _kind_choices(kinds: frozenset[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Kind.choices if value in kinds]


class PreferenceForm(PageForm):
    refuses_nhs_numbers = False

    nudges = forms.MultipleChoiceField(
        label="Reminders",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick what you do not want to hear about.",
    )
    celebrations = forms.MultipleChoiceField(
        label="Celebrations",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="When the data show a real win.",
    )
    email = forms.TypedChoiceField(
        label="Send them by email too?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    digest_weekday = forms.TypedChoiceField(
        label="Which day should the weekly digest come?",
        choices=DAYS,
        coerce=int,
    )
    quiet_hours_start = forms.TimeField(
        label="Quiet hours start (optional)",
        required=False,
        help_text="No email in these hours, for example 21:00. They wait until the end.",
        widget=forms.TimeInput(attrs={"type": "time", "class": "nhsuk-input--width-5"}),
        error_messages={"invalid": "Enter a time like 21:00"},
    )
    quiet_hours_end = forms.TimeField(
        label="Quiet hours end (optional)",
        required=False,
        help_text="For example 07:00.",
        widget=forms.TimeInput(attrs={"type": "time", "class": "nhsuk-input--width-5"}),
        error_messages={"invalid": "Enter a time like 07:00"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nudges"].choices = _kind_choices(NUDGE_KINDS | {Kind.DIGEST})
        self.fields["celebrations"].choices = _kind_choices(CELEBRATION_KINDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("quiet_hours_start") is None) != (data.get("quiet_hours_end") is None):
            missing = "quiet_hours_end" if data.get("quiet_hours_start") else "quiet_hours_start"
            self.add_error(missing, "Enter both the start and the end, or neither")
        return data

    def changes(self) -> dict[str, Any]:
        """The form as the preference service takes it."""
        wanted = set(self.cleaned_data["nudges"]) | set(self.cleaned_data["celebrations"])
        offered = {value for value, _ in self.fields["nudges"].choices} | {
            value for value, _ in self.fields["celebrations"].choices
        }
        return {
            "email": self.cleaned_data["email"],
            "muted_kinds": sorted(offered - wanted),
            "digest_weekday": self.cleaned_data["digest_weekday"],
            "quiet_hours_start": self.cleaned_data["quiet_hours_start"],
            "quiet_hours_end": self.cleaned_data["quiet_hours_end"],
        }


def _initial(preference: Preference) -> dict[str, Any]:
    muted = set(preference.muted_kinds or [])
    return {
        "nudges": [k for k in NUDGE_KINDS | {Kind.DIGEST} if k not in muted],
        "celebrations": [k for k in CELEBRATION_KINDS if k not in muted],
        "email": "yes" if preference.email else "no",
        "digest_weekday": preference.digest_weekday,
        "quiet_hours_start": preference.quiet_hours_start,
        "quiet_hours_end": preference.quiet_hours_end,
    }


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """What you hear about, whether by email too, the digest's day, and quiet hours."""
    preference = preferences_for([request.user.pk])[request.user.pk]
    form = PreferenceForm(request.POST or None, initial=_initial(preference))
    if request.method == "POST":
        if form.is_valid() and save_or_refuse(
            form, lambda: preference_update(user=request.user, **form.changes())
        ):
            messages.success(request, "Your choices have been saved")
            return redirect("notification-preferences")
        return invalid_form_response(
            request, "notifications/pages/preferences.html", {"form": form}
        )
    return render(request, "notifications/pages/preferences.html", {"form": form})


urlpatterns = [
    path("notifications/preferences/", preferences, name="notification-preferences"),
    path("notifications/", notification_page, name="notification-list"),
    path("notifications/<int:pk>/", notification_open, name="notification-open"),
    path("notifications/read-all/", notification_read_all, name="notification-read-all"),
]
