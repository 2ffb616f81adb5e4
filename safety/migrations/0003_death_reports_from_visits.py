"""The date of death moves from the follow-up visit to the death report, its single source.

For each participant whose visits recorded a death, a death report is made from the earliest
such visit (its date, cause and details; the visit's lifecycle state, so a verified death stays
verified), with a history row saying where it came from. The visits' death columns are then
removed (followup 0008). Backwards: the reports made here are left (the columns come back
empty); nothing is deleted from a clinical table.
"""

from django.db import migrations

CAUSES = {
    "breast_cancer": "breast_cancer",
    "treatment": "treatment_related",
    "other": "other",
    "unknown": "unknown",
}
REASON = "Moved from the follow-up visit (the death report is now the single source of the date)"


def move_deaths(apps, schema_editor):
    Visit = apps.get_model("followup", "Visit")
    DeathReport = apps.get_model("safety", "DeathReport")
    HistoricalDeathReport = apps.get_model("safety", "HistoricalDeathReport")
    have = set(DeathReport.objects.values_list("participant_id", flat=True))
    seen = set()
    for visit in Visit.objects.filter(death_date__isnull=False).order_by(
        "participant_id", "death_date", "pk"
    ):
        if visit.participant_id in have or visit.participant_id in seen:
            continue
        seen.add(visit.participant_id)
        report = DeathReport.objects.create(
            participant_id=visit.participant_id,
            death_date=visit.death_date,
            primary_cause=CAUSES.get(visit.death_cause, "unknown"),
            cause_detail=visit.death_cause_detail,
            autopsy="unknown",
            information_source="other",
            crf_status=visit.crf_status if visit.crf_status != "locked" else "verified",
            verified_by_id=visit.verified_by_id,
            verified_at=visit.verified_at,
        )
        fields = {
            f.attname: getattr(report, f.attname)
            for f in DeathReport._meta.concrete_fields
        }
        HistoricalDeathReport.objects.create(
            **fields,
            history_date=report.updated_at,
            history_type="+",
            history_change_reason=REASON,
            history_user_id=None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0002_load_ctcae_terms"),
        ("followup", "0007_history_user_protected_and_named"),
    ]

    operations = [migrations.RunPython(move_deaths, migrations.RunPython.noop)]
