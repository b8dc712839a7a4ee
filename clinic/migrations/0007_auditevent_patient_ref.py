"""Each audit row keeps the patient's id in `patient_ref`, a plain column that never changes.

Before, the only link was `patient_id`, which the append-only trigger (0004) had to let become NULL (Django
empties it when a patient is deleted); anyone with UPDATE rights could therefore empty it on any row and hide
that row from the patient's access log. Now the access log and the export read `patient_ref`, a check
constraint makes it equal to the link when the row is written, and the trigger refuses every change to it (and
to every other column; only the two links may still become NULL when their user or patient is deleted).
Existing rows are filled from their link, or from the object id of a row about the patient record itself whose
link was already emptied.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE clinic_auditevent SET patient_ref = patient_id WHERE patient_id IS NOT NULL;
UPDATE clinic_auditevent SET patient_ref = CAST(object_id AS bigint)
 WHERE patient_id IS NULL AND object_type = 'clinic.Patient' AND object_id ~ '^[0-9]{1,18}$';
"""

TRIGGER = """
CREATE OR REPLACE FUNCTION clinic_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.at, NEW.actor_label, NEW.action, NEW.object_type, NEW.object_id, NEW.ip_address,
            NEW.detail, NEW.patient_ref)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_label, OLD.action, OLD.object_type, OLD.object_id, OLD.ip_address,
            OLD.detail, OLD.patient_ref)
       AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
       AND (NEW.patient_id IS NULL OR NEW.patient_id IS NOT DISTINCT FROM OLD.patient_id)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % of clinic_auditevent refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# The function as migration 0004 made it (the trigger itself is unchanged and keeps calling it).
PREVIOUS = """
CREATE OR REPLACE FUNCTION clinic_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.at, NEW.actor_label, NEW.action, NEW.object_type, NEW.object_id, NEW.ip_address, NEW.detail)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_label, OLD.action, OLD.object_type, OLD.object_id, OLD.ip_address, OLD.detail)
       AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
       AND (NEW.patient_id IS NULL OR NEW.patient_id IS NOT DISTINCT FROM OLD.patient_id)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % of clinic_auditevent refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("clinic", "AuditEvent")
    if schema_editor.connection.vendor == "postgresql":
        # The 0004 trigger lets this through: it compares only the columns it knows, and patient_ref is new.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKFILL)
        return
    AuditEvent.objects.filter(patient__isnull=False).update(patient_ref=models.F("patient"))
    for event in AuditEvent.objects.filter(patient__isnull=True, object_type="clinic.Patient"):
        if event.object_id.isdecimal():
            AuditEvent.objects.filter(pk=event.pk).update(patient_ref=int(event.object_id))


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor with no parameters: the "%" in RAISE is PL/pgSQL's, not a query placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TRIGGER)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0006_visit_notes_locked_and_landmarks")]

    operations = [
        migrations.RemoveIndex(model_name="auditevent", name="clinic_audi_patient_d6ce10_idx"),
        migrations.AddField(
            model_name="auditevent",
            name="patient_ref",
            field=models.BigIntegerField(
                blank=True,
                editable=False,
                help_text="The patient's id, kept if the patient goes.",
                null=True,
                verbose_name="patient id",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["patient_ref", "-at"], name="clinic_audit_patient_ref_at"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("patient__isnull", True),
                    models.Q(("patient_ref", models.F("patient")), ("patient_ref__isnull", False)),
                    _connector="OR",
                ),
                name="auditevent_patient_ref_is_the_patient",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
