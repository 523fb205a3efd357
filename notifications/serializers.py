"""Input and output shapes for notifications, preferences and the coach caseload."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.validators import SafeTextMixin
from notifications import links
from notifications.models import Kind, Notification, Preference
from notifications.rules import attention
from notifications.rules.caseload import CaseloadEntry, MeasureOnChart, Win
from notifications.selectors import Caseload
from projects.models import Project
from projects.serializers import PersonSerializer, progress_of
from projects.serializers.projects import ProgressSerializer


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "link",
            "organisation",
            "project",
            "cycle",
            "measure",
            "subject_type",
            "subject_id",
            "period",
            "evidence",
            "delivered_channels",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class PreferenceSerializer(SafeTextMixin, serializers.ModelSerializer):
    muted_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), required=False, max_length=len(Kind)
    )
    digest_weekday = serializers.IntegerField(
        min_value=0, max_value=6, required=False, help_text="0 is Monday, 6 is Sunday."
    )
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null until you first change them."
    )

    class Meta:
        model = Preference
        fields = [
            "in_app",
            "email",
            "muted_kinds",
            "digest_weekday",
            "quiet_hours_start",
            "quiet_hours_end",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate_muted_kinds(self, kinds: list[str]) -> list[str]:
        return list(dict.fromkeys(kinds))

    def validate(self, attrs: dict) -> dict:
        start = attrs.get("quiet_hours_start", getattr(self.instance, "quiet_hours_start", None))
        end = attrs.get("quiet_hours_end", getattr(self.instance, "quiet_hours_end", None))
        if (start is None) != (end is None):
            field = "quiet_hours_end" if end is None else "quiet_hours_start"
            raise serializers.ValidationError(
                {field: "Quiet hours need both a start and an end, or neither."}
            )
        return attrs


class CaseloadQuerySerializer(serializers.Serializer):
    coach = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Another coach's user id (QI team and admins of their organisation only). "
        "Without it: your own caseload.",
    )
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="Only this one of your organisations."
    )


class CoachLoadSerializer(serializers.Serializer):
    projects = serializers.IntegerField(help_text="Open projects coached.")
    capacity = serializers.IntegerField(
        allow_null=True, help_text="The coach's caseload_capacity (summed over organisations)."
    )
    over_capacity = serializers.BooleanField()
    need_you = serializers.IntegerField(
        help_text="Projects stalled, overdue, with a concern signal, missing data or a study "
        "waiting."
    )


class CaseloadUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OverdueCycleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="cycle_id")
    number = serializers.IntegerField()
    title = serializers.CharField()
    planned_end = serializers.DateField(source="since")
    days_overdue = serializers.IntegerField(source="days")
    link = serializers.SerializerMethodField()

    def get_link(self, cycle: attention.LateCycle) -> str:
        return links.cycle_link(cycle.cycle_id)


class OverdueCyclesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    oldest = OverdueCycleSerializer(allow_null=True)


class StudyPendingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="cycle_id")
    number = serializers.IntegerField()
    title = serializers.CharField()
    in_study_since = serializers.DateTimeField(source="since")
    days_waiting = serializers.IntegerField(source="days")
    link = serializers.SerializerMethodField()

    def get_link(self, cycle: attention.LateCycle) -> str:
        return links.cycle_link(cycle.cycle_id)


class MissingDataSerializer(serializers.Serializer):
    measure_id = serializers.IntegerField()
    name = serializers.CharField()
    frequency = serializers.CharField()
    last_period = serializers.DateField(allow_null=True)
    first_missing = serializers.DateField()
    missing_periods = serializers.IntegerField(source="missing")


class MeasureIconsSerializer(serializers.Serializer):
    """A measure's latest point read by SPC, with the Making Data Count icons."""

    id = serializers.IntegerField(source="measure_id")
    name = serializers.CharField()
    variation_icon = serializers.CharField(allow_null=True)
    assurance_icon = serializers.CharField(allow_null=True)
    latest_period = serializers.SerializerMethodField()
    latest_value = serializers.SerializerMethodField()
    target = serializers.FloatField(allow_null=True)
    chart = serializers.SerializerMethodField(help_text="The chart's JSON.")
    chart_svg = serializers.SerializerMethodField()

    def get_latest_period(self, measure: MeasureOnChart) -> str | None:
        point = measure.latest_point
        return str(point["x"]) if point else None

    def get_latest_value(self, measure: MeasureOnChart) -> float | None:
        point = measure.latest_point
        return point["value"] if point else None

    def get_chart(self, measure: MeasureOnChart) -> str:
        return links.measure_chart_json_link(measure.measure_id)

    def get_chart_svg(self, measure: MeasureOnChart) -> str:
        return links.measure_chart_svg_link(measure.measure_id)


