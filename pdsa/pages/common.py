"""What the cycle pages' forms share."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from backend.pages import PageForm
from pdsa.models import Cycle

# The service names a question's field as ``questions[1].prediction`` (a task's as
# ``tasks[0].what``); the page's field for it is ``prediction_1`` (``what_0``).
ROW_FIELD = re.compile(r"^(?:questions|tasks)\[(\d+)\]\.(\w+)$")


def text_field(
    label: str, *, required: bool = False, rows: int = 3, **kwargs: Any
) -> forms.CharField:
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


class TasksForm(CycleForm):
    """The plan's tasks: what, who, by when and whether done; and a new one."""

    what_new = forms.CharField(
        label="Another task (optional)",
        max_length=300,
        required=False,
        help_text="Such as “Print the new checklist”.",
    )
    who_new = forms.CharField(label="Who will do it? (optional)", max_length=200, required=False)
    when_new = forms.DateField(
        label="By when? (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date"},
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = list(cycle.tasks.all())
        for index, task in enumerate(self.tasks):
            number = index + 1
            self.fields[f"done_{index}"] = forms.BooleanField(
                label=f"Done: task {number}", required=False
            )
            self.fields[f"what_{index}"] = forms.CharField(
                label=f"Task {number}", max_length=300, required=False
            )
            self.fields[f"who_{index}"] = forms.CharField(
                label=f"Who will do task {number}?", max_length=200, required=False
            )
            self.fields[f"when_{index}"] = forms.DateField(
                label=f"Task {number} by when?",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": "Enter a real date"},
            )
            for name in ("done", "what", "who", "when"):
                self.initial.setdefault(f"{name}_{index}", getattr(task, name))

    def rows(self) -> list[dict[str, Any]]:
        return [
            {name: self[f"{name}_{index}"] for name in ("done", "what", "who", "when")}
            for index in range(len(self.tasks))
        ]

    def changes(self) -> list[dict[str, Any]]:
        """The whole list of tasks for ``cycle_update``: a task left without words is
        removed, the new one added."""
        data = self.cleaned_data
        tasks = [
            {
                "id": task.pk,
                "what": data[f"what_{index}"],
                "who": data[f"who_{index}"],
                "when": data[f"when_{index}"],
                "done": data[f"done_{index}"],
            }
            for index, task in enumerate(self.tasks)
            if data[f"what_{index}"].strip()
        ]
        if data["what_new"].strip():
            tasks.append(
                {"what": data["what_new"], "who": data["who_new"], "when": data["when_new"]}
            )
        return tasks
