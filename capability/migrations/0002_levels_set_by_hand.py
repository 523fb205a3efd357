"""Carry each member's hand-set capability level over to a training record of their own.

Before training records, a membership held one level set by hand (awareness to expert).
Each member above awareness gets a record here with that level set by hand, saying so,
and a first history entry; then the membership's field is dropped (so this runs first).
"""

from django.db import migrations
from django.utils import timezone

REASON = "Set by hand on the membership before Ripple kept training records."
LEVELS = {"foundation", "practitioner", "advanced", "expert"}
RANKS = {"foundation": 1, "practitioner": 2, "advanced": 3, "expert": 4}


def carry_levels_over(apps, schema_editor):
    Membership = apps.get_model("backend", "Membership")
    Person = apps.get_model("capability", "Person")
    HistoricalPerson = apps.get_model("capability", "HistoricalPerson")
    now = timezone.now()
    hand_set = Membership.objects.filter(capability__in=LEVELS).select_related("user")
    for membership in hand_set.iterator():
        person, made = Person.objects.get_or_create(
            organisation_id=membership.organisation_id,
            email=membership.user.email.lower(),
            defaults={
                "user_id": membership.user_id,
                "full_name": membership.user.full_name,
                "unit_id": membership.home_unit_id,
            },
        )
        person.user_id = person.user_id or membership.user_id
        person.set_level = person.level = membership.capability
        person.level_rank = RANKS[membership.capability]
        person.set_reason = REASON
        person.set_at = now
        person.save()
        HistoricalPerson.objects.create(
            **{
                field.attname: getattr(person, field.attname)
                for field in Person._meta.concrete_fields
            },
            history_date=now,
            history_type="+" if made else "~",
            history_change_reason=REASON,
        )


def put_levels_back(apps, schema_editor):
    Membership = apps.get_model("backend", "Membership")
    Person = apps.get_model("capability", "Person")
    for person in Person.objects.exclude(level="").exclude(user=None).iterator():
        Membership.objects.filter(
            organisation_id=person.organisation_id, user_id=person.user_id
        ).update(capability=person.level)


class Migration(migrations.Migration):
    dependencies = [
        ("capability", "0001_initial"),
        ("backend", "0002_history_change_reason_text"),
    ]
    # The membership's level is dropped by the ground floor's next migration: read it first.
    run_before = [("backend", "0006_remove_membership_capability")]

    operations = [migrations.RunPython(carry_levels_over, put_levels_back)]
