"""Vision: bold aims measured with SPC (V2), and investment in capability (V5)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse

from assessment.evidence import Evidence, evidence_for, figure, row
from backend.models import Organisation
from backend.words import plural
from capability.models import Course, TrainingRecord
from projects.models import Measure, StrategicAim
from projects.spc.constants import TRIAL_LIMIT_POINTS


@evidence_for("V2")
def bold_aims_measured(organisation: Organisation, as_of: date) -> Evidence:
    aims = list(
        StrategicAim.objects.filter(
            organisation=organisation, parent=None, is_active=True
        ).order_by("title")
    )
    measures = list(
        Measure.objects.filter(Q(aim__in=aims) | Q(goal_of__in=aims))
        .annotate(points=Count("data_points", distinct=True))
        .values("id", "name", "aim_id", "points", "goal_of")
    )
    best: dict[int, dict] = {}
    for measure in measures:
        for aim_id in {measure["aim_id"], measure["goal_of"]} - {None}:
            if aim_id not in best or measure["points"] > best[aim_id]["points"]:
                best[aim_id] = measure
    read = [aim for aim in aims if best.get(aim.pk, {}).get("points", 0) >= TRIAL_LIMIT_POINTS]
    rows = []
    for aim in aims:
        measure = best.get(aim.pk)
        if measure is None:
            rows.append(row(aim.title, "no measure yet"))
            continue
        detail = f"{measure['name']}: {plural(measure['points'], 'data point')}" + (
            "" if measure["points"] >= TRIAL_LIMIT_POINTS else ", not yet enough for SPC"
        )
        rows.append(row(aim.title, detail, reverse("measure-chart-svg", args=[measure["id"]])))
    statement = (
        f"{len(read)} of our {plural(len(aims), 'bold aim')} "
        f"{'has' if len(read) == 1 else 'have'} a measure with enough data "
        f"({TRIAL_LIMIT_POINTS} points or more) to be read with statistical process control."
        if aims
        else "No bold aims are set in Ripple yet."
    )
    return Evidence(
        statement=statement,
        figures=[
            figure("Bold aims", len(aims)),
            figure("Measured with SPC", len(read)),
            figure("With no measure yet", sum(aim.pk not in best for aim in aims)),
        ],
        method="Active strategic aims at the top of the cascade (the bold aims), each with its "
        f"best-filled measure; {TRIAL_LIMIT_POINTS} points give firm limits.",
        source={"label": "The aims and their charts", "url": ""},
        rows=rows,
    )


@evidence_for("V5")
def investment_in_capability(organisation: Organisation, as_of: date) -> Evidence:
    def trained(start: date, end: date) -> int:
        return (
            TrainingRecord.objects.filter(
                person__organisation=organisation,
                status=TrainingRecord.Status.APPROVED,
                completed_on__gt=start,
                completed_on__lte=end,
            )
            .values("person_id")
            .order_by()
            .distinct()
            .count()
        )

    year_ago = as_of - timedelta(days=365)
    this_year = trained(year_ago, as_of)
    last_year = trained(year_ago - timedelta(days=365), year_ago)
    offered = list(
        Course.objects.filter(organisation=organisation, is_active=True)
        .order_by("level", "name")
        .values_list("name", "level")
    )
    change = (
        "more than"
        if this_year > last_year
        else "fewer than"
        if this_year < last_year
        else "as many as"
    )
    return Evidence(
        statement=(
            f"{plural(this_year, 'person', 'people')} completed improvement training in the 12 "
            f"months to the date, {change} the year before ({last_year}); "
            f"{plural(len(offered), 'course')} on offer."
        ),
        figures=[
            figure("People trained in 12 months", this_year),
            figure("People trained the year before", last_year),
            figure("Courses on offer", len(offered)),
        ],
        method="People with an approved training record completed in each 12 months, each "
        "counted once; courses the catalogue offers now.",
        source={"label": "The capability pyramid", "url": reverse("capability-page")},
        rows=[row(name, f"gives the {level} level") for name, level in offered],
    )
