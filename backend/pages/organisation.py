"""The organisation administrator's pages: members, invitations, units, sign-in settings
and the sign-in record. For the administrator role only (not Django superusers), each
scoped to an organisation they administer; every change keeps who made it and why."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from backend import selectors, services
from backend.errors import ApplicationError
from backend.models import Membership, Organisation, Unit
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from backend.sso import button_label as sso_button_label

PAGE_SIZE = 50
SECTIONS = [
    ("organisation-members", "Members"),
    ("organisation-invitations", "Invitations"),
    ("organisation-units", "Units"),
    ("organisation-settings", "Sign-in settings"),
    ("organisation-sign-ins", "Sign-in record"),
]
# Which section each page belongs to, by its template's name.
SECTION_OF = {
    "members": "organisation-members",
    "member": "organisation-members",
    "invitations": "organisation-invitations",
    "units": "organisation-units",
    "unit": "organisation-units",
    "settings": "organisation-settings",
    "sign_ins": "organisation-sign-ins",
}
CSV_MAX_BYTES = 1_000_000
REASON_HINT = "Kept in the history with your name, so others know why."


def _organisation(request: HttpRequest) -> Organisation:
    return selectors.administered_organisation(
        user=request.user,
        organisation_id=request.GET.get("organisation") or request.POST.get("organisation"),
    )


def _url(name: str, organisation: Organisation, *args: Any) -> str:
    """A page's address that keeps to the organisation (for someone who runs several)."""
    return f"{reverse(name, args=args)}?organisation={organisation.pk}"


def _render(
    request: HttpRequest,
    template: str,
    organisation: Organisation,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "organisations": selectors.administered_organisations(user=request.user),
        "admin_sections": SECTIONS,
        "current_section": SECTION_OF[template.rsplit("/", 1)[-1].split(".")[0]],
        "sso_label": sso_button_label(),
        "invitation_days": settings.RIPPLE_INVITATION_DAYS,
        "failure_limit": settings.RIPPLE_SIGN_IN_FAILURE_LIMIT,
        **context,
    }
    if status == 400:
        return invalid_form_response(request, template, context)
    return render(request, template, context, status=status)


def _unit_choices(organisation: Organisation, *, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [
        (str(unit.pk), f"{'— ' * depth}{unit.name}")
        for unit, depth in selectors.unit_tree(organisation=organisation, active_only=True)
    ]


class UnitChoiceField(forms.TypedChoiceField):
    """A unit of the organisation in use, shown indented as the tree is."""

    def __init__(self, organisation: Organisation, *, blank: str, **kwargs: Any) -> None:
        self.organisation = organisation
        super().__init__(
            choices=_unit_choices(organisation, blank=blank),
            coerce=self.unit,
            empty_value=None,
            required=False,
            **kwargs,
        )

    def unit(self, value: str) -> Unit | None:
        return Unit.objects.filter(organisation=self.organisation, pk=value).first()


def _reason(required: bool = False, label: str = "Why (optional)") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=500,
        help_text=REASON_HINT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why"},
    )


# --- members ----------------------------------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """Everyone in the organisation, with their role, where they work and their last
    sign-in; search by name or e-mail."""
    organisation = _organisation(request)
    search = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    role = role if role in Membership.Role.values else ""
    page = Paginator(
        selectors.member_list(organisation=organisation, search=search, role=role), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return _render(
        request,
        "backend/organisation/members.html",
        organisation,
        {"page": page, "search": search, "role": role, "roles": Membership.Role.choices},
    )


class MemberForm(PageForm):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)
    caseload_capacity = forms.IntegerField(
        label="Projects they can coach at once",
        required=False,
        min_value=0,
        max_value=100,
        help_text="For improvement coaches. Leave empty if they do not coach.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
    )
    reason = _reason()

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_unit"] = UnitChoiceField(
            organisation, blank="Not one place", label="Where they work"
        )
        self.order_fields(["role", "home_unit", "caseload_capacity", "reason"])


class DeactivateForm(PageForm):
    reason = _reason(required=True, label="Why are they leaving Ripple?")


def _member_page(
    request: HttpRequest,
    organisation: Organisation,
    membership: Membership,
    *,
    form: MemberForm | None = None,
    deactivate_form: DeactivateForm | None = None,
) -> HttpResponse:
    form = form or MemberForm(
        organisation=organisation,
        initial={
            "role": membership.role,
            "home_unit": str(membership.home_unit_id or ""),
            "caseload_capacity": membership.caseload_capacity,
        },
    )
    deactivate_form = deactivate_form or DeactivateForm(prefix="deactivate")
    context = {
        "membership": membership,
        # The error summary speaks for whichever form was sent.
        "form": deactivate_form if deactivate_form.errors else form,
        "member_form": form,
        "deactivate_form": deactivate_form,
        "history": selectors.change_history(membership),
        "events": selectors.sign_in_event_list(organisation=organisation).filter(
            user=membership.user
        )[:10],
    }
    status = 400 if form.errors or deactivate_form.errors else 200
    return _render(request, "backend/organisation/member.html", organisation, context, status)


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One member: change their role, home unit and coaching; deactivate or reactivate."""
    organisation = _organisation(request)
    membership = get_object_or_404(selectors.member_list(organisation=organisation), pk=pk)
    if request.method != "POST":
        return _member_page(request, organisation, membership)
    form = MemberForm(request.POST, organisation=organisation)
    if form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        saved = save_or_refuse(
            form,
            lambda: services.membership_update(
                by=request.user, membership=membership, reason=reason, **data
            ),
        )
        if saved is not None:
            messages.success(request, f"{membership.user} has been updated")
            return redirect(_url("organisation-members", organisation))
    return _member_page(request, organisation, membership, form=form)


