"""Django admin for the self-assessment, for platform operators."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessment.models import Answer, Assessment


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["code", "rating", "narrative", "evidence_at"]
    readonly_fields = ["code", "evidence_at"]
    extra = 0
    can_delete = False


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "year", "status", "evidence_at", "agreed_at"]
    list_filter = ["organisation", "status"]
    readonly_fields = ["evidence_at"]
    inlines = [AnswerInline]
