"""The measure summary table page and a measure's chart page.

The table is ``measure_summary_list`` / ``measure_summary_rows`` (the API's
``/api/v1/portfolio/measures/``), filtered with the same ``MeasureSummaryFilter``; the
chart page is ``measure_chart`` drawn by ``render_chart_svg`` and put into words by
``chart_words``. Every member of the organisation reads both, as they read each chart.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from backend.kept_pages import kept_page
from backend.models import Unit, User
from backend.pages import PageForm
from backend.selectors import unit_list
from projects.chart_svg import ASSURANCE_BADGES, VARIATION_BADGES, render_chart_svg
from projects.chart_words import (
    KIND_WORDS,
    RULE_WORDS,
    STRONGEST_FIRST,
    chart_words,
    period_words,
    value_words,
)
from projects.models import RATIO_CHARTS, Measure
from projects.selectors import aim_list, data_point_list, measure_chart, measure_scope
from projects.selectors.measure_table import (
    SORTS,
    measure_summary_for_ids,
    measure_summary_list,
    measure_summary_rows,
    measure_summary_sorted,
)

PAGE_SIZE = 50
# The table's filters that the API's CSV takes as they are.
# Filters that take several values (one chosen on the page), as lists.
MULTIPLE = frozenset({"type", "variation_icon", "assurance_icon"})
CSV_FILTERS = ("within_aim", "within_unit", "unit", "type", "variation_icon", "assurance_icon", "q")


def _choices(pairs: Any, empty: str = "All") -> list[tuple[str, str]]:
    return [("", empty), *((str(value), label) for value, label in pairs)]


class SummaryFilterForm(PageForm):
    """The table's filters; only values this form accepts reach the selector."""

    refuses_nhs_numbers = False

    within_aim = forms.ChoiceField(label="Aim", required=False)
    within_unit = forms.ChoiceField(label="Division", required=False)
    unit = forms.ChoiceField(label="Ward, team or unit", required=False)
    type = forms.ChoiceField(
        label="Type of measure", required=False, choices=_choices(Measure.Type.choices)
    )
    variation_icon = forms.ChoiceField(
        label="Variation",
        required=False,
        choices=_choices(
            [
                *((code, badge[2]) for code, badge in VARIATION_BADGES.items()),
                ("none", "No chart yet"),
            ]
        ),
    )
    assurance_icon = forms.ChoiceField(
        label="Assurance",
        required=False,
        choices=_choices(
            [
                *((code, badge[2]) for code, badge in ASSURANCE_BADGES.items()),
                ("none", "No assurance"),
            ]
        ),
    )
    q = forms.CharField(label="Measure name contains", required=False, max_length=100)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORTS.items()))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = unit_list(user=user).order_by("name")
        self.fields["within_aim"].choices = _choices(
            aim_list(user=user).order_by("title").values_list("id", "title")
        )
        self.fields["within_unit"].choices = _choices(
            units.filter(level=Unit.Level.DIVISION).values_list("id", "name")
        )
        self.fields["unit"].choices = _choices(
            units.filter(level=Unit.Level.UNIT).values_list("id", "name")
        )

    def filters(self) -> dict[str, str]:
        """The accepted filters (the sort aside), as the selector and the API take them."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            name: [data[name]] if name in MULTIPLE else data[name]
            for name in CSV_FILTERS
            if data.get(name)
        }


@login_required
@kept_page
def measure_summary_page(request: HttpRequest) -> HttpResponse:
    """One row per measure with its Making Data Count icons, aims' measures first;
    filters, sort, CSV of every matching row, and each row opens its chart."""
    form = SummaryFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    sort = form.cleaned_data.get("sort", "") if form.is_bound and form.is_valid() else ""
    measures = measure_summary_sorted(
        measure_summary_list(user=request.user, filters=filters), sort
    )
    # A page of ids ordered by their keys alone, then that page's rows (as the API does).
    page = Paginator(measures.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = measure_summary_rows(measure_summary_for_ids(list(page)))
    for row in rows:
        row["latest_words"] = (
            value_words(row["latest_value"], row["chart_type"], row["unit"])
            if row["latest_period"]
            else ""
        )
        row["target_words"] = (
            value_words(row["target"], row["chart_type"], row["unit"])
            if row["target"] is not None
            else ""
        )
        row["latest_period_words"] = (
            period_words(row["latest_period"], row["frequency"]) if row["latest_period"] else ""
        )
    query = {**filters, **({"sort": sort} if sort else {})}
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": urlencode(query, doseq=True),
        "csv": "/api/v1/portfolio/measures/?" + urlencode({"format": "csv", **filters}, doseq=True),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "projects/desk/measure_summary.html", context, status=status)


def _counts(point: Any) -> str:
    if point is None or point.numerator is None or point.denominator is None:
        return ""
    return f"{point.numerator:g} of {point.denominator:g}"


def _signal_words(point: dict[str, Any]) -> str:
    """What a point shows, as the chart's words say it ("Improvement: a point beyond the
    process limits"), never the rules' names."""
    if point["point_type"] not in KIND_WORDS:
        return "Common cause: the usual variation"
    rules = "; ".join(
        RULE_WORDS[rule] for rule in STRONGEST_FIRST if rule in point.get("rules", [])
    )
    return f"{KIND_WORDS[point['point_type']].capitalize()}: {rules}"