@login_required
@require_POST
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a member: they are signed out everywhere at once."""
    organisation = _organisation(request)
    membership = get_object_or_404(selectors.member_list(organisation=organisation), pk=pk)
    form = DeactivateForm(request.POST, prefix="deactivate")
    if form.is_valid() and save_or_refuse(
        form,
        lambda: services.member_deactivate(
            by=request.user, membership=membership, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(
            request, f"{membership.user} has been deactivated and signed out everywhere"
        )
        return redirect(_url("organisation-members", organisation))
    return _member_page(request, organisation, membership, deactivate_form=form)


@login_required
@require_POST
def member_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    membership = get_object_or_404(selectors.member_list(organisation=organisation), pk=pk)
    services.member_reactivate(by=request.user, membership=membership)
    messages.success(request, f"{membership.user} can sign in again")
    return redirect(_url("organisation-member", organisation, membership.pk))


# --- invitations ------------------------------------------------------------------------


class InviteForm(PageForm):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )
    full_name = forms.CharField(label="Their name (optional)", required=False, max_length=200)
    role = forms.ChoiceField(
        label="Role", choices=Membership.Role.choices, initial=Membership.Role.FRONTLINE
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_unit"] = UnitChoiceField(
            organisation, blank="Not one place", label="Where they work"
        )


class InviteFileForm(PageForm):
    file = forms.FileField(
        label="A CSV file of people",
        help_text=(
            "One person a row under a first row of column names: email, name, unit, role. "
            "Unit is the ward or team's name as it is here; role is one of frontline, "
            "coach, QI team, leader, lived-experience partner, administrator."
        ),
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def field_for(self, service_field: str | None) -> str | None:
        # Every bad row is the file's fault: each is listed, and each leads to the file.
        return "file"

    def add_refusal(self, error: ApplicationError | ValidationError) -> None:
        if isinstance(error, ApplicationError) and error.extra.get("errors"):
            self.add_error("file", error.message)
        super().add_refusal(error)

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 1 MB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                "Save the file as CSV UTF-8 (a spreadsheet's “Save as” offers it)"
            ) from error


def _invitations_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    invite_form: InviteForm | None = None,
    file_form: InviteFileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "invite_form": invite_form or InviteForm(organisation=organisation),
        "file_form": file_form or InviteFileForm(),
        "invitations": selectors.invitation_list(organisation=organisation),
        # The error summary at the top speaks for whichever form was sent.
        "form": invite_form if invite_form is not None else file_form,
    }
    return _render(request, "backend/organisation/invitations.html", organisation, context, status)


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    """Who has been invited and not yet joined; invite one person or a file of them."""
    return _invitations_page(request, _organisation(request))


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = InviteForm(request.POST, organisation=organisation)
    if form.is_valid():
        invitation = save_or_refuse(
            form,
            lambda: services.invitation_create(
                by=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
                home_unit=form.cleaned_data["home_unit"],
            ),
        )
        if invitation is not None:
            messages.success(request, f"An invitation is on its way to {invitation.email}")
            return redirect(_url("organisation-invitations", organisation))
    return _invitations_page(request, organisation, invite_form=form, status=400)


@login_required
@require_POST
def invite_file(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = InviteFileForm(request.POST, request.FILES)
    if form.is_valid():
        sent = save_or_refuse(
            form,
            lambda: services.invitations_import(
                by=request.user, organisation=organisation, text=form.cleaned_data["file"]
            ),
        )
        if sent is not None:
            people = "1 person" if len(sent) == 1 else f"{len(sent)} people"
            messages.success(request, f"Invitations are on their way to {people}")
            return redirect(_url("organisation-invitations", organisation))
    return _invitations_page(request, organisation, file_form=form, status=400)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    invitation = get_object_or_404(selectors.invitation_list(organisation=organisation), pk=pk)
    services.invitation_resend(by=request.user, invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} has been sent again")
    return redirect(_url("organisation-invitations", organisation))


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    invitation = get_object_or_404(selectors.invitation_list(organisation=organisation), pk=pk)
    services.invitation_revoke(by=request.user, invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} has been withdrawn")
    return redirect(_url("organisation-invitations", organisation))


# --- units ------------------------------------------------------------------------------


class UnitForm(PageForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the unit's name"}
    )
    level = forms.ChoiceField(
        label="What level it is", choices=Unit.Level.choices, initial=Unit.Level.UNIT
    )
    kind = forms.ChoiceField(label="What kind of place", choices=Unit.Kind.choices)

    def __init__(
        self, *args: Any, organisation: Organisation, reason: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitChoiceField(
            organisation, blank="Nothing: it is at the top", label="Inside"
        )
        names = ["name", "parent", "level", "kind"]
        if reason:
            self.fields["reason"] = _reason()
            names.append("reason")
        self.order_fields(names)


class RetireForm(PageForm):
    reason = _reason(required=True, label="Why is it being retired?")


@login_required
def units(request: HttpRequest) -> HttpResponse:
    """The organisation's sites, divisions, directorates, wards and teams as a tree; add
    one."""
    organisation = _organisation(request)
    form = UnitForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        unit = save_or_refuse(
            form,
            lambda: services.unit_create(
                by=request.user, organisation=organisation, **form.cleaned_data
            ),
        )
        if unit is not None:
            messages.success(request, f"{unit.name} has been added")
            return redirect(_url("organisation-units", organisation))
    context = {"tree": selectors.unit_tree(organisation=organisation), "form": form}
    status = 400 if form.errors else 200
    return _render(request, "backend/organisation/units.html", organisation, context, status)


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename or move a unit, or retire it."""
    organisation = _organisation(request)
    unit = get_object_or_404(Unit.objects.filter(organisation=organisation), pk=pk)
    form = UnitForm(
        request.POST or None,
        organisation=organisation,
        reason=True,
        initial={
            "name": unit.name,
            "parent": str(unit.parent_id or ""),
            "level": unit.level,
            "kind": unit.kind,
        },
    )
    form.fields["parent"].choices = [
        choice for choice in form.fields["parent"].choices if choice[0] != str(unit.pk)
    ]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        saved = save_or_refuse(
            form,
            lambda: services.unit_update(by=request.user, unit=unit, reason=reason, **data),
        )
        if saved is not None:
            messages.success(request, f"{unit.name} has been saved")
            return redirect(_url("organisation-units", organisation))
    return _unit_page(
        request, organisation, unit, form=form, retire_form=RetireForm(prefix="retire")
    )