class ConcernSerializer(serializers.Serializer):
    measure_id = serializers.IntegerField()
    name = serializers.CharField()


class WinSerializer(serializers.Serializer):
    measure_id = serializers.IntegerField()
    name = serializers.CharField()
    strength = serializers.ChoiceField(
        source="reading.strength", choices=["sustained", "early", "unusual"]
    )
    rule = serializers.CharField(source="reading.rule")
    period = serializers.CharField(source="reading.x", help_text="The latest point's period.")
    celebrated = serializers.SerializerMethodField()
    celebrated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the team was first told of this win."
    )

    def get_celebrated(self, win: Win) -> bool:
        return win.celebrated_at is not None


class NextActionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            "visit",
            "chase_cycle",
            "review_concern",
            "chase_data",
            "study",
            "celebrate",
            "start",
            "check_in",
            "keep_going",
        ]
    )
    text = serializers.CharField()
    link = serializers.CharField()


class CaseloadProjectSerializer(serializers.Serializer):
    """One project of a caseload and what needs the coach there."""

    id = serializers.IntegerField(source="project_id")
    title = serializers.CharField()
    link = serializers.SerializerMethodField()
    organisation = serializers.IntegerField(source="organisation_id")
    unit = CaseloadUnitSerializer(source="project.unit")
    status = serializers.ChoiceField(choices=Project.Status.choices)
    status_label = serializers.CharField(source="project.get_status_display")
    progress = serializers.SerializerMethodField()
    last_activity_at = serializers.DateTimeField(
        help_text="The last cycle, data or update: what the stall rule reads."
    )
    days_since_activity = serializers.SerializerMethodField()
    days_stalled = serializers.SerializerMethodField(
        help_text="Days with no activity once past the organisation's stall threshold; else 0."
    )
    overdue_cycles = serializers.SerializerMethodField()
    studies_pending = StudyPendingSerializer(source="studies", many=True)
    missing_data = MissingDataSerializer(source="gaps", many=True)
    outcome_measures = MeasureIconsSerializer(many=True)
    concerns = ConcernSerializer(many=True)
    wins = WinSerializer(many=True)
    wins_not_celebrated = serializers.SerializerMethodField()
    needs_coach = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    next_action = NextActionSerializer()

    def get_link(self, entry: CaseloadEntry) -> str:
        return links.project_link(entry.project_id)

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, entry: CaseloadEntry) -> dict:
        return progress_of(entry.project)

    def get_days_since_activity(self, entry: CaseloadEntry) -> int:
        # Never negative: a cycle's timestamp may run ahead of the clock (a client's clock,
        # or a demo's planned time today).
        return max(0, (self.context["as_of"] - entry.last_activity_at).days)

    def get_days_stalled(self, entry: CaseloadEntry) -> int:
        return entry.stall.days if entry.stall else 0

    @extend_schema_field(OverdueCyclesSerializer)
    def get_overdue_cycles(self, entry: CaseloadEntry) -> dict:
        return OverdueCyclesSerializer(
            {"count": len(entry.overdue), "oldest": entry.oldest_overdue}
        ).data

    def get_wins_not_celebrated(self, entry: CaseloadEntry) -> int:
        return len(entry.wins_not_celebrated)


class CaseloadSerializer(serializers.Serializer):
    """A coach's caseload, most in need first (the weekly digest's order)."""

    coach = PersonSerializer()
    organisations = serializers.ListField(
        child=serializers.IntegerField(), source="organisation_ids"
    )
    as_of = serializers.DateTimeField()
    load = CoachLoadSerializer()
    projects = serializers.SerializerMethodField()

    @extend_schema_field(CaseloadProjectSerializer(many=True))
    def get_projects(self, caseload: Caseload) -> list[dict]:
        return CaseloadProjectSerializer(
            caseload.entries, many=True, context={"as_of": caseload.as_of}
        ).data


