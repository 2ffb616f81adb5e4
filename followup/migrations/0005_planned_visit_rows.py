"""Planned visits apart from visit forms, step 2 of 3: the rows move, none is lost.

- Every planned visit becomes a slot with the same primary key (so its reminders, and the links
  in notifications already sent, `followup/visits/<pk>/`, still name it), the same version and
  timestamps.
- Its history is carried: every historical row of a planned visit is copied, in order, into
  the slot's history (same time, user, reason and type), so the slot's audit trail starts from
  the visit's first row. The historical visit rows themselves stay where they are, readable,
  and name their slot (`planned_visit_id`).
- A visit keeps its form (its row, primary key, lifecycle, history and data queries) when it
  was recorded: done, any CRF field filled, moved on from draft in the form lifecycle, or the
  subject of a data query; every unscheduled visit keeps it. A planned visit with none of these
  was an empty placeholder, not a form: its row leaves the visit table (its slot and both
  histories keep everything it held).
- Reminders name the slot instead of the visit.

Plain SQL, one statement per step, so that a trial of 100,000 participants (1.4 million
visits) migrates in seconds rather than through the ORM row by row.

Backwards: only an empty follow-up (a fresh or test database) goes back; a database with
follow-up rows is restored from the backup taken before the upgrade, because a slot planned
after this migration has no row to go back to.
"""

from django.db import migrations

SLOT_FIELDS = "code, target, window_start, window_end, status, status_reason"
CRF_TEXT = ("outside_window_reason", "vital_status", "locoregional_recurrence_site")
CRF_TEXT += ("death_cause", "death_cause_detail", "systemic_therapy")
CRF_NULLABLE = ("visit_date", "last_known_alive", "distant_progression")
CRF_NULLABLE += ("distant_progression_date", "locoregional_recurrence")
CRF_NULLABLE += ("locoregional_recurrence_date", "death_date")


def _recorded(vendor: str) -> str:
    """SQL: the visit row holds a recorded form, not an empty placeholder."""
    empty_list = "'[]'::jsonb" if vendor == "postgresql" else "'[]'"
    return " OR ".join(
        [
            "kind <> 'planned'",
            "status = 'done'",
            "crf_status <> 'draft'",
            *(f"{name} IS NOT NULL" for name in CRF_NULLABLE),
            *(f"{name} <> ''" for name in CRF_TEXT),
            f"distant_progression_sites <> {empty_list}",
            "id IN (SELECT q.object_id FROM dataquality_dataquery q"
            " JOIN django_content_type ct ON ct.id = q.form_id"
            " WHERE ct.app_label = 'followup' AND ct.model = 'visit')",
        ]
    )


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO followup_plannedvisit"
            f" (id, created_at, updated_at, version, participant_id, {SLOT_FIELDS})"
            f" SELECT id, created_at, updated_at, version, participant_id, {SLOT_FIELDS}"
            " FROM followup_visit WHERE kind = 'planned' ORDER BY id"
        )
        history = (
            "id, created_at, updated_at, version, participant_id, history_date,"
            f" history_change_reason, history_type, history_user_id, {SLOT_FIELDS}"
        )
        cursor.execute(
            f"INSERT INTO followup_historicalplannedvisit ({history})"
            f" SELECT {history} FROM followup_historicalvisit WHERE kind = 'planned'"
            " ORDER BY history_id"
        )
        cursor.execute(
            "UPDATE followup_historicalvisit SET planned_visit_id = id WHERE kind = 'planned'"
        )
        cursor.execute(
            "UPDATE followup_reminder SET planned_visit_id = visit_id, visit_id = NULL"
        )
        cursor.execute(
            "DELETE FROM followup_visit"
            f" WHERE kind = 'planned' AND NOT ({_recorded(connection.vendor)})"
        )
        cursor.execute("UPDATE followup_visit SET planned_visit_id = id WHERE kind = 'planned'")
        if connection.vendor == "postgresql":
            # The slots took the visits' keys: the next slot planned starts after them.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('followup_plannedvisit', 'id'),"
                " COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM followup_plannedvisit"
            )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if apps.get_model("followup", "PlannedVisit").objects.exists():
        raise RuntimeError(
            "Planned visits cannot be merged back into visit rows: restore the database from "
            "the backup taken before this upgrade."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0004_planned_visit_slots"),
        ("dataquality", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
