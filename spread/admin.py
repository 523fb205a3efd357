from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from spread.models import Adoption, ChangePackage, SpreadCandidate, SpreadTarget


class ChangePackageInline(admin.StackedInline):
    model = ChangePackage
    extra = 0
    raw_id_fields = ["contact", "evidence_measure"]
    filter_horizontal = ["cycles"]


@admin.register(SpreadCandidate)
class SpreadCandidateAdmin(SimpleHistoryAdmin):
    list_display = [
        "change_idea",
        "organisation",
        "origin_unit",
        "origin",
        "status",
        "evidence_strength",
        "updated_at",
    ]
    list_filter = ["organisation", "status", "evidence_strength", "origin"]
    search_fields = ["change_idea__title", "origin_unit__name", "nomination_note"]
    list_select_related = ["change_idea", "organisation", "origin_unit"]
    raw_id_fields = [
        "change_idea",
        "origin_project",
        "origin_unit",
        "source_cycle",
        "evidence_measure",
        "nominated_by",
        "reviewed_by",
    ]
    inlines = [ChangePackageInline]


@admin.register(SpreadTarget)
class SpreadTargetAdmin(SimpleHistoryAdmin):
    list_display = ["candidate", "unit", "targeted_by", "created_at"]
    list_select_related = ["candidate__change_idea", "unit", "targeted_by"]
    raw_id_fields = ["candidate", "unit", "targeted_by"]


@admin.register(Adoption)
class AdoptionAdmin(SimpleHistoryAdmin):
    list_display = ["candidate", "unit", "status", "project", "updated_at"]
    list_filter = ["status"]
    search_fields = ["candidate__change_idea__title", "unit__name"]
    list_select_related = ["candidate__change_idea", "unit", "project"]
    raw_id_fields = ["candidate", "unit", "project", "started_by"]
