from django.contrib import admin

from notifications.models import JobRun, Notification, NudgeSettings, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "recipient", "organisation", "created_at", "read_at",
                    "email_sent_at"]  # fmt: skip
    list_filter = ["kind", "organisation", ("read_at", admin.EmptyFieldListFilter),
                   ("email_sent_at", admin.EmptyFieldListFilter)]  # fmt: skip
    search_fields = ["title", "recipient__email", "dedupe_key"]
    list_select_related = ["recipient", "organisation"]
    raw_id_fields = ["recipient", "project", "cycle", "measure"]
    readonly_fields = ["dedupe_key", "created_at", "email_claimed_at", "email_attempts"]
    date_hierarchy = "created_at"


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "in_app", "email", "digest_weekday", "quiet_hours_start",
                    "quiet_hours_end"]  # fmt: skip
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(NudgeSettings)
class NudgeSettingsAdmin(admin.ModelAdmin):
    list_display = ["organisation", "stall_days", "overdue_days", "missing_periods",
                    "study_pending_days"]  # fmt: skip


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "slot", "started_at", "finished_at"]
    list_filter = ["job"]
    readonly_fields = ["job", "slot", "started_at", "finished_at", "result"]
