"""`manage.py backup_database`: a dated, compressed pg_dump, verified by restoring it, then old dumps pruned.

The dump and a manifest (row count of every table and each signed visit note's SHA-256) are taken from one
exported snapshot, so they describe exactly the same moment while the clinic keeps working. Verification
restores the dump into a scratch database, compares every table's row count with the manifest, and recomputes
each signed note's hash from its restored content. `--verify FILE` runs the same check on an existing dump (the
monthly restore drill). PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg import sql
from psycopg.rows import dict_row

from clinic.management.base import TranslatedHelpCommand
from clinic.models import VisitNote

STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
DUMP_NAME = re.compile(r"^clinic-(\d{8}T\d{6}Z)\.dump$")


# --- Which dumps to keep ------------------------------------------------------------------------------


def dumps_to_keep(stamps: list[dt.datetime], *, daily: int, weekly: int) -> set[dt.datetime]:
    """The newest dump of each of the `daily` most recent days that have one, and the newest of each of the
    `weekly` most recent ISO weeks; everything else may go."""
    keep: set[dt.datetime] = set()
    days: dict[dt.date, dt.datetime] = {}
    weeks: dict[tuple[int, int], dt.datetime] = {}
    for stamp in sorted(stamps, reverse=True):
        days.setdefault(stamp.date(), stamp)
        weeks.setdefault(stamp.isocalendar()[:2], stamp)
    keep.update(list(days.values())[:daily])
    keep.update(list(weeks.values())[:weekly])
    return keep


def dump_stamp(path: Path) -> dt.datetime | None:
    match = DUMP_NAME.match(path.name)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=dt.UTC)


def prune(directory: Path, *, daily: int, weekly: int) -> list[Path]:
    """Delete the dumps (and their manifests) that `dumps_to_keep` does not keep; returns what was deleted."""
    dumps = {stamp: path for path in directory.iterdir() if (stamp := dump_stamp(path)) is not None}
    keep = dumps_to_keep(list(dumps), daily=daily, weekly=weekly)
    deleted = []
    for stamp, path in sorted(dumps.items()):
        if stamp not in keep:
            path.unlink()
            manifest_path(path).unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


# --- Talking to PostgreSQL ----------------------------------------------------------------------------


def _connect_kwargs(db: dict, name: str | None = None) -> dict:
    kwargs = {"dbname": name or db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    kwargs.update(host=db.get("HOST") or None, port=str(db["PORT"]) if db.get("PORT") else None)
    return {key: value for key, value in kwargs.items() if value is not None}


def _tool_env(db: dict) -> dict:
    """pg_dump and pg_restore read the connection from the environment: no password on a command line."""
    env = os.environ.copy()
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _count_rows(conn: psycopg.Connection) -> dict[str, int]:
    tables = conn.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    ).fetchall()
    return {
        f"{schema}.{table}": conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
        ).fetchone()[0]
        for schema, table in tables
    }


def _signed_note_hashes(conn: psycopg.Connection) -> dict[str, str]:
    query = sql.SQL("SELECT id, content_sha256 FROM {} WHERE status = %s ORDER BY id").format(
        sql.Identifier(VisitNote._meta.db_table)
    )
    return {str(pk): digest for pk, digest in conn.execute(query, [VisitNote.Status.SIGNED])}


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise CommandError(
            _("%(program)s is not installed here: apt-get install postgresql-client") % {"program": command[0]}
        ) from None
    if result.returncode != 0:
        raise CommandError(
            _("%(what)s failed (exit %(code)s): %(error)s")
            % {"what": what, "code": result.returncode, "error": result.stderr.strip()}
        )


# --- Backup and verification --------------------------------------------------------------------------


def backup_write(*, db: dict, directory: Path, now: dt.datetime) -> tuple[Path, dict]:
    """Dump the database to `clinic-<UTC time>.dump` (custom format, compressed, mode 0600) with its manifest,
    both from one snapshot."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    dump = directory / f"clinic-{now.astimezone(dt.UTC).strftime(STAMP_FORMAT)}.dump"
    if dump.exists():
        raise CommandError(
            _("A backup named %(name)s already exists; wait a second and run it again.") % {"name": dump.name}
        )
    partial = dump.with_name(f".{dump.name}.partial")
    try:
        manifest = _dump_from_one_snapshot(db, dump, partial, now)
    except BaseException:
        partial.unlink(missing_ok=True)  # a half-written dump must not be mistaken for a backup
        raise
    partial.chmod(0o600)
    partial.replace(dump)
    manifest_file = manifest_path(dump)
    manifest_file.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    manifest_file.chmod(0o600)
    return dump, manifest