# --- the caseload as data -------------------------------------------------------------
# A caseload is a hundred projects with a dozen nested parts each: built by hand, in the
# shapes the serializers above document (tested equal), at a fraction of DRF's cost per
# field.

_DATETIME = serializers.DateTimeField()


def _when(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def _late_cycle(cycle: attention.LateCycle, *, since: str, days: str) -> dict:
    return {
        "id": cycle.cycle_id,
        "number": cycle.number,
        "title": cycle.title,
        since: _day(cycle.since) if since == "planned_end" else _when(cycle.since),
        days: cycle.days,
        "link": links.cycle_link(cycle.cycle_id),
    }


def _measure_icons(measure: MeasureOnChart) -> dict:
    point = measure.latest_point
    return {
        "id": measure.measure_id,
        "name": measure.name,
        "variation_icon": measure.variation_icon,
        "assurance_icon": measure.assurance_icon,
        "latest_period": str(point["x"]) if point else None,
        "latest_value": point["value"] if point else None,
        "target": None if measure.target is None else float(measure.target),
        "chart": links.measure_chart_json_link(measure.measure_id),
        "chart_svg": links.measure_chart_svg_link(measure.measure_id),
    }


def _entry(entry: CaseloadEntry, as_of) -> dict:
    project = entry.project
    oldest = entry.oldest_overdue
    return {
        "id": entry.project_id,
        "title": entry.title,
        "link": links.project_link(entry.project_id),
        "organisation": entry.organisation_id,
        "unit": {"id": project.unit.pk, "name": project.unit.name},
        "status": entry.status,
        "status_label": project.get_status_display(),
        "progress": progress_of(project),
        "last_activity_at": _when(entry.last_activity_at),
        "days_since_activity": max(0, (as_of - entry.last_activity_at).days),
        "days_stalled": entry.stall.days if entry.stall else 0,
        "overdue_cycles": {
            "count": len(entry.overdue),
            "oldest": None
            if oldest is None
            else _late_cycle(oldest, since="planned_end", days="days_overdue"),
        },
        "studies_pending": [
            _late_cycle(cycle, since="in_study_since", days="days_waiting")
            for cycle in entry.studies
        ],
        "missing_data": [
            {
                "measure_id": gap.measure_id,
                "name": gap.name,
                "frequency": gap.frequency,
                "last_period": _day(gap.last_period),
                "first_missing": _day(gap.first_missing),
                "missing_periods": gap.missing,
            }
            for gap in entry.gaps
        ],
        "outcome_measures": [_measure_icons(measure) for measure in entry.outcome_measures],
        "concerns": [{"measure_id": m.measure_id, "name": m.name} for m in entry.concerns],
        "wins": [
            {
                "measure_id": win.measure_id,
                "name": win.name,
                "strength": win.reading.strength,
                "rule": win.reading.rule,
                "period": win.reading.x,
                "celebrated": win.celebrated_at is not None,
                "celebrated_at": _when(win.celebrated_at),
            }
            for win in entry.wins
        ],
        "wins_not_celebrated": len(entry.wins_not_celebrated),
        "needs_coach": entry.needs_coach,
        "reasons": entry.reasons(),
        "next_action": vars(entry.next_action()),
    }


def caseload_data(caseload: Caseload) -> dict:
    """The caseload as ``CaseloadSerializer`` documents it."""
    coach, load = caseload.coach, caseload.load
    return {
        "coach": {"id": coach.pk, "email": coach.email, "full_name": coach.full_name},
        "organisations": list(caseload.organisation_ids),
        "as_of": _when(caseload.as_of),
        "load": {
            "projects": load.projects,
            "capacity": load.capacity,
            "over_capacity": load.over_capacity,
            "need_you": load.need_you,
        },
        "projects": [_entry(entry, caseload.as_of) for entry in caseload.entries],
    }
