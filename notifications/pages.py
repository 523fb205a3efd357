"""Pages for notifications: the list behind the header's badge, the organisation's wins
(with thanks to the people behind them), and the QI team's nudge settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.models import User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from notifications.models import Kind, Notification, NudgeSettings
from notifications.rules.team import everyone, team_by_project
from notifications.selectors import (
    notification_list,
    nudge_settings_get,
    nudge_settings_organisations,
    thanks_by_win,
    win_get,
    win_list,
)
from notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    nudge_settings_update,
    thanks_send,
)
from notifications.services.messages import THANKS_MAX

PAGE_SIZE = 25
WINS_PAGE_SIZE = 10
# The strength of a win's evidence in a few words, and its tag's colour: never more than
# the rule that fired supports (one good month is "keep watching", not "proven").
SIGNAL_STRENGTH = {
    "sustained": ("Sustained improvement", "blue"),
    "early": ("Early sign: keep watching", "yellow"),
    "unusual": ("One unusual result: keep watching", "grey"),
}
ADOPTION_STRENGTH = {
    "sustained": ("Adopted, with sustained improvement", "blue"),
    "early": ("Adopted, with an early sign: keep watching", "yellow"),
    None: ("Adopted on the team's judgement: no signal yet", "grey"),
}


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


def win_strength(win: Notification) -> dict[str, str]:
    """How strong the evidence behind a win is, in words and a tag colour."""
    strength = (win.evidence or {}).get("strength")
    if win.kind == Kind.SIGNAL:
        words, colour = SIGNAL_STRENGTH.get(strength, SIGNAL_STRENGTH["unusual"])
    elif win.kind == Kind.AIM_MET:
        words, colour = "Aim met, by the SPC rules", "green"
    elif win.kind == Kind.CHANGE_ADOPTED:
        words, colour = ADOPTION_STRENGTH.get(strength, ADOPTION_STRENGTH[None])
    else:
        words, colour = "Taken up by another unit", "purple"
    return {"words": words, "colour": colour}


@login_required
def wins_page(request: HttpRequest) -> HttpResponse:
    """The organisation's recent wins, each worded by the strength of its evidence, with
    its chart and the thanks it received."""
    page = Paginator(win_list(user=request.user), WINS_PAGE_SIZE).get_page(request.GET.get("page"))
    wins = list(page)
    thanks = thanks_by_win(wins=wins)
    rows = [
        {"win": win, "strength": win_strength(win), "thanks": thanks[win.win_key]} for win in wins
    ]
    return render(request, "notifications/pages/wins.html", {"page": page, "rows": rows})


class ThanksForm(PageForm):
    person = forms.TypedChoiceField(
        label="Who would you like to thank?",
        coerce=int,
        empty_value=0,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who to thank"},
    )
    message = forms.CharField(
        label="Your message",
        max_length=THANKS_MAX,
        help_text=f"A few words: what difference it made. Up to {THANKS_MAX} characters.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write a few words of thanks",
            "max_length": f"Keep it to {THANKS_MAX} characters or fewer",
        },
    )

    def __init__(self, *args: Any, team: list[User], project_title: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in team}
        self.fields["person"].choices = [
            (0, f"The whole team of {project_title}"),
            *((person.pk, str(person)) for person in team),
        ]


@login_required
@idempotent_page
def win_thank(request: HttpRequest, pk: int) -> HttpResponse:
    """Thank the team behind a win, or one person on it; they are told."""
    win = win_get(user=request.user, pk=pk)
    ids = everyone(team_by_project([win.project_id])[win.project_id])
    people = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    team = [people[i] for i in ids if i in people and i != request.user.pk]
    form = ThanksForm(
        request.POST or None,
        team=team,
        project_title=win.project.title,
        initial={"person": 0},
    )
    if request.method == "POST" and form.is_valid():
        person = form.people.get(form.cleaned_data["person"])
        sent = save_or_refuse(
            form,
            lambda: thanks_send(
                by=request.user, win=win, message=form.cleaned_data["message"], person=person
            ),
        )
        if sent is not None:
            who = str(person) if person else f"the {win.project.title} team"
            messages.success(request, f"Thanks sent to {who}.")
            return redirect(f"{reverse('wins')}#win-{win.pk}")
    context = {"form": form, "win": win, "strength": win_strength(win)}
    if form.errors:
        return invalid_form_response(request, "notifications/pages/thank.html", context)
    return render(request, "notifications/pages/thank.html", context)


class NudgeSettingsForm(PageForm):
    stall_days = forms.IntegerField(
        label="A project has stalled after (days)",
        min_value=1,
        max_value=365,
        help_text="An active project with no cycle, data or update for this many days: its "
        "coach and lead are nudged.",
    )
    overdue_days = forms.IntegerField(
        label="A cycle is overdue after (days)",
        min_value=1,
        max_value=365,
        help_text="A cycle still in Do this many days after its planned end.",
    )
    missing_periods = forms.IntegerField(
        label="Data are missing after (periods)",
        min_value=1,
        max_value=52,
        help_text="A measure with no data for this many of its weeks, months or quarters.",
    )
    study_pending_days = forms.IntegerField(
        label="A study is waiting after (days)",
        min_value=1,
        max_value=365,
        help_text="A cycle in Study with no learning written for this many days.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "numeric", "class": "nhsuk-input--width-4"})
            field.error_messages.update(
                {
                    "required": f"Enter {field.label.lower()}",
                    "invalid": "Enter a whole number",
                    "min_value": "Enter 1 or more",
                    "max_value": "Enter a smaller number",
                }
            )


THRESHOLD_FIELDS = ("stall_days", "overdue_days", "missing_periods", "study_pending_days")


@login_required
@idempotent_page
def nudge_settings_page(request: HttpRequest) -> HttpResponse:
    """The QI team sets when nudges go out for their organisation."""
    organisations = list(nudge_settings_organisations(user=request.user))
    if not organisations:
        forbid("Only the QI team and administrators can change when nudges are sent.")
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    current: NudgeSettings = nudge_settings_get(organisation=organisation)
    form = NudgeSettingsForm(
        request.POST or None, initial={name: getattr(current, name) for name in THRESHOLD_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        saved = save_or_refuse(
            form,
            lambda: nudge_settings_update(
                by=request.user, organisation=organisation, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "Nudge settings saved. The next daily scan uses them.")
            return redirect(f"{reverse('nudge-settings')}?organisation={organisation.pk}")
    context = {"form": form, "organisation": organisation, "organisations": organisations}
    if form.errors:
        return invalid_form_response(request, "notifications/pages/nudge_settings.html", context)
    return render(request, "notifications/pages/nudge_settings.html", context)


urlpatterns = [
    path("notifications/", notification_page, name="notification-list"),
    path("notifications/<int:pk>/", notification_open, name="notification-open"),
    path("notifications/read-all/", notification_read_all, name="notification-read-all"),
    path("wins/", wins_page, name="wins"),
    path("wins/<int:pk>/thank/", win_thank, name="win-thank"),
    path("settings/nudges/", nudge_settings_page, name="nudge-settings"),
]