def _table(chart: dict[str, Any], counts: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart's points as the data table shows them (``counts``: each period's data
    point, for the numerator and denominator of a ratio chart)."""
    measure = chart["measure"]
    ratio = measure["chart_type"] in RATIO_CHARTS
    kind, unit = measure["chart_type"], measure["unit"]
    rows = []
    for point in (chart["spc"] or {}).get("points", []):
        rows.append(
            {
                "period": period_words(point["x"], measure["frequency"]),
                "value": value_words(point["value"], kind, unit),
                "counts": _counts(counts.get(point["x"])) if ratio else "",
                "centre": value_words(point.get("centre"), kind),
                "limits": (
                    f"{value_words(point['lower'], kind)} to {value_words(point['upper'], kind)}"
                    if point.get("lower") is not None and point.get("upper") is not None
                    else "none"
                ),
                "signal": _signal_words(point),
            }
        )
    return rows


def _cycles(chart: dict[str, Any]) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for annotation in chart["annotations"]:
        cycle = annotation.get("cycle")
        if cycle and cycle["id"] not in seen:
            seen[cycle["id"]] = {
                **cycle,
                "date": annotation["date"],
                "planned": annotation["planned"],
            }
    return sorted(seen.values(), key=lambda c: c["number"])


@login_required
@kept_page
def measure_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure's chart: full size with its annotations, what it says in plain words,
    its data as a table, the PDSA cycles that test changes on it, and downloads."""
    # The chart and its table read the points themselves: no list counts, no team.
    measure = get_object_or_404(measure_scope(user=request.user), pk=pk)
    chart = measure_chart(measure=measure)
    svg = render_chart_svg(chart).split("?>", 1)[-1]  # inline: no XML declaration
    return render(
        request,
        "projects/desk/measure.html",
        {
            "measure": measure,
            "chart": chart,
            # Built by render_chart_svg, which escapes every piece of user text.
            "svg": mark_safe(svg),  # noqa: S308
            "words": chart_words(chart),
            "rows": _table(
                chart, {p.period.isoformat(): p for p in data_point_list(measure=measure)}
            ),
            "ratio": chart["measure"]["chart_type"] in RATIO_CHARTS,
            "cycles": _cycles(chart),
        },
    )


urlpatterns = [
    path("portfolio/measures/", measure_summary_page, name="measure-summary-page"),
    path("measures/<id:pk>/", measure_page, name="measure-page"),
]
