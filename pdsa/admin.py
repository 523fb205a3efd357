"""Django admin for PDSA cycles, for the QI team."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pdsa.models import Cycle, CycleQuestion, CycleTask


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
