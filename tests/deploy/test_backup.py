"""`manage.py backup_database`: a dated, compressed dump from one snapshot, verified by a restore into a scratch
database (row counts, signed notes' hashes), old dumps pruned; and the restore drill of deploy/README.md."""

import datetime as dt
import io
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from clinic.management.commands import backup_database as backup
from clinic.models import Patient, VisitNote
from tests.clinic import note_factories
from tests.clinic.factories import PatientFactory, PractitionerFactory

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup_database runs pg_dump and pg_restore: PostgreSQL only (set DATABASE_URL=postgres://...)",
)


def stamp(day: int, hour: int = 2) -> dt.datetime:
    return dt.datetime(2026, 11, 1, hour, 30, tzinfo=UTC) + dt.timedelta(days=day)


# --- Retention (pure; every database) -------------------------------------------------------------------


def test_keeps_the_newest_dump_of_each_of_the_last_days_and_weeks():
    stamps = [stamp(day, hour) for day in range(30) for hour in (2, 14)]  # two a day, 1-30 November 2026
    kept = backup.dumps_to_keep(stamps, daily=7, weekly=4)
    # Daily: 24-30 November at 14:30. Weekly (ISO weeks 49, 48, 47, 46): their newest are the 30th, 29th
    # (already daily), the 22nd and the 15th.
    assert kept == {stamp(day, 14) for day in (*range(23, 30), 21, 14)}


@given(
    st.lists(st.integers(min_value=0, max_value=24 * 200), min_size=1, max_size=60, unique=True),
    st.integers(min_value=1, max_value=10),
    st.integers(min_value=0, max_value=10),
)
def test_retention_keeps_the_newest_and_at_most_daily_plus_weekly(hours, daily, weekly):
    stamps = [stamp(0) + dt.timedelta(hours=h) for h in hours]
    kept = backup.dumps_to_keep(stamps, daily=daily, weekly=weekly)
    assert max(stamps) in kept
    assert len(kept) <= daily + weekly
    assert len({s.date() for s in kept}) == len(kept)  # never two of one day
    newest_days = sorted({s.date() for s in stamps}, reverse=True)[:daily]
    for day in newest_days:
        assert max(s for s in stamps if s.date() == day) in kept


