"""Django admin for PDSA cycles, for the QI team."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pdsa.models import Cycle, CycleQuestion, CycleTask
from pdsa.services.common import record_cycle_change


class CycleQuestionInline(admin.TabularInline):
    model = CycleQuestion
    extra = 0


class CycleTaskInline(admin.TabularInline):
    model = CycleTask
    extra = 0


@admin.register(Cycle)
class CycleAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "project", "stage", "decision", "owner", "planned_end"]
    list_filter = ["stage", "decision", "purpose"]
    search_fields = ["title", "objective", "learning", "project__title"]
    raw_id_fields = ["project", "change_idea", "parent", "cloned_from", "owner", "created_by"]
    filter_horizontal = ["measures"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    inlines = [CycleQuestionInline, CycleTaskInline]

    # An edit here is the team's activity and may move the progress score, as a cycle
    # written through the services is.
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        record_cycle_change(project_id=form.instance.project_id)

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        record_cycle_change(project_id=obj.project_id)

    def delete_queryset(self, request, queryset) -> None:
        project_ids = set(queryset.values_list("project_id", flat=True))
        super().delete_queryset(request, queryset)
        for project_id in project_ids:
            record_cycle_change(project_id=project_id)
