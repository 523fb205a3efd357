"""One PDSA cycle: its worksheet, moving it through Do, Study and Act, its planned dates
and data collection plan, its tasks, and its photos and documents.

They call the same services as ``pdsa.api`` (``cycle_create``, ``cycle_update``,
``cycle_advance``), so the method's rules (a prediction before Do, results before Act)
are the services' alone; a refusal comes back as an error beside the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backend.comments import CommentForm
from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.pages import invalid_form_response, save_or_refuse
from pdsa.models import Cycle
from pdsa.pages.common import CycleForm, TasksForm, text_field
from pdsa.pages.files import file_rows
from pdsa.rules import NEXT_STAGE
from pdsa.selectors import cycle_comment_list, cycle_list
from pdsa.services import cycle_advance, cycle_update
from projects.models import Measure
from projects.selectors import can_edit_project

Stage = Cycle.Stage
STAGE_ORDER = [Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT, Stage.DONE]


def date_field(label: str, hint: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=hint,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date"},
    )


class PlanForm(CycleForm):
    objective = text_field("Objective", rows=2, help_text="What this cycle will test.")
    planned_start = date_field("Planned start", "The day the test starts.")
    planned_end = date_field("Planned end", "The day you will look at what happened.")
    data_collection_plan = text_field(
        "Data collection plan",
        rows=3,
        help_text="What will be counted or noted, by whom, when and how.",
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(cycle.questions.all())
        for index, question in enumerate(self.questions):
            self.fields[f"question_{index}"] = text_field(f"Question {index + 1}", rows=2)
            self.fields[f"prediction_{index}"] = text_field(
                f"Prediction for question {index + 1}", rows=2
            )
            self.initial.setdefault(f"question_{index}", question.question)
            self.initial.setdefault(f"prediction_{index}", question.prediction)
        self.fields["question_new"] = text_field("Another question (optional)", rows=2)
        self.fields["prediction_new"] = text_field("Prediction for that question", rows=2)
        for name in ("objective", "planned_start", "planned_end", "data_collection_plan"):
            self.initial.setdefault(name, getattr(cycle, name))

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
        return {
            "objective": data["objective"],
            "questions": questions,
            "planned_start": data["planned_start"],
            "planned_end": data["planned_end"],
            "data_collection_plan": data["data_collection_plan"],
        }

    def field_for(self, service_field: str | None) -> str | None:
        if service_field == "questions":
            return "question_new"
        return super().field_for(service_field)


class DoForm(CycleForm):
    observations = text_field(
        "What happened?", rows=5, help_text="What you saw and heard during the test."
    )
    problems = text_field("Any problems? (optional)", rows=2)
    started_on = date_field("When did the test start?", "The charts mark the change from this day.")
    ended_on = date_field("When did it end? (optional)", "Leave empty while it goes on.")

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("observations", "problems", "started_on", "ended_on"):
            self.initial.setdefault(name, getattr(cycle, name))

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes = {"observations": data["observations"], "problems": data["problems"]}
        # The start is the method's once the test began: cleared, it stays as it was.
        if data["started_on"]:
            changes["started_on"] = data["started_on"]
        changes["ended_on"] = data["ended_on"]
        return changes


class StudyForm(CycleForm):
    learning = text_field("What did you learn?", rows=4)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(cycle.questions.all())
        for index, question in enumerate(self.questions):
            self.fields[f"result_{index}"] = text_field(f"Result for question {index + 1}", rows=2)
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
    next_steps = text_field(
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
    return cycle_response(request, cycle, form=form, can_edit=can_edit)


def cycle_response(
    request: HttpRequest,
    cycle: Cycle,
    *,
    form: CycleForm | None,
    can_edit: bool,
    tasks_form: TasksForm | None = None,
) -> HttpResponse:
    """The cycle page, with the stage's form and the tasks form as given (bound ones show
    their errors, and the page is then a 400)."""
    if tasks_form is None and can_edit and cycle.stage != Stage.DONE:
        tasks_form = TasksForm(cycle=cycle)
    context = {
        "cycle": cycle,
        "form": form,
        "tasks_form": tasks_form,
        "stage_template": f"pdsa/stages/{cycle.stage}.html",
        "move_label": MOVE_LABELS.get(cycle.stage),
        "can_edit": can_edit,
        "measures": list(
            Measure.objects.filter(cycles=cycle).only("id", "name", "project_id").order_by("name")
        ),
        "files": file_rows(cycle, list(cycle.files.select_related("uploaded_by"))),
        "comments": list(cycle_comment_list(cycle=cycle)),
        "comment_form": CommentForm(),
    }
    failed = (form is not None and form.errors) or (tasks_form is not None and tasks_form.errors)
    if failed:
        return invalid_form_response(request, "pdsa/cycle.html", context)
    return render(request, "pdsa/cycle.html", context)
