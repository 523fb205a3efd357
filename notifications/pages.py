"""Pages for notifications: the list behind the header's badge, the preferences page every
e-mail links to, the organisation's wins (with thanks to the people behind them), and the
QI team's nudge settings."""

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
from backend.kept_pages import kept_page
from backend.models import User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from notifications.models import (
    CELEBRATION_KINDS,
    NUDGE_KINDS,
    Kind,
    Notification,
    NudgeSettings,
    Preference,
)
from notifications.rules.team import everyone, team_by_project
from notifications.selectors import (
    notification_list,
    nudge_settings_get,
    nudge_settings_organisations,
    thanks_by_win,
    win_get,
    win_ids,
    wins_by_ids,
)
from notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    nudge_settings_update,
    preference_update,
    preferences_for,
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
@kept_page
def wins_page(request: HttpRequest) -> HttpResponse:
    """The organisation's recent wins, each worded by the strength of its evidence, with
    its chart and the thanks it received."""
    page = Paginator(win_ids(user=request.user), WINS_PAGE_SIZE).get_page(request.GET.get("page"))
    wins = wins_by_ids([row["first"] for row in page])
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
    path("notifications/<id:pk>/", notification_open, name="notification-open"),
    path("notifications/read-all/", notification_read_all, name="notification-read-all"),
    path("wins/", wins_page, name="wins"),
    path("wins/<id:pk>/thank/", win_thank, name="win-thank"),
    path("settings/nudges/", nudge_settings_page, name="nudge-settings"),
]