def test_prune_deletes_the_dumps_not_kept_with_their_manifests_and_nothing_else(tmp_path):
    for day in range(10):
        dump = tmp_path / f"clinic-{stamp(day).strftime(backup.STAMP_FORMAT)}.dump"
        dump.write_bytes(b"PGDMP")
        backup.manifest_path(dump).write_text("{}")
    (tmp_path / "notes.txt").write_text("not a dump")
    (tmp_path / f"clinic-{stamp(0).strftime(backup.STAMP_FORMAT)}.dump.failed").write_text("kept for a look")
    deleted = backup.prune(tmp_path, daily=3, weekly=0)
    assert len(deleted) == 7
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        [
            "notes.txt",
            f"clinic-{stamp(0).strftime(backup.STAMP_FORMAT)}.dump.failed",
            *[f"clinic-{stamp(d).strftime(backup.STAMP_FORMAT)}.dump{ext}" for d in (7, 8, 9) for ext in ("", ".json")],
        ]
    )


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal; PostgreSQL is tested below")
def test_on_sqlite_the_command_says_it_needs_postgresql(tmp_path):
    with pytest.raises(CommandError, match=r"PostgreSQL only.*sqlite3 db\.sqlite3"):
        call_command("backup_database", directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- On PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture
def records(transactional_db):
    """Rows a backup must carry: patients, and a signed visit note (committed: pg_dump is another session)."""
    practitioner = PractitionerFactory(display_name="Dr. Ada Adams")
    patients = [PatientFactory(first_name=f"Backup{n}") for n in range(3)]
    note = note_factories.signed(patients[0], practitioner, chief_complaint="Neck stiffness after a fall")
    return {"patients": patients, "note": note}


def scratch_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


@requires_postgres
def test_backup_writes_a_dated_compressed_dump_verifies_it_and_prunes(records, tmp_path):
    old = [tmp_path / f"clinic-{stamp(-day).strftime(backup.STAMP_FORMAT)}.dump" for day in range(40, 50)]
    for path in old:
        path.write_bytes(b"PGDMP old")
    out = io.StringIO()
    call_command("backup_database", directory=tmp_path, keep_daily=2, keep_weekly=1, stdout=out)

    dumps = sorted(tmp_path.glob("clinic-*.dump"))
    today = dt.datetime.now(UTC).strftime("%Y%m%d")
    new = [p for p in dumps if p not in old]
    assert len(new) == 1 and re.fullmatch(rf"clinic-{today}T\d{{6}}Z\.dump", new[0].name)
    assert new[0].read_bytes()[:5] == b"PGDMP"  # pg_dump's custom (compressed) format
    assert stat.S_IMODE(new[0].stat().st_mode) == 0o600
    listing = subprocess.run(["pg_restore", "--list", str(new[0])], capture_output=True, text=True, check=True)
    assert "Compression: gzip" in listing.stdout or re.search(r"Compression: [1-9]", listing.stdout)
    # Two daily (today's and the newest old one) and one weekly (today's week): the other old dumps are gone.
    assert len(dumps) == 2 and old[0] in dumps

    manifest = json.loads(backup.manifest_path(new[0]).read_text())
    assert manifest["tables"][f"public.{Patient._meta.db_table}"] == Patient.objects.count()
    note = records["note"]
    assert manifest["signed_notes"] == {str(note.pk): note.content_sha256}
    text = out.getvalue()
    assert "Verified" in text and "1 signed notes' hashes match" in text and "deleted 9" in text
    assert not scratch_exists(f"{connection.settings_dict['NAME']}_restore_check")


@requires_postgres
def test_a_dump_that_does_not_match_its_manifest_fails_verification(records, tmp_path):
    call_command("backup_database", directory=tmp_path, stdout=io.StringIO())
    (dump,) = tmp_path.glob("clinic-*.dump")
    manifest = json.loads(backup.manifest_path(dump).read_text())
    note_id = str(records["note"].pk)
    manifest["signed_notes"][note_id] = "0" * 64
    manifest["tables"][f"public.{Patient._meta.db_table}"] += 1
    backup.manifest_path(dump).write_text(json.dumps(manifest))
    with pytest.raises(CommandError) as failure:
        call_command("backup_database", verify=dump, stdout=io.StringIO())
    message = str(failure.value)
    assert "did NOT verify" in message
    assert f"signed visit note {note_id}: restored hash" in message
    assert f"table public.{Patient._meta.db_table}: 3 rows restored, 4 dumped" in message


@requires_postgres
def test_a_truncated_dump_fails_verification_with_pg_restores_reason(records, tmp_path):
    call_command("backup_database", directory=tmp_path, stdout=io.StringIO())
    (dump,) = tmp_path.glob("clinic-*.dump")
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("backup_database", verify=dump, stdout=io.StringIO())


@requires_postgres
def test_the_restore_drill_gives_a_working_database_with_intact_signed_notes(records, tmp_path):
    """deploy/README.md's restore, step by step: createdb, pg_restore, migrate --check, then read the records."""
    call_command("backup_database", directory=tmp_path, stdout=io.StringIO())
    (dump,) = tmp_path.glob("clinic-*.dump")
    db = connection.settings_dict
    restored = f"{db['NAME']}_drill"
    env = backup._tool_env(db)
    subprocess.run(["dropdb", "--if-exists", "--force", restored], env=env, check=True)
    subprocess.run(["createdb", restored], env=env, check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)], env=env, check=True
        )
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{restored}"
        check = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr  # the schema is current
        with psycopg.connect(**backup._connect_kwargs(db, restored)) as conn:
            names = {row[0] for row in conn.execute(f"SELECT first_name FROM {Patient._meta.db_table}")}
            notes = backup.signed_notes_from(conn)
            note = notes[str(records["note"].pk)]
            assert note.chief_complaint == "Neck stiffness after a fall"
            assert note.content_sha256 == records["note"].content_sha256 and note.hash_matches()
            # The signed-note trigger came back with the schema: the restored note is still locked.
            with pytest.raises(psycopg.Error, match="signed"):
                conn.execute(f"UPDATE {VisitNote._meta.db_table} SET plan = 'changed' WHERE id = %s", [note.pk])
        assert names == {p.first_name for p in records["patients"]}
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", restored], env=env, check=True)


@requires_postgres
def test_without_pg_dump_the_command_says_what_to_install_and_leaves_no_file(records, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # as on a server without PostgreSQL's client tools
    with pytest.raises(CommandError, match="pg_dump is not installed here: apt-get install postgresql-client"):
        call_command("backup_database", directory=tmp_path / "backups", stdout=io.StringIO())
    assert list((tmp_path / "backups").iterdir()) == []
