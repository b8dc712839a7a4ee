"""On PostgreSQL the audit trail is append-only at the database level: a trigger refuses UPDATE and DELETE.

The one update let through is the link to a deleted user or patient becoming NULL (on_delete=SET_NULL);
the row keeps `actor_label` and `object_id`, so the event still says who and what. TRUNCATE is not
blocked (test databases are flushed that way); only the table owner may run it, and production should
connect as a role that does not own the tables (see README, "Security").
On SQLite nothing is installed: the application never updates or deletes audit rows and the admin is
read-only.
"""

from django.db import migrations

CREATE = """
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

DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent;
CREATE TRIGGER clinic_auditevent_append_only
    BEFORE UPDATE OR DELETE ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION clinic_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent;
DROP FUNCTION IF EXISTS clinic_auditevent_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor with no parameters: the "%" in RAISE is PL/pgSQL's, not a query placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_shared_cache_table")]

    operations = [migrations.RunPython(install, uninstall)]
