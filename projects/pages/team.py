"""A project's team: who is on it and in what role; adding people by name or e-mail and
taking them off, by the rules the API keeps (``project_member_add`` / ``_remove``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.models import User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from projects.models import Project, ProjectMember
from projects.selectors import can_edit_project, colleague_list, project_get, project_member_list
from projects.services import project_member_add, project_member_remove

Role = ProjectMember.Role
# Offered when a search finds several people; a longer list asks for more of the name.
MATCHES_SHOWN = 8
ROLE_HINTS = {
    Role.LEAD: "Lead: runs the project day to day",
    Role.MEMBER: "Member: tests changes and collects data",
    Role.COACH: "Coach: supports the team with the method",
    Role.SPONSOR: "Sponsor: a senior person who clears the way",
    Role.LIVED_EXPERIENCE_PARTNER: "Lived-experience partner: a patient or carer on the team",
}


class AddMemberForm(PageForm):
    person = forms.CharField(
        label="Name or e-mail address",
        max_length=200,
        help_text="Someone in your organisation, such as “Sam Okafor” or sam.okafor@nhs.net.",
        error_messages={"required": "Enter the person's name or e-mail address"},
    )
    role = forms.ChoiceField(
        label="Their role on the team",
        choices=list(ROLE_HINTS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose their role on the team"},
    )
    # Offered only once a name matches several people (the choices are set then).
    chosen = forms.IntegerField(
        label="Which person do you mean?", required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.matches: list[User] = []

    def field_for(self, service_field: str | None) -> str | None:
        return "person" if service_field == "user" else super().field_for(service_field)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text = (data.get("person") or "").strip()
        if not text or self.errors:
            return data
        chosen = data.get("chosen")
        if chosen:
            data["user"] = self.people.filter(pk=chosen).first()
            if data["user"] is not None:
                return data
        exact = self.people.filter(email__iexact=text)
        found = list(exact) or list(
            self.people.filter(Q(full_name__icontains=text) | Q(email__icontains=text)).order_by(
                "full_name", "email"
            )[: MATCHES_SHOWN + 1]
        )
        if len(found) == 1:
            data["user"] = found[0]
        elif not found:
            self.add_error("person", f"No one in your organisation matches “{text}”")
        elif len(found) > MATCHES_SHOWN:
            self.add_error("person", "Many people match: type more of the name, or the e-mail")
        else:
            self.matches = found
            self.fields["chosen"].widget.choices = [
                (user.pk, f"{user.full_name or user.email} ({user.email})") for user in found
            ]
            self.add_error("chosen", f"{len(found)} people match “{text}”: choose one")
        return data


def _people(project: Project, user: User) -> QuerySet[User]:
    return colleague_list(user=user).filter(memberships__organisation_id=project.organisation_id)


@login_required
@idempotent_page
def project_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The team, and (for those who may change it) a form to add someone."""
    project = project_get(user=request.user, pk=pk)
    can_edit = can_edit_project(user=request.user, project=project)
    if request.method == "POST" and not can_edit:
        forbid("Only the project's team, its coach and the QI team can change its team.")
    form = AddMemberForm(request.POST or None, people=_people(project, request.user))
    if request.method == "POST" and form.is_valid():
        person, role = form.cleaned_data["user"], form.cleaned_data["role"]
        added = save_or_refuse(
            form,
            lambda: project_member_add(by=request.user, project=project, user=person, role=role),
        )
        if added is not None:
            messages.success(request, f"{person} is on the team as {added.get_role_display()}.")
            return redirect("project-team", pk=project.pk)
    members = list(
        project_member_list(user=request.user)
        .filter(project=project)
        .order_by("role", "user__full_name", "user__email")
    )
    context = {"project": project, "members": members, "form": form, "can_edit": can_edit}
    if form.errors:
        return invalid_form_response(request, "projects/team.html", context)
    return render(request, "projects/team.html", context)


@login_required
@require_POST
@idempotent_page
def project_member_delete(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Take someone off the team; sent again once they are off, nothing happens. Removing
    the last lead is refused with the service's reason."""
    project = project_get(user=request.user, pk=pk)
    member = project_member_list(user=request.user).filter(project=project, pk=member_pk).first()
    if member is not None:
        button = PageForm({})  # a button, not a form with fields: a refusal goes above the list
        button.is_valid()
        removed = save_or_refuse(
            button, lambda: project_member_remove(by=request.user, member=member) or True
        )
        if removed is None:
            for error in button.non_field_errors():
                messages.error(request, error)
        else:
            messages.success(request, f"{member.user} is no longer on the team.")
    return redirect("project-team", pk=project.pk)
