"""Signed visit notes and their addenda cannot be changed or deleted, even by SQL, on PostgreSQL.

A trigger refuses UPDATE and DELETE of a `clinic_visitnote` row whose stored `signed_at` is set (the
signing UPDATE itself starts from a draft, so it passes), and any UPDATE or DELETE of `clinic_noteaddendum`.
TRUNCATE is not blocked (test databases are flushed that way), as for the audit trail (0004).
On SQLite nothing is installed: the services refuse and the admin is read-only.

Also loads a starting list of block landmarks; the clinic admin edits it (landmarks vary by SOT school).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clinic_visitnote_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'visit note % is signed: % refused (add an addendum instead)', OLD.id, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS clinic_visitnote_locked ON clinic_visitnote;
CREATE TRIGGER clinic_visitnote_locked
    BEFORE UPDATE OR DELETE ON clinic_visitnote
    FOR EACH ROW EXECUTE FUNCTION clinic_visitnote_locked();

CREATE OR REPLACE FUNCTION clinic_noteaddendum_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'note addenda are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS clinic_noteaddendum_append_only ON clinic_noteaddendum;
CREATE TRIGGER clinic_noteaddendum_append_only
    BEFORE UPDATE OR DELETE ON clinic_noteaddendum
    FOR EACH ROW EXECUTE FUNCTION clinic_noteaddendum_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS clinic_visitnote_locked ON clinic_visitnote;
DROP FUNCTION IF EXISTS clinic_visitnote_locked();
DROP TRIGGER IF EXISTS clinic_noteaddendum_append_only ON clinic_noteaddendum;
DROP FUNCTION IF EXISTS clinic_noteaddendum_append_only();
"""

LANDMARKS = [
    "Acetabulum",
    "Anterior superior iliac spine (ASIS)",
    "Greater trochanter",
    "Iliac crest",
    "Knee (distal femur)",
    "Mid-thigh (femur)",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


def landmarks(apps, schema_editor):
    BlockLandmark = apps.get_model("clinic", "BlockLandmark")
    for position, name in enumerate(LANDMARKS, start=1):
        BlockLandmark.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("clinic", "0005_visit_notes")]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(landmarks, migrations.RunPython.noop),
    ]