def _dump_from_one_snapshot(db: dict, dump: Path, partial: Path, now: dt.datetime) -> dict:
    with psycopg.connect(**_connect_kwargs(db)) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--compress=6",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={partial}",
                db["NAME"],
            ],
            _tool_env(db),
            "pg_dump",
        )
        manifest = {
            "dump": dump.name,
            "taken_at": now.astimezone(dt.UTC).isoformat(),
            "database": db["NAME"],
            "tables": _count_rows(conn),
            "signed_notes": _signed_note_hashes(conn),
        }
        conn.rollback()
    return manifest


@dataclass
class Verification:
    database: str
    tables: int = 0
    rows: int = 0
    signed_notes: int = 0
    problems: list[str] = field(default_factory=list)


@contextmanager
def _scratch_database(db: dict, name: str):
    """An empty database `name` for the restore, dropped afterwards."""
    with psycopg.connect(**_connect_kwargs(db), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(**_connect_kwargs(db), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def signed_notes_from(conn: psycopg.Connection) -> dict[str, VisitNote]:
    """The signed visit notes of the database behind `conn`, as unsaved model instances built from their rows
    (the hash needs only the field values), keyed by id."""
    conn.execute("SET TIME ZONE 'UTC'")  # signed_at goes into the hash as an ISO time in UTC, as Django reads it
    columns = {f.column: f.attname for f in VisitNote._meta.concrete_fields}
    query = sql.SQL("SELECT * FROM {} WHERE status = %s").format(sql.Identifier(VisitNote._meta.db_table))
    notes = {}
    with conn.cursor(row_factory=dict_row) as cursor:
        for row in cursor.execute(query, [VisitNote.Status.SIGNED]):
            note = VisitNote(**{columns[column]: value for column, value in row.items() if column in columns})
            notes[str(note.pk)] = note
    return notes


def backup_verify(*, db: dict, dump: Path, manifest: dict, scratch_name: str) -> Verification:
    """Restore `dump` into the scratch database and compare it with `manifest`: every table's row count, and
    each signed note's stored hash, which must also be the hash of its restored content."""
    report = Verification(database=scratch_name)
    with _scratch_database(db, scratch_name):
        try:
            _run(
                ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={scratch_name}", str(dump)],
                _tool_env(db),
                "pg_restore",
            )
        except CommandError as error:
            report.problems.append(str(error))
            return report
        with psycopg.connect(**_connect_kwargs(db, scratch_name)) as conn:
            restored = _count_rows(conn)
            signed = signed_notes_from(conn)
        expected = manifest["tables"]
        for table in sorted(set(expected) | set(restored)):
            if table not in restored:
                report.problems.append(f"table {table} is missing from the restored database")
            elif table not in expected:
                report.problems.append(f"table {table} is in the restored database but not in the manifest")
            elif restored[table] != expected[table]:
                report.problems.append(f"table {table}: {restored[table]} rows restored, {expected[table]} dumped")
        report.tables, report.rows = len(restored), sum(restored.values())

        for pk, digest in sorted(manifest["signed_notes"].items(), key=lambda item: int(item[0])):
            note = signed.get(pk)
            if note is None:
                report.problems.append(f"signed visit note {pk} is missing from the restored database")
            elif note.content_sha256 != digest:
                report.problems.append(f"signed visit note {pk}: restored hash {note.content_sha256}, dumped {digest}")
            elif not note.hash_matches():
                report.problems.append(f"signed visit note {pk}: its restored content does not match its hash")
        for pk in sorted(set(signed) - set(manifest["signed_notes"]), key=int):
            report.problems.append(f"signed visit note {pk} is in the restored database but not in the manifest")
        report.signed_notes = len(signed)
    return report


class Command(TranslatedHelpCommand):
    help_text = gettext_lazy(
        "Write a dated, compressed pg_dump to BACKUP_DIR, verify it by restoring it into a scratch database "
        "(row counts and signed notes' hashes), then keep BACKUP_KEEP_DAILY daily and BACKUP_KEEP_WEEKLY weekly "
        "dumps. With --verify FILE, only verify an existing dump (the restore drill). PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, help=_("where the dumps go (default: BACKUP_DIR)"))
        parser.add_argument("--keep-daily", type=int, help=_("default: BACKUP_KEEP_DAILY"))
        parser.add_argument("--keep-weekly", type=int, help=_("default: BACKUP_KEEP_WEEKLY"))
        parser.add_argument("--verify", type=Path, metavar="FILE", help=_("verify this dump (its .json beside it)"))

    def handle(self, *args, **options):
        if not settings.IS_POSTGRES:
            raise CommandError(
                _(
                    "backup_database works on PostgreSQL only, and DATABASE_URL points at SQLite. Back up an SQLite "
                    "file with: sqlite3 db.sqlite3 \".backup 'clinic-backup.sqlite3'\""
                )
            )
        db = connections["default"].settings_dict
        scratch = settings.BACKUP_VERIFY_DATABASE or f"{db['NAME']}_restore_check"
        if options["verify"]:
            dump = options["verify"]
            if not manifest_path(dump).exists():
                raise CommandError(
                    _("%(path)s is missing: the manifest written beside each dump.") % {"path": manifest_path(dump)}
                )
            self._verify(db, dump, json.loads(manifest_path(dump).read_text()), scratch, on_failure_rename=False)
            return

        directory = options["directory"] or Path(settings.BACKUP_DIR)
        daily = settings.BACKUP_KEEP_DAILY if options["keep_daily"] is None else options["keep_daily"]
        weekly = settings.BACKUP_KEEP_WEEKLY if options["keep_weekly"] is None else options["keep_weekly"]
        if daily < 1:
            raise CommandError(_("Keep at least one daily backup (BACKUP_KEEP_DAILY or --keep-daily >= 1)."))
        started = time.monotonic()
        dump, manifest = backup_write(db=db, directory=directory, now=dt.datetime.now(dt.UTC))
        self.stdout.write(
            f"Wrote {dump} ({dump.stat().st_size / 1e6:.1f} MB, {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} rows) in {time.monotonic() - started:.1f} s"
        )
        self._verify(db, dump, manifest, scratch, on_failure_rename=True)
        deleted = prune(directory, daily=daily, weekly=weekly)
        kept = sorted(p.name for p in directory.iterdir() if dump_stamp(p))
        self.stdout.write(f"Kept {len(kept)} dumps ({daily} daily, {weekly} weekly); deleted {len(deleted)}.")
        for path in deleted:
            self.stdout.write(f"  deleted {path.name}")

    def _verify(self, db, dump: Path, manifest: dict, scratch: str, *, on_failure_rename: bool) -> None:
        started = time.monotonic()
        report = backup_verify(db=db, dump=dump, manifest=manifest, scratch_name=scratch)
        if report.problems:
            where = dump
            if on_failure_rename:
                # A failed dump must not count as the day's backup when old ones are pruned.
                where = dump.replace(dump.with_name(dump.name + ".failed"))
                manifest_path(dump).replace(manifest_path(where))
            problems = "\n  ".join(report.problems)
            raise CommandError(
                _("The backup %(path)s did NOT verify:\n  %(problems)s") % {"path": where, "problems": problems}
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Verified {dump.name}: restored into {report.database}; {report.tables} tables and {report.rows} "
                f"rows match; {report.signed_notes} signed notes' hashes match their content "
                f"({time.monotonic() - started:.1f} s)"
            )
        )
