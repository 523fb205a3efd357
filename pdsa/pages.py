"""Phone pages for PDSA cycles: the quick log, and moving a cycle through Do, Study and Act.

They call the same services as ``pdsa.api`` (``cycle_create``, ``cycle_update``,
``cycle_advance``), so the method's rules (a prediction before Do, results before Act)
are the services' alone; a refusal comes back as an error beside the field it names.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.models import User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from pdsa.models import Cycle
from pdsa.rules import NEXT_STAGE
from pdsa.selectors import cycle_list
from pdsa.services import cycle_advance, cycle_create, cycle_update
from projects.lifecycle import OPEN
from projects.models import Project
from projects.selectors import can_edit_project, change_idea_list, project_list

Stage = Cycle.Stage
STAGE_ORDER = [Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT, Stage.DONE]
# The service names a question's field as ``questions[1].prediction``; the page's field
# for it is ``prediction_1``.
ROW_FIELD = re.compile(r"^questions\[(\d+)\]\.(\w+)$")


def _text(label: str, *, required: bool = False, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class CycleForm(PageForm):
    """A form whose service refusals name the cycle's questions by row."""

    def field_for(self, service_field: str | None) -> str | None:
        row = ROW_FIELD.match(service_field or "")
        if row:
            name = f"{row.group(2)}_{row.group(1)}"
            return name if name in self.fields else None
        return super().field_for(service_field)


class QuickLogForm(CycleForm):
    project = forms.ModelChoiceField(
        label="Project",
        queryset=Project.objects.none(),
        empty_label="Choose a project",
        error_messages={"required": "Choose the project", "invalid_choice": "Choose the project"},
    )
    change_idea = forms.TypedChoiceField(
        label="Change idea",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Optional: the idea from the driver diagram this cycle tests.",
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="A few words, such as “Safety huddle at 2pm handover”.",
        error_messages={
            "required": "Enter a title for the cycle",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    objective = _text("Objective", rows=2, help_text="What this cycle will test.")
    question = _text("Question", rows=2, help_text="What do you want to find out?")
    prediction = _text("Prediction", rows=2, help_text="What do you think will happen?")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = project_list(user=user, filters={"mine": "true"}).filter(status__in=OPEN)
        wanted = Q(pk__in=mine.values("pk"))
        chosen = str(self.data.get("project") or self.initial.get("project") or "")
        if chosen.isdigit():
            wanted |= Q(pk=int(chosen))
        projects = project_list(user=user).filter(wanted).order_by("title")
        self.fields["project"].queryset = projects
        ideas = (
            change_idea_list(user=user)
            .filter(project__in=projects)
            .order_by("project__title", "position", "id")
        )
        groups: dict[str, list[tuple[int, str]]] = {}
        for idea in ideas:
            groups.setdefault(idea.project.title, []).append((idea.pk, idea.title))
        self.fields["change_idea"].choices = [("", "None"), *groups.items()]
        self.ideas = {idea.pk: idea for idea in ideas}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("prediction", "").strip() and not data.get("question", "").strip():
            self.add_error("question", "Enter the question your prediction answers")
        return data


@login_required
@idempotent_page
def cycle_new(request: HttpRequest) -> HttpResponse:
    """The quick log: a new cycle in Plan, from a phone, in under a minute."""
    initial = {
        name: request.GET[name] for name in ("project", "change_idea") if request.GET.get(name)
    }
    form = QuickLogForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        cycle = _create(request, form)
        if cycle is not None:
            messages.success(request, f"Cycle {cycle.number} saved. Next: do the test.")
            return redirect("cycle-page", pk=cycle.pk)
    chosen = str(form["project"].value() or "")
    project = (
        form.fields["project"].queryset.filter(pk=chosen).first() if chosen.isdigit() else None
    )
    context = {
        "form": form,
        "back": reverse("project-page", args=[project.pk]) if project else reverse("my-projects"),
    }
    if form.errors:
        return invalid_form_response(request, "pdsa/quick_log.html", context)
    return render(request, "pdsa/quick_log.html", context)


def _create(request: HttpRequest, form: QuickLogForm) -> Cycle | None:
    data = form.cleaned_data
    idea = form.ideas.get(data["change_idea"]) if data["change_idea"] else None
    if data["change_idea"] and idea is None:
        form.add_error("change_idea", "Choose a change idea of this project")
        return None
    questions = (
        [{"question": data["question"], "prediction": data["prediction"]}]
        if data["question"].strip()
        else []
    )
    created = save_or_refuse(
        form,
        lambda: cycle_create(
            by=request.user,
            project=data["project"],
            title=data["title"],
            objective=data["objective"],
            change_idea=idea,
            questions=questions,
        ),
    )
    return created[0] if created else None


class PlanForm(CycleForm):
    objective = _text("Objective", rows=2, help_text="What this cycle will test.")

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(cycle.questions.all())
        for index, question in enumerate(self.questions):
            self.fields[f"question_{index}"] = _text(f"Question {index + 1}", rows=2)
            self.fields[f"prediction_{index}"] = _text(
                f"Prediction for question {index + 1}", rows=2
            )
            self.initial.setdefault(f"question_{index}", question.question)
            self.initial.setdefault(f"prediction_{index}", question.prediction)
        self.fields["question_new"] = _text("Another question (optional)", rows=2)
        self.fields["prediction_new"] = _text("Prediction for that question", rows=2)
        self.initial.setdefault("objective", cycle.objective)

    def rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"question_{i}"], self[f"prediction_{i}"]) for i in range(len(self.questions))
        ]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        questions = [
            {
                "id": question.pk,
                "question": data[f"question_{i}"] or question.question,
                "prediction": data[f"prediction_{i}"],
            }
            for i, question in enumerate(self.questions)
        ]
        if data["question_new"].strip():
            questions.append(
                {"question": data["question_new"], "prediction": data["prediction_new"]}
            )
        return {"objective": data["objective"], "questions": questions}

    def field_for(self, service_field: str | None) -> str | None:
        if service_field == "questions":
            return "question_new"
        return super().field_for(service_field)


