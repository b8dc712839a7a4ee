"""Production on PostgreSQL reuses each worker's database connection (issue 14): CONN_MAX_AGE is 60 unless the
environment says otherwise, and a kept connection is checked before reuse."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['ENGINE'].rsplit('.', 1)[1], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


def database_settings(**env_extra) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "CONN_MAX_AGE", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "clinic.settings", "SECRET_KEY": "k" * 64, "ALLOWED_HOSTS": "x.org"})
    env.update(env_extra)
    script = f"import django; django.setup(); {SHOW}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "0", "DATABASE_URL": "postgres://u@db:5432/clinic"}, "postgresql 60 True"),
        ({"DEBUG": "0", "DATABASE_URL": "postgres://u@db:5432/clinic", "CONN_MAX_AGE": "0"}, "postgresql 0 True"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://u@db:5432/clinic"}, "postgresql 0 True"),
        ({"DEBUG": "0", "DATABASE_URL": "sqlite:///:memory:"}, "sqlite3 0 True"),
    ],
)
def test_production_on_postgresql_keeps_its_connections(env, expected):
    assert database_settings(**env) == expected
