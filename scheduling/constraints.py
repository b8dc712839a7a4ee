"""The database rule "no double booking", for PostgreSQL only.

`ExclusionConstraint` needs PostgreSQL (gist index, range types). The app also runs on SQLite, where the
same rule is checked inside the booking service's IMMEDIATE transaction; so this subclass emits its DDL on
PostgreSQL only and is a no-op on other databases. Living in the model's Meta keeps `makemigrations --check`
clean on both.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db.models import Func


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=None):
        # full_clean() must work on SQLite too; the booking service checks overlaps itself (with a
        # message naming what is taken), and on PostgreSQL the constraint is the last word on races.
        return None
