"""Django admin for capability, for platform operators; tracked records show their
history. An edit that can change someone's level brings it in step, as the services do."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from capability.models import Course, DosingRatios, Engagement, Headcount, Person, TrainingRecord
from capability.services import levels_refresh


class KeepsLevelsAdmin(SimpleHistoryAdmin):
    """After a save or a delete, the levels of the people it touched follow the records."""

    def people_of(self, obj) -> list[int]:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        levels_refresh(
            person_ids=self.people_of(form.instance),
            by=request.user,
            reason="Changed in the admin.",
        )

    def delete_model(self, request, obj) -> None:
        people = self.people_of(obj)
        super().delete_model(request, obj)
        levels_refresh(person_ids=people, by=request.user, reason="Removed in the admin.")

    def delete_queryset(self, request, queryset) -> None:
        people = [pk for obj in queryset for pk in self.people_of(obj)]
        super().delete_queryset(request, queryset)
        levels_refresh(person_ids=people, by=request.user, reason="Removed in the admin.")


@admin.register(Course)
class CourseAdmin(KeepsLevelsAdmin):
    list_display = ["name", "organisation", "provider", "level", "is_active"]
    list_filter = ["organisation", "level", "is_active"]
    search_fields = ["name", "provider"]

    def people_of(self, obj) -> list[int]:
        return list(obj.records.values_list("person_id", flat=True)) if obj.pk else []


@admin.register(Person)
class PersonAdmin(KeepsLevelsAdmin):
    list_display = ["__str__", "email", "organisation", "unit", "level", "set_level", "listed"]
    list_filter = ["organisation", "level", "listed"]
    search_fields = ["email", "full_name"]
    list_select_related = ["organisation", "unit"]
    raw_id_fields = ["user", "unit", "set_by"]
    readonly_fields = ["level", "records_level"]

    def people_of(self, obj) -> list[int]:
        return [obj.pk] if obj.pk else []


@admin.register(TrainingRecord)
class TrainingRecordAdmin(KeepsLevelsAdmin):
    list_display = ["person", "course", "completed_on", "status", "source"]
    list_filter = ["status", "source", "course__level"]
    search_fields = ["person__email", "person__full_name", "course__name"]
    list_select_related = ["person", "course"]
    raw_id_fields = ["person", "course", "added_by", "decided_by"]

    def people_of(self, obj) -> list[int]:
        return [obj.person_id] if obj.person_id else []


@admin.register(Headcount)
class HeadcountAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "organisation", "staff"]
    list_filter = ["organisation"]
    raw_id_fields = ["unit"]


@admin.register(DosingRatios)
class DosingRatiosAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "foundation", "practitioner", "advanced", "expert"]


@admin.register(Engagement)
class EngagementAdmin(SimpleHistoryAdmin):
    list_display = ["happened_on", "leader", "kind", "project", "organisation"]
    list_filter = ["organisation", "kind"]
    raw_id_fields = ["leader", "project"]
