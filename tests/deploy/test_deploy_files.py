"""The files of deploy/: the environment template covers every setting the README lists, the systemd units
and Caddy's configuration are valid for the real tools, and each unit runs a command that exists."""

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("clinic-*"))


def readme_configuration_variables() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    names = []
    for row in table.splitlines():
        if row.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    return names


def template_variables() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "clinic.env.example").read_text().splitlines():
        match = re.match(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_the_environment_template_has_every_variable_the_readme_lists():
    names = readme_configuration_variables()
    assert len(names) > 30 and "DATABASE_URL" in names and "EMAIL_USE_TLS" in names
    missing = sorted(set(names) - set(template_variables()))
    assert missing == [], f"deploy/clinic.env.example lacks {missing}"


def test_the_template_is_production_shaped():
    values = template_variables()
    assert values["DEBUG"] == "0" and values["SECRET_KEY"] == "CHANGE-ME"
    assert values["CLINIC_TRUSTED_PROXY_COUNT"] == "1"  # one proxy (Caddy) in front of gunicorn
    assert values["CSRF_TRUSTED_ORIGINS"].startswith("https://") and values["CLINIC_SITE_URL"].startswith("https://")


def test_each_unit_runs_an_existing_command_as_the_clinic_user_with_the_environment_file():
    commands = get_commands()
    services = [path for path in UNITS if path.suffix == ".service"]
    assert {p.stem for p in services} == {"clinic-web", "clinic-worker", "clinic-reminders", "clinic-backup"}
    for path in services:
        service = unit(path)["Service"]
        assert service["User"] == "clinic" and service["EnvironmentFile"] == "/etc/clinic/clinic.env", path.name
        for line in re.findall(r"^ExecStart=(.+)$", path.read_text(), re.MULTILINE):
            command = line.split()
            if "manage.py" in command:
                assert command[command.index("manage.py") + 1] in commands, f"{path.name}: {line}"
    worker = unit(DEPLOY / "systemd/clinic-worker.service")["Service"]
    assert worker["Restart"] == "on-failure" and "manage.py task_worker" in worker["ExecStart"]
    reminders = (DEPLOY / "systemd/clinic-reminders.service").read_text()
    assert "manage.py send_due_reminders" in reminders and "manage.py send_pending_notices" in reminders
    assert "gunicorn.conf.py" in unit(DEPLOY / "systemd/clinic-web.service")["Service"]["ExecStart"]


def test_each_timer_starts_its_service():
    timers = [path for path in UNITS if path.suffix == ".timer"]
    assert {p.stem for p in timers} == {"clinic-reminders", "clinic-backup"}
    for path in timers:
        assert (path.with_suffix(".service")).exists()
        assert unit(path)["Timer"]["OnCalendar"]
    assert unit(DEPLOY / "systemd/clinic-backup.timer")["Timer"]["OnCalendar"] == "*-*-* 02:30:00"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` on the units, with /srv/clinic pointing at this checkout (it checks that each
    ExecStart is executable)."""
    for path in UNITS:
        text = path.read_text().replace("/srv/clinic", str(ROOT))
        text = text.replace("/etc/clinic/clinic.env", str(DEPLOY / "clinic.env.example"))
        text = text.replace("User=clinic", "User=root").replace("Group=clinic", "Group=root")
        (tmp_path / path.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (.ci/run installs Debian's)")
@pytest.mark.parametrize("name", ["Caddyfile", "caddy/Caddyfile.check"])
def test_caddy_accepts_the_configuration(tmp_path, name):
    if name == "Caddyfile":  # production: the checkout is /srv/clinic and the log in /var/log/caddy there
        config = tmp_path / "Caddyfile"
        text = (DEPLOY / name).read_text().replace("/srv/clinic", str(ROOT))
        config.write_text(text.replace("/var/log/caddy/", f"{tmp_path}/"))
    else:  # validated where it is: its `import clinic.caddy` is relative to its own folder
        config = DEPLOY / name
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CHECK_HTTP_PORT": "18080",
        "CHECK_HTTPS_PORT": "18443",
        "CHECK_CADDY_DATA": str(tmp_path / "data"),
        "CHECK_CADDY_LOG": str(tmp_path / "caddy.log"),
    }
    result = subprocess.run(
        ["caddy", "validate", "--config", str(config), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Valid configuration" in result.stdout + result.stderr


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("runuser") is None, reason="clinic-manage runs as root")
def test_clinic_manage_gives_manage_py_exactly_the_environment_file(tmp_path):
    env_file = tmp_path / "clinic.env"
    env_file.write_text(
        "# the clinic\nDEBUG=0\nSECRET_KEY=" + "k" * 60 + "\nALLOWED_HOSTS=clinic.example.org\n\n"
        "CLINIC_NAME=Harbour Street (North) Chiropractic\n"
        f"DATABASE_URL=sqlite:///{tmp_path}/clinic.sqlite3\n"
    )
    result = subprocess.run(
        [
            str(DEPLOY / "clinic-manage"),
            "shell",
            "-c",
            "import os; from django.conf import settings; "
            "print(settings.CLINIC_NAME, settings.DEBUG, 'HOME' in os.environ, os.environ.get('MARKER'))",
        ],
        env={
            **os.environ,
            "CLINIC_ENV_FILE": str(env_file),
            "CLINIC_ROOT": str(ROOT),
            "CLINIC_USER": "root",
            "MARKER": "from the calling shell",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Spaces and parentheses kept as systemd keeps them; nothing of the caller's environment leaks in.
    assert result.stdout.strip().splitlines()[-1] == "Harbour Street (North) Chiropractic False False None"