class DoForm(CycleForm):
    observations = _text(
        "What happened?", rows=5, help_text="What you saw and heard during the test."
    )
    problems = _text("Any problems? (optional)", rows=2)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("observations", cycle.observations)
        self.initial.setdefault("problems", cycle.problems)

    def changes(self) -> dict[str, Any]:
        return {
            "observations": self.cleaned_data["observations"],
            "problems": self.cleaned_data["problems"],
        }


class StudyForm(CycleForm):
    learning = _text("What did you learn?", rows=4)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(cycle.questions.all())
        for index, question in enumerate(self.questions):
            self.fields[f"result_{index}"] = _text(f"Result for question {index + 1}", rows=2)
            self.initial.setdefault(f"result_{index}", question.result)
        self.initial.setdefault("learning", cycle.learning)

    def rows(self) -> list[tuple[Any, Any]]:
        return [(question, self[f"result_{i}"]) for i, question in enumerate(self.questions)]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "learning": data["learning"],
            "questions": [
                {"id": question.pk, "result": data[f"result_{i}"]}
                for i, question in enumerate(self.questions)
            ],
        }


class ActForm(CycleForm):
    decision = forms.ChoiceField(
        label="What will you do with this change?",
        choices=Cycle.Decision.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    next_steps = _text(
        "Next steps", rows=3, help_text="What the next cycle will change. Needed if you adapt."
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decision", cycle.decision)
        self.initial.setdefault("next_steps", cycle.next_steps)

    def changes(self) -> dict[str, Any]:
        return {
            "decision": self.cleaned_data["decision"],
            "next_steps": self.cleaned_data["next_steps"],
        }


STAGE_FORMS: dict[str, type[CycleForm]] = {
    Stage.PLAN: PlanForm,
    Stage.DO: DoForm,
    Stage.STUDY: StudyForm,
    Stage.ACT: ActForm,
}
MOVE_LABELS = {
    Stage.PLAN: "Save and start the test",
    Stage.DO: "Save and move to Study",
    Stage.STUDY: "Save and move to Act",
    Stage.ACT: "Finish cycle",
}


def _stage_move(request: HttpRequest, cycle: Cycle, form: CycleForm) -> HttpResponse | None:
    """Save the stage's draft, and move on if asked; a redirect, or None to show errors."""
    changes = form.changes()
    moving = request.POST.get("action") == "move"

    def write() -> Cycle:
        if cycle.stage == Stage.ACT and moving:
            # The decision and the move in one call, as the API's advance takes them.
            return cycle_advance(
                cycle=cycle,
                by=request.user,
                to=Stage.DONE,
                decision=changes["decision"] or None,
                next_steps=changes["next_steps"],
            )
        cycle_update(cycle=cycle, by=request.user, **changes)
        if moving:
            cycle_advance(cycle=cycle, by=request.user, to=NEXT_STAGE[cycle.stage])
        return cycle

    if save_or_refuse(form, write) is None:
        return None
    if moving:
        cycle.refresh_from_db()
        messages.success(request, f"Cycle {cycle.number} moved to {cycle.get_stage_display()}.")
    else:
        messages.success(request, "Draft saved.")
    return redirect("cycle-page", pk=cycle.pk)


@login_required
@idempotent_page
def cycle_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One cycle: its worksheet so far, and the form that moves it on from its stage."""
    cycle = get_object_or_404(cycle_list(user=request.user), pk=pk)
    can_edit = can_edit_project(user=request.user, project=cycle.project)
    form_class = STAGE_FORMS.get(cycle.stage)
    form = None
    if request.method == "POST":
        if not can_edit:
            forbid("Only the project's team can change its cycles.")
        sent_from = request.POST.get("stage", cycle.stage)
        if sent_from in STAGE_ORDER and STAGE_ORDER.index(sent_from) < STAGE_ORDER.index(
            cycle.stage
        ):
            # Sent again (a phone's outbox) after the cycle already moved on: nothing to do.
            return redirect("cycle-page", pk=cycle.pk)
        if form_class is not None:
            form = form_class(request.POST, cycle=cycle)
            if form.is_valid() and (done := _stage_move(request, cycle, form)):
                return done
    elif form_class is not None and can_edit:
        form = form_class(cycle=cycle)
    context = {
        "cycle": cycle,
        "form": form,
        "stage_template": f"pdsa/stages/{cycle.stage}.html",
        "move_label": MOVE_LABELS.get(cycle.stage),
        "can_edit": can_edit,
    }
    if form is not None and form.errors:
        return invalid_form_response(request, "pdsa/cycle.html", context)
    return render(request, "pdsa/cycle.html", context)


urlpatterns = [
    path("cycles/new/", cycle_new, name="cycle-new"),
    path("cycles/<int:pk>/", cycle_page, name="cycle-page"),
]
