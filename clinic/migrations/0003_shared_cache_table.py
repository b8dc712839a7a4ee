"""The shared cache (settings.CACHES: Django's database cache) needs its table; create it with the schema.

Login-failure counters and used TOTP codes live there, so every app server sees the same counts.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Does nothing when CACHES points at another backend (e.g. Redis).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_roles")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
