"""Django admin for the portfolio, for the QI team; tracked records show their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import (
    ChangeIdea,
    DataPoint,
    Driver,
    Measure,
    MeasureDefinition,
    Project,
    ProjectMember,
    Rebase,
    StrategicAim,
)
from projects.services import measure_reading_changed, project_record_changed_by


class ConsequencesAdmin(SimpleHistoryAdmin):
    """An edit here has the consequences the services give the same change, named by
    ``follow`` for the record that owns what changed (``owner``: the measure or the
    project). Deleting the owner itself has none to follow."""

    owner: type

    def owner_of(self, obj):
        return obj if isinstance(obj, self.owner) else getattr(obj, self.owner.__name__.lower())

    def follow(self, request, owner) -> None:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        self.follow(request, self.owner_of(form.instance))

    def delete_model(self, request, obj) -> None:
        owner = self.owner_of(obj)
        super().delete_model(request, obj)
        if not isinstance(obj, self.owner):
            self.follow(request, owner)

    def delete_queryset(self, request, queryset) -> None:
        owners = {self.owner_of(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for owner in owners:
            if self.owner.objects.filter(pk=owner.pk).exists():
                self.follow(request, owner)


class RenewsChartsAdmin(ConsequencesAdmin):
    """What a data write has: a new revision (no cached chart survives) and the signal
    the progress score, celebrations and spread react to."""

    owner = Measure

    def follow(self, request, owner) -> None:
        measure_reading_changed(measure=owner, by=request.user)


class ChangesProjectRecordAdmin(ConsequencesAdmin):
    """What a change to a project's aim, team or change ideas has: the progress score is
    recomputed."""

    owner = Project

    def follow(self, request, owner) -> None:
        project_record_changed_by(project_id=owner.pk, by=request.user)


@admin.register(StrategicAim)
class StrategicAimAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "parent", "unit", "owner", "ends_on", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["title", "statement"]
    raw_id_fields = ["parent", "unit", "owner", "goal_measure"]
    list_select_related = ["organisation", "parent", "unit", "owner"]


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(ChangesProjectRecordAdmin):
    list_display = ["title", "organisation", "unit", "status", "last_activity_at", "updated_at"]
    list_filter = ["organisation", "status"]
    search_fields = ["title", "aim_statement", "problem"]
    raw_id_fields = ["unit", "created_by", "progress_override_by"]
    filter_horizontal = ["aims"]
    readonly_fields = ["progress_score", "progress_reason", "created_at", "updated_at"]
    list_select_related = ["organisation", "unit"]
    inlines = [ProjectMemberInline]


@admin.register(ProjectMember)
class ProjectMemberAdmin(ChangesProjectRecordAdmin):
    list_display = ["project", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["project__title", "user__email", "user__full_name"]
    raw_id_fields = ["project", "user"]
    list_select_related = ["project", "user"]


@admin.register(Driver)
class DriverAdmin(SimpleHistoryAdmin):
    list_display = ["title", "project", "kind", "parent", "position"]
    list_filter = ["kind"]
    search_fields = ["title", "project__title"]
    raw_id_fields = ["project", "parent"]
    list_select_related = ["project", "parent"]


@admin.register(ChangeIdea)
class ChangeIdeaAdmin(ChangesProjectRecordAdmin):
    list_display = ["title", "project", "status", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["title", "description", "learning", "project__title"]
    raw_id_fields = ["project", "created_by"]
    filter_horizontal = ["drivers"]
    list_select_related = ["project"]


@admin.register(MeasureDefinition)
class MeasureDefinitionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "chart_type", "improvement_direction", "frequency"]
    list_filter = ["organisation", "chart_type", "improvement_direction"]
    search_fields = ["name", "operational_definition"]


class RebaseInline(admin.TabularInline):
    model = Rebase
    extra = 0
    raw_id_fields = ["decided_by"]


@admin.register(Measure)
class MeasureAdmin(RenewsChartsAdmin):
    list_display = ["name", "organisation", "project", "aim", "type", "chart_type", "revision"]
    list_filter = ["organisation", "type", "chart_type"]
    search_fields = ["name", "project__title", "aim__title"]
    raw_id_fields = ["project", "aim", "definition"]
    # The revision keys cached charts: only services move it, with the data.
    readonly_fields = ["revision", "created_at", "updated_at"]
    list_select_related = ["organisation", "project", "aim"]
    inlines = [RebaseInline]


@admin.register(Rebase)
class RebaseAdmin(RenewsChartsAdmin):
    list_display = ["measure", "starts_on", "decided_by", "created_at"]
    raw_id_fields = ["measure", "decided_by"]
    list_select_related = ["measure", "decided_by"]


@admin.register(DataPoint)
class DataPointAdmin(RenewsChartsAdmin):
    list_display = ["measure", "period", "value", "numerator", "denominator", "updated_at"]
    search_fields = ["measure__name", "note"]
    raw_id_fields = ["measure", "created_by"]
    date_hierarchy = "period"
    list_select_related = ["measure"]
