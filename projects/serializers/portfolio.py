"""Shapes of the portfolio by aim and of the measure summary table.

The selectors build the answers as plain dicts (thousands of rows are rendered without
a serializer per row); these classes check the query parameters and document the
answers in the OpenAPI schema.
"""

from __future__ import annotations

from rest_framework import serializers

from projects.models import Project
from projects.selectors.portfolio import SHOW, TOP
from projects.spc import ASSURANCE_ICONS, ICONS, POINT_TYPES, RULES


class PortfolioQuerySerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False, help_text="Only this organisation (for people in several)."
    )
    is_active = serializers.BooleanField(
        allow_null=True, default=None, help_text="Only active (or only past) aims."
    )
    aim = serializers.IntegerField(
        required=False,
        help_text="Drill into this aim: the projects of its cascade, paged (page, page_size).",
    )
    show = serializers.ChoiceField(
        choices=SHOW,
        default="all",
        help_text="With aim: every project (by title), or only those improving, of concern "
        "or with adopted changes (most recent first).",
    )


class ChartLinksSerializer(serializers.Serializer):
    chart = serializers.CharField(help_text="The chart as JSON: /api/v1/measures/{id}/chart/")
    chart_svg = serializers.CharField(help_text="The chart as SVG: /api/v1/measures/{id}/chart.svg")


class MeasureReadingSerializer(serializers.Serializer):
    """A measure's latest value against its target and its Making Data Count icons,
    exactly as its chart shows them."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    unit = serializers.CharField(help_text='What it is measured in, e.g. "per 1,000 bed days".')
    improvement_direction = serializers.CharField()
    chart_type = serializers.CharField()
    frequency = serializers.CharField()
    target = serializers.FloatField(allow_null=True)
    points = serializers.IntegerField(help_text="How many data points it has.")
    latest_period = serializers.DateField(allow_null=True)
    latest_value = serializers.FloatField(
        allow_null=True, help_text="As plotted: a proportion or rate for p and u charts."
    )
    meets_target = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the latest value is on the right side of the target (one point: "
        "the assurance icon says whether the process will keep meeting it).",
    )
    point_type = serializers.ChoiceField(choices=POINT_TYPES, allow_null=True)
    signal = serializers.ChoiceField(choices=RULES, allow_null=True)
    variation_icon = serializers.ChoiceField(choices=ICONS, allow_null=True)
    assurance_icon = serializers.ChoiceField(choices=ASSURANCE_ICONS, allow_null=True)
    signal_period = serializers.DateField(
        allow_null=True, help_text="The latest point showing special cause (of either kind)."
    )
    reason = serializers.CharField(allow_null=True, help_text="Why there is no chart yet.")
    links = ChartLinksSerializer()


class MeasureSummaryRowSerializer(MeasureReadingSerializer):
    """One row of the summary table."""

    organisation = serializers.IntegerField()
    aim = serializers.DictField(allow_null=True, help_text="The aim the measure belongs to.")
    project = serializers.DictField(allow_null=True, help_text="Its project: id, title, status.")
    linked_aims = serializers.ListField(
        child=serializers.DictField(), help_text="Its aim, or the aims its project serves."
    )
    organisation_unit = serializers.DictField(
        allow_null=True, help_text="The project's unit, or the unit owning the aim."
    )


class ProjectCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text=f"Every status: {', '.join(Project.Status)}."
    )


class AimProjectCountsSerializer(ProjectCountsSerializer):
    linked_directly = serializers.IntegerField(
        help_text="Linked to this aim itself rather than to an aim beneath it."
    )


class SignalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    variation_icon = serializers.ChoiceField(choices=ICONS)
    signal = serializers.ChoiceField(choices=RULES, help_text="The rule that fired.")
    latest_period = serializers.DateField()
    links = ChartLinksSerializer()


class AdoptedChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    project = serializers.DictField()
    adopted_at = serializers.DateTimeField(allow_null=True)
    spread_status = serializers.CharField(
        allow_null=True, help_text="Its spread candidate's status, if put forward."
    )


class PortfolioProjectSerializer(serializers.Serializer):
    """A project of an aim's cascade, with its outcome measures whose latest point shows
    special cause and its adopted changes (those asked for)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    unit = serializers.DictField()
    improving = SignalSerializer(
        many=True, required=False, help_text="Outcome measures showing improvement."
    )
    concern = SignalSerializer(
        many=True, required=False, help_text="Outcome measures showing concern."
    )
    adopted_changes = AdoptedChangeSerializer(many=True, required=False)


class SignalledProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.DictField()
    latest_signal = serializers.DateField(
        help_text="The latest period of its outcome measures showing it."
    )


class TopProjectsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Projects of the cascade showing it.")
    top = SignalledProjectSerializer(
        many=True, help_text=f"The {TOP} with the most recent signal; the rest in links."
    )


class TopChangesSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Adopted changes of the cascade's projects.")
    top = AdoptedChangeSerializer(many=True, help_text=f"The {TOP} adopted most recently.")


class UnitsCoveredSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    top = serializers.ListField(
        child=serializers.DictField(), help_text=f"The {TOP} units with the most projects."
    )


class SpreadReachSerializer(serializers.Serializer):
    changes_put_forward = serializers.IntegerField()
    changes_by_status = serializers.DictField(child=serializers.IntegerField())
    adoptions_by_status = serializers.DictField(child=serializers.IntegerField())
    units_adopted = serializers.IntegerField(help_text="Units that adopted (or adapted) one.")
    units_taking_up = serializers.IntegerField(help_text="Units planning or testing one.")


class AimGoalSerializer(serializers.Serializer):
    measure = MeasureReadingSerializer(allow_null=True)
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    date = serializers.DateField(allow_null=True)
    met_by_latest_value = serializers.BooleanField(allow_null=True)


class AimLinksSerializer(serializers.Serializer):
    all = serializers.CharField(help_text="Every project of the cascade: ?aim={id}")
    improving = serializers.CharField()
    concern = serializers.CharField()
    adopted = serializers.CharField()


class PortfolioAimSerializer(serializers.Serializer):
    """A strategic aim in the portfolio. ``measures`` and ``goal`` are the aim's own;
    every other figure covers its cascade (the aim and every aim beneath it, each project
    counted once)."""

    id = serializers.IntegerField()
    organisation = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    statement = serializers.CharField()
    quality_dimensions = serializers.ListField(child=serializers.CharField())
    unit = serializers.DictField(allow_null=True)
    owner = serializers.DictField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    is_active = serializers.BooleanField()
    goal = AimGoalSerializer()
    measures = MeasureReadingSerializer(many=True)
    projects = AimProjectCountsSerializer()
    units_covered = UnitsCoveredSerializer()
    improving = TopProjectsSerializer(
        help_text="Projects with an outcome measure whose latest point is special-cause "
        "improvement."
    )
    concern = TopProjectsSerializer(
        help_text="Projects with an outcome measure whose latest point is special-cause concern."
    )
    adopted_changes = TopChangesSerializer()
    spread = SpreadReachSerializer(allow_null=True, help_text="Null where spread is not in use.")
    links = AimLinksSerializer(help_text="Where to drill in: the projects behind each count.")
    children = serializers.ListField(
        child=serializers.DictField(), help_text="The aims cascaded beneath, in this shape."
    )


class PortfolioSerializer(serializers.Serializer):
    """The aims nested in their cascades, each with counts and the top few; the projects
    behind a count are a drill-in away (``?aim=``)."""

    generated_at = serializers.DateTimeField()
    organisations = serializers.ListField(child=serializers.DictField())
    projects = ProjectCountsSerializer(help_text="Every project of the organisations.")
    not_linked_to_an_aim = ProjectCountsSerializer()
    improving = TopProjectsSerializer(
        help_text="Over every project linked to an aim: those whose outcome measures' latest "
        "point is special-cause improvement (the first ten)."
    )
    concern = TopProjectsSerializer(help_text="The same, for special-cause concern.")
    adopted_changes = TopChangesSerializer(
        help_text="Over every project linked to an aim: adopted changes (the first ten)."
    )
    aims = PortfolioAimSerializer(many=True)


class PortfolioAimProjectsSerializer(serializers.Serializer):
    """One aim (its children named, not nested) and a page of its cascade's projects."""

    aim = PortfolioAimSerializer()
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PortfolioProjectSerializer(many=True)
