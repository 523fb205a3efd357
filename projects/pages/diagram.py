"""The driver diagram editor: primary and secondary drivers and change ideas, added,
renamed, moved up or down, moved under another driver and removed, each with a plain form
(so it works on a phone without JavaScript), through the driver diagram services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from projects.models import ChangeIdea, Driver, Project
from projects.selectors import can_edit_project, change_idea_list, driver_list, project_get
from projects.services import (
    change_idea_create,
    change_idea_delete,
    change_idea_move,
    change_idea_update,
    driver_create,
    driver_delete,
    driver_move,
    driver_update,
)

Kind = Driver.Kind
TITLE_ERRORS = {"required": "Enter the words for it", "max_length": "Keep it to 300 characters"}


def _title(label: str, hint: str = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=300, help_text=hint, error_messages=TITLE_ERRORS)


class PrimaryForm(PageForm):
    title = _title(
        "Primary driver",
        "What must be true to reach the aim, such as “Staff know who is at risk of falling”.",
    )


class SecondaryForm(PageForm):
    title = _title(
        "Secondary driver", "A part of a primary driver you can act on, such as “Handover”."
    )
    parent = forms.TypedChoiceField(
        label="Under which primary driver?",
        coerce=int,
        error_messages={"required": "Choose the primary driver it belongs to"},
    )

    def __init__(self, *args: Any, primaries: list[Driver], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(d.pk, d.title) for d in primaries]


class IdeaForm(PageForm):
    title = _title("Change idea", "Something to test, such as “Falls huddle at every handover”.")
    drivers = forms.TypedMultipleChoiceField(
        label="Which secondary drivers does it act on?",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, secondaries: list[Driver], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drivers"].choices = [(d.pk, d.title) for d in secondaries]


class Diagram:
    """The project's drivers and ideas in order, each with its edit form, from two queries."""

    def __init__(self, *, user: Any, project: Project, data: Any = None, bound: str = "") -> None:
        self.project = project
        self.drivers = list(
            driver_list(user=user).filter(project=project).order_by("position", "id")
        )
        self.ideas = list(
            change_idea_list(user=user).filter(project=project).order_by("position", "id")
        )
        self.primaries = [d for d in self.drivers if d.kind == Kind.PRIMARY]
        self.secondaries = [d for d in self.drivers if d.kind == Kind.SECONDARY]
        self.by_id = {d.pk: d for d in self.drivers}
        self.bound = bound

        def form(prefix: str, make: Callable[..., PageForm], **initial: Any) -> PageForm:
            if prefix == bound:
                return make(data, prefix=prefix)
            return make(prefix=prefix, initial=initial)

        self.new_primary = form("new-primary", PrimaryForm)
        self.new_secondary = form(
            "new-secondary", lambda *a, **k: SecondaryForm(*a, primaries=self.primaries, **k)
        )
        self.new_idea = form(
            "new-idea", lambda *a, **k: IdeaForm(*a, secondaries=self.secondaries, **k)
        )
        self.forms: dict[str, PageForm] = {}
        for driver in self.drivers:
            prefix = f"driver-{driver.pk}"
            if driver.kind == Kind.PRIMARY:
                self.forms[prefix] = form(prefix, PrimaryForm, title=driver.title)
            else:
                primaries = self.primaries
                self.forms[prefix] = form(
                    prefix,
                    lambda *a, p=primaries, **k: SecondaryForm(*a, primaries=p, **k),
                    title=driver.title,
                    parent=driver.parent_id,
                )
        for idea in self.ideas:
            prefix = f"idea-{idea.pk}"
            self.forms[prefix] = form(
                prefix,
                lambda *a, **k: IdeaForm(*a, secondaries=self.secondaries, **k),
                title=idea.title,
                drivers=[d.pk for d in idea.drivers.all()],
            )

    def bound_form(self) -> PageForm | None:
        if self.bound.startswith("new-"):
            return {"new-primary": self.new_primary, "new-secondary": self.new_secondary}.get(
                self.bound, self.new_idea
            )
        return self.forms.get(self.bound)

    def tree(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Primary drivers, their secondary drivers, the ideas under each, with forms."""
        ideas_of: dict[int, list[ChangeIdea]] = {}
        unlinked = []
        for idea in self.ideas:
            linked = [d.pk for d in idea.drivers.all()]
            for driver_id in linked:
                ideas_of.setdefault(driver_id, []).append(idea)
            if not linked:
                unlinked.append(idea)

        positions = {idea.pk: index for index, idea in enumerate(self.ideas)}
        shown: set[int] = set()

        def idea_row(idea: ChangeIdea) -> dict[str, Any]:
            # An idea serving several drivers is edited where it first appears; the others
            # name it (one form, so one set of field ids, per idea).
            if idea.pk in shown:
                return {"item": idea, "also": True}
            shown.add(idea.pk)
            return {
                "item": idea,
                "prefix": f"idea-{idea.pk}",
                "form": self.forms[f"idea-{idea.pk}"],
                "first": positions[idea.pk] == 0,
                "last": positions[idea.pk] == len(self.ideas) - 1,
            }

        rows = []
        for primary in self.primaries:
            secondaries = [d for d in self.secondaries if d.parent_id == primary.pk]
            rows.append(
                {
                    "item": primary,
                    "prefix": f"driver-{primary.pk}",
                    "form": self.forms[f"driver-{primary.pk}"],
                    "first": primary is self.primaries[0],
                    "last": primary is self.primaries[-1],
                    "secondaries": [
                        {
                            "item": secondary,
                            "prefix": f"driver-{secondary.pk}",
                            "form": self.forms[f"driver-{secondary.pk}"],
                            "first": secondary is secondaries[0],
                            "last": secondary is secondaries[-1],
                            "ideas": [idea_row(i) for i in ideas_of.get(secondary.pk, [])],
                        }
                        for secondary in secondaries
                    ],
                }
            )
        return rows, [idea_row(i) for i in unlinked]


def _write(request: HttpRequest, diagram: Diagram) -> tuple[Any, str]:
    """Do what the POST asks: (what it wrote, or None; what to say)."""
    action = request.POST.get("action", "")
    project, by = diagram.project, request.user
    form = diagram.bound_form()
    if action in ("add-primary", "add-secondary", "add-idea", "save"):
        if form is None or not form.is_valid():
            return None, ""
        data = form.cleaned_data
        write = {
            "add-primary": lambda: driver_create(
                by=by, project=project, kind=Kind.PRIMARY, title=data["title"]
            ),
            "add-secondary": lambda: driver_create(
                by=by,
                project=project,
                kind=Kind.SECONDARY,
                title=data["title"],
                parent=diagram.by_id.get(data["parent"]),
            ),
            "add-idea": lambda: change_idea_create(
                by=by,
                project=project,
                title=data["title"],
                drivers=[diagram.by_id[pk] for pk in data["drivers"]],
            ),
        }.get(action) or _save(diagram, form, data, by)
        done = save_or_refuse(form, write)
        return done, f"Saved “{data['title']}”." if done is not None else ""
    return _move_or_remove(request, diagram), ""


def _save(diagram: Diagram, form: PageForm, data: dict[str, Any], by: Any) -> Callable[[], Any]:
    kind, _, pk = diagram.bound.partition("-")
    if kind == "driver":
        driver = diagram.by_id[int(pk)]
        parent = diagram.by_id.get(data["parent"]) if "parent" in data else driver.parent
        return lambda: driver_update(by=by, driver=driver, title=data["title"], parent=parent)
    idea = next(i for i in diagram.ideas if i.pk == int(pk))
    drivers = [diagram.by_id[pk] for pk in data["drivers"]]
    return lambda: change_idea_update(by=by, idea=idea, title=data["title"], drivers=drivers)


def _move_or_remove(request: HttpRequest, diagram: Diagram) -> Any:
    action, item = request.POST.get("action", ""), request.POST.get("item", "")
    kind, _, pk = item.partition("-")
    by = request.user
    target: Driver | ChangeIdea | None = None
    if kind == "driver" and pk.isdigit():
        target = diagram.by_id.get(int(pk))
    elif kind == "idea" and pk.isdigit():
        target = next((i for i in diagram.ideas if i.pk == int(pk)), None)
    if target is None:
        return None  # gone already (a resend): nothing to do
    button = PageForm({})
    button.is_valid()
    if action in ("up", "down"):
        offset = -1 if action == "up" else 1
        write = (
            (lambda: driver_move(by=by, driver=target, offset=offset))
            if kind == "driver"
            else (lambda: change_idea_move(by=by, idea=target, offset=offset))
        )
    elif action == "remove":
        write = (
            (lambda: driver_delete(by=by, driver=target) or target)
            if kind == "driver"
            else (lambda: change_idea_delete(by=by, idea=target) or target)
        )
    else:
        return None
    if save_or_refuse(button, write) is None:
        for error in button.non_field_errors():
            messages.error(request, error)
    elif action == "remove":
        messages.success(request, f"Removed “{target.title}”.")
    return target


@login_required
@idempotent_page
def project_diagram(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the driver diagram, one small form at a time."""
    project = project_get(user=request.user, pk=pk)
    if not can_edit_project(user=request.user, project=project):
        forbid("Only the project's team, its coach and the QI team can change its driver diagram.")
    bound = request.POST.get("form", "") if request.method == "POST" else ""
    diagram = Diagram(user=request.user, project=project, data=request.POST or None, bound=bound)
    if request.method == "POST":
        done, said = _write(request, diagram)
        form = diagram.bound_form()
        if form is None or not form.errors:
            if said:
                messages.success(request, said)
            anchor = _anchor(done)
            return redirect(reverse("project-diagram", args=[project.pk]) + anchor)
    primaries, unlinked = diagram.tree()
    context = {
        "project": project,
        "diagram": diagram,
        "primaries": primaries,
        "unlinked": unlinked,
        "form": diagram.bound_form(),
    }
    if request.method == "POST":
        return invalid_form_response(request, "projects/diagram.html", context)
    return render(request, "projects/diagram.html", context)


def _anchor(item: Any) -> str:
    if isinstance(item, Driver) and item.pk:
        return f"#driver-{item.pk}"
    if isinstance(item, ChangeIdea) and item.pk:
        return f"#idea-{item.pk}"
    return ""