def _unit_page(
    request: HttpRequest,
    organisation: Organisation,
    unit: Unit,
    *,
    form: UnitForm,
    retire_form: RetireForm,
) -> HttpResponse:
    context = {
        "unit": unit,
        "form": form if form.errors or not retire_form.errors else retire_form,
        "unit_form": form,
        "retire_form": retire_form,
        "history": selectors.change_history(unit),
    }
    status = 400 if form.errors or retire_form.errors else 200
    return _render(request, "backend/organisation/unit.html", organisation, context, status)


@login_required
@require_POST
def unit_retire(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    unit = get_object_or_404(Unit.objects.filter(organisation=organisation), pk=pk)
    form = RetireForm(request.POST, prefix="retire")
    if form.is_valid() and save_or_refuse(
        form,
        lambda: services.unit_retire(
            by=request.user, unit=unit, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, f"{unit.name} has been retired")
        return redirect(_url("organisation-units", organisation))
    unit.refresh_from_db()
    return _unit_page(
        request,
        organisation,
        unit,
        form=UnitForm(
            organisation=organisation,
            reason=True,
            initial={
                "name": unit.name,
                "parent": str(unit.parent_id or ""),
                "level": unit.level,
                "kind": unit.kind,
            },
        ),
        retire_form=form,
    )


# --- sign-in settings and record --------------------------------------------------------


YES_NO = [("yes", "Yes"), ("no", "No")]


class SettingsForm(PageForm):
    password_sign_in = forms.TypedChoiceField(
        label="Can people sign in with a password?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="Choose no to have everyone sign in with their organisation account.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_unit"] = UnitChoiceField(
            organisation,
            blank="Not one place",
            label="Where do people who join from an allowed domain start?",
        )
        if "projects_need_approval" in services.organisation_setting_names():
            self.fields["projects_need_approval"] = forms.TypedChoiceField(
                label="Do new projects need approval?",
                choices=YES_NO,
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                help_text="Yes: a coach or the QI team approves each new project.",
            )
        self.fields["reason"] = _reason()


class DomainForm(PageForm):
    domain = forms.CharField(
        label="Email domain",
        max_length=253,
        help_text="The part of your people's email addresses after the @, like trust.nhs.uk.",
        error_messages={"required": "Enter a domain"},
    )


def _settings_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    form: SettingsForm | None = None,
    domain_form: DomainForm | None = None,
    status: int = 200,
) -> HttpResponse:
    shown = form or SettingsForm(organisation=organisation, initial=_settings_initial(organisation))
    context = {
        "form": form if form is not None else domain_form,
        "settings_form": shown,
        "domain_form": domain_form or DomainForm(),
        "domains": selectors.allowed_domain_list(organisation=organisation),
        "sso_enabled": bool(sso_button_label()),
        "history": selectors.settings_history(organisation=organisation),
    }
    return _render(request, "backend/organisation/settings.html", organisation, context, status)


def _settings_initial(organisation: Organisation) -> dict[str, str]:
    initial = {
        "password_sign_in": "yes" if organisation.password_sign_in else "no",
        "default_unit": str(organisation.default_unit_id or ""),
    }
    if "projects_need_approval" in services.organisation_setting_names():
        initial["projects_need_approval"] = "yes" if organisation.projects_need_approval else "no"
    return initial


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """How people sign in and join, and the allowed e-mail domains."""
    organisation = _organisation(request)
    if request.method != "POST":
        return _settings_page(request, organisation)
    form = SettingsForm(request.POST, organisation=organisation)
    if form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        saved = save_or_refuse(
            form,
            lambda: services.organisation_settings_update(
                by=request.user, organisation=organisation, reason=reason, **data
            ),
        )
        if saved is not None:
            messages.success(request, "The sign-in settings have been saved")
            return redirect(_url("organisation-settings", organisation))
    return _settings_page(request, organisation, form=form, status=400)


@login_required
@require_POST
def domain_add(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = DomainForm(request.POST)
    if form.is_valid():
        allowed = save_or_refuse(
            form,
            lambda: services.allowed_domain_add(
                by=request.user, organisation=organisation, domain=form.cleaned_data["domain"]
            ),
        )
        if allowed is not None:
            messages.success(request, f"People at {allowed.domain} can now join")
            return redirect(_url("organisation-settings", organisation))
    return _settings_page(request, organisation, domain_form=form, status=400)


@login_required
@require_POST
def domain_remove(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    allowed = get_object_or_404(selectors.allowed_domain_list(organisation=organisation), pk=pk)
    services.allowed_domain_remove(by=request.user, allowed=allowed)
    messages.success(request, f"People at {allowed.domain} now need an invitation")
    return redirect(_url("organisation-settings", organisation))


@login_required
def sign_ins(request: HttpRequest) -> HttpResponse:
    """Each member's last sign-in, wrong passwords and lockouts, and the latest attempts."""
    organisation = _organisation(request)
    events = Paginator(selectors.sign_in_event_list(organisation=organisation), PAGE_SIZE)
    context = {
        "summaries": selectors.sign_in_summaries(organisation=organisation),
        "events": events.get_page(request.GET.get("page")),
    }
    return _render(request, "backend/organisation/sign_ins.html", organisation, context)


urlpatterns = [
    path("organisation/members/", members, name="organisation-members"),
    path("organisation/members/<id:pk>/", member_edit, name="organisation-member"),
    path(
        "organisation/members/<id:pk>/deactivate/",
        member_deactivate,
        name="organisation-member-deactivate",
    ),
    path(
        "organisation/members/<id:pk>/reactivate/",
        member_reactivate,
        name="organisation-member-reactivate",
    ),
    path("organisation/invitations/", invitations, name="organisation-invitations"),
    path("organisation/invitations/new/", invite, name="organisation-invite"),
    path("organisation/invitations/file/", invite_file, name="organisation-invite-file"),
    path(
        "organisation/invitations/<id:pk>/resend/",
        invitation_resend,
        name="organisation-invitation-resend",
    ),
    path(
        "organisation/invitations/<id:pk>/revoke/",
        invitation_revoke,
        name="organisation-invitation-revoke",
    ),
    path("organisation/units/", units, name="organisation-units"),
    path("organisation/units/<id:pk>/", unit_edit, name="organisation-unit"),
    path("organisation/units/<id:pk>/retire/", unit_retire, name="organisation-unit-retire"),
    path("organisation/settings/", settings_page, name="organisation-settings"),
    path("organisation/settings/domains/", domain_add, name="organisation-domain-add"),
    path(
        "organisation/settings/domains/<id:pk>/remove/",
        domain_remove,
        name="organisation-domain-remove",
    ),
    path("organisation/sign-ins/", sign_ins, name="organisation-sign-ins"),
]
