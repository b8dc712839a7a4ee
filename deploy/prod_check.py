"""`make prod-check`: the production stack on this one machine, used over HTTPS as a clinic would use it.

Starts PostgreSQL if it is not running (as .ci/run does), makes a fresh database, prepares it as deploy/README.md
does (migrate, collectstatic, the first admin with `create_clinic_admin`), then starts
  - an SMTP server (tests/smtp.py: STARTTLS required, AUTH, a certificate made for the run),
  - gunicorn and the task worker with the ExecStart lines of deploy/systemd/clinic-{web,worker}.service and the
    variables of deploy/clinic.env.example (DEBUG=0, a generated SECRET_KEY, CLINIC_TRUSTED_PROXY_COUNT=1),
  - Caddy with deploy/caddy/Caddyfile.check: the production site with `tls internal` on unprivileged ports,
and checks, through Caddy with the certificate verified against Caddy's local authority and from the client
address 127.0.0.2 (so that it differs from Caddy's 127.0.0.1):
  /healthz and HTTP->HTTPS; a staff login with password and TOTP through the real forms; an online booking whose
  confirmation arrives at the SMTP server; the audit rows naming 127.0.0.2; a static file with caching headers;
  `manage.py check --deploy` clean; `manage.py backup_database` (clinic-backup.service) with its verified restore.
Everything it started is stopped at the end; each step's time is printed. Exit status 0 only if every check passed.

    .venv/bin/python deploy/prod_check.py        # PROD_CHECK_DATABASE=clinic_prodcheck by default
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.prod_check_browser import CLIENT_ADDRESS, FORGED_FORWARDED_FOR, HOST, Browser, totp
from deploy.prod_check_stack import (
    DATABASE,
    PYTHON,
    ROOT,
    Services,
    drop_database,
    ensure_postgres,
    free_port,
    fresh_database,
    manage,
    query,
    start_child,
    template_values,
    unit_command,
    wait_for_port,
)
from tests.smtp import SmtpServer  # the SMTP server the tests use

ADMIN_EMAIL = "owner@prodcheck.example"
PATIENT_EMAIL = "new.patient@prodcheck.example"


# --- Steps and timings ------------------------------------------------------------------------------------


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    ok: bool = True
    detail: str = ""


class Run:
    def __init__(self):
        self.steps: list[Step] = []
        self.started = time.monotonic()

    @contextlib.contextmanager
    def step(self, name: str, *, needed: bool = False):
        """Time one step; a failure is recorded and the run goes on, unless later steps need this one."""
        step = Step(name)
        self.steps.append(step)
        print(f"-- {name} ...", flush=True)
        began = time.monotonic()
        try:
            yield step
        except Exception as error:  # every failure is reported with its reason, then the next step runs
            step.ok = False
            step.detail = f"{type(error).__name__}: {error}"
            if not isinstance(error, AssertionError):
                step.detail += "\n" + traceback.format_exc(limit=3)
            if needed:
                raise Abort(name) from error
        finally:
            step.seconds = time.monotonic() - began
            mark = "ok" if step.ok else "FAILED"
            print(f"   {mark} in {step.seconds:.1f} s{(': ' + step.detail) if step.detail else ''}", flush=True)

    def report(self) -> bool:
        total = time.monotonic() - self.started
        print("\n== make prod-check: timings ==")
        for step in self.steps:
            print(f"  {'ok    ' if step.ok else 'FAILED'} {step.seconds:6.1f} s  {step.name}")
        failed = [s for s in self.steps if not s.ok]
        print(f"  total  {total:6.1f} s")
        print(f"{len(self.steps) - len(failed)} passed, {len(failed)} failed")
        return not failed


class Abort(Exception):
    pass


# --- The check -----------------------------------------------------------------------------------------------


def create_admin(env: dict, password: str) -> tuple[str, int]:
    """Run create_clinic_admin as a person would: answer its questions, read the secret, type the code."""
    # start_child's session of its own means no terminal: the command reads the passwords from standard input
    process = start_child(
        [PYTHON, "manage.py", "create_clinic_admin"], env, subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    process.stdin.write(f"{ADMIN_EMAIL}\nPat\nOwner\n{password}\n{password}\n")
    process.stdin.flush()
    screen = ""
    while not screen.endswith("shows now: "):
        char = process.stdout.read(1)
        if not char:
            raise AssertionError(f"create_clinic_admin ended early:\n{screen}")
        screen += char
    secret = re.search(r"or type this secret: ([A-Z2-7]+)", screen).group(1)
    counter = int(time.time()) // 30
    process.stdin.write(totp(secret, counter) + "\n")
    process.stdin.close()
    rest = process.stdout.read()
    assert process.wait(timeout=60) == 0, screen + rest
    assert f"Created the clinic admin {ADMIN_EMAIL}" in rest, rest
    return secret, counter


def check_login(browser: Browser, password: str, secret: str, enrol_counter: int) -> str:
    page = browser.go("GET", "/accounts/login/")
    assert page.status == 200, page.status
    form = page.page().form_with("login")
    after_password = browser.submit(page, form, {"login": ADMIN_EMAIL, "password": password})
    assert after_password.path.startswith("/accounts/2fa/authenticate/"), after_password.path
    counter = max(int(time.time()) // 30, enrol_counter + 1)  # the enrolment code is spent
    done = browser.submit(after_password, after_password.page().form_with("code"), {"code": totp(secret, counter)})
    assert done.status == 200 and done.path == "/admin/", (done.status, done.path)
    assert "Site administration" in done.text or "Clinic" in done.text
    session = browser.cookie_flags.get("sessionid", "")
    assert "Secure" in session and "HttpOnly" in session, f"session cookie flags: {session}"
    assert "max-age=31536000" in done.headers.get("Strict-Transport-Security", ""), dict(done.headers)
    return "logged in; /admin/ shown; session cookie Secure, HttpOnly; HSTS"


def check_booking(browser: Browser, smtp: SmtpServer, site: str) -> str:
    start = browser.go("GET", "/book/")
    assert start.status == 200, start.status
    step = browser.go("GET", urljoin("/book/", start.page().link(r"^\?type=")))
    step = browser.go("GET", urljoin("/book/", step.page().link(r"practitioner=any")))
    day = step.page().link(r"has-times").split("#", 1)[0]
    times = browser.go("GET", urljoin("/book/", day))
    form = next(f for f in times.page().forms if f.action.endswith("/book/hold/"))
    slot = form.buttons[0]
    confirm = browser.submit(times, form, {}, button=slot)
    assert confirm.path == "/book/confirm/", confirm.path
    signup = browser.go("GET", confirm.page().link(r"^/accounts/signup/"))
    password = secrets.token_urlsafe(16)
    about = browser.submit(
        signup,
        signup.page().form_with("password1"),
        {"email": PATIENT_EMAIL, "password1": password, "password2": password},
    )
    assert about.path == "/book/confirm/", (about.path, about.status)
    booked = browser.submit(
        about,
        about.page().form_with("about-first_name"),
        {
            "about-first_name": "Nadia",
            "about-last_name": "Novak",
            "about-date_of_birth": "1990-04-02",
            "about-phone": "(555) 010-7777",
        },
    )
    assert booked.status == 200 and re.fullmatch(r"/account/appointments/\d+/", booked.path), booked.path
    assert "A confirmation is on its way" in booked.text
    appointment = booked.path.rstrip("/").rsplit("/", 1)[1]

    message = smtp.wait_for(to=PATIENT_EMAIL, subject="is booked", timeout=60)
    assert message.tls_version in ("TLSv1.2", "TLSv1.3") and message.login, "not sent over TLS with a login"
    assert message.subject.endswith("is booked"), message.subject
    assert f"{site}/account/appointments/{appointment}/" in message.text, message.text
    assert message.html and message.parts_of_type("text/calendar"), "no HTML part or no .ics"
    return f"appointment {appointment} ({' '.join(slot[2].split())}); confirmation received over {message.tls_version}"


def check_audit_address() -> str:
    rows = query(
        "SELECT action, host(ip_address) FROM clinic_auditevent WHERE actor_label IN (%s, %s) ORDER BY id",
        (ADMIN_EMAIL, PATIENT_EMAIL),
    )
    logins = [ip for action, ip in rows if action == "login"]
    assert logins, f"no login rows in the audit trail: {rows}"
    wrong = sorted({str(ip) for _, ip in rows if ip != CLIENT_ADDRESS})
    assert FORGED_FORWARDED_FOR not in wrong, "the client's forged X-Forwarded-For reached the audit trail"
    assert not wrong, (
        f"audit rows name {wrong}, not the client {CLIENT_ADDRESS} that connected to Caddy "
        "(needs CLINIC_TRUSTED_PROXY_COUNT from the security work: the last X-Forwarded-For entry)"
    )
    return f"{len(rows)} rows of the admin and the patient, all {CLIENT_ADDRESS}; the forged header ignored"


def check_static(browser: Browser) -> str:
    page = browser.go("GET", "/book/")
    sheets = [href for href in page.page().stylesheets if href.startswith("/static/")]
    sheet = next((href for href in sheets if href.startswith("/static/css/")), sheets[0])  # the clinic's own
    first = browser.request("GET", sheet, headers={"Accept-Encoding": "gzip"})
    assert first.status == 200, (sheet, first.status)
    assert first.headers.get("Content-Type", "").startswith("text/css"), first.headers.get("Content-Type")
    cache = first.headers.get("Cache-Control", "")
    assert "public" in cache and "max-age=" in cache, f"Cache-Control: {cache!r}"
    assert first.headers.get("Content-Encoding") == "gzip", first.headers.get("Content-Encoding")
    etag = first.headers["ETag"]
    again = browser.request("GET", sheet, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert again.status == 304, again.status
    return f"{sheet}: {cache}, gzip, ETag revalidates (304)"


def check_redirect(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(CLIENT_ADDRESS, 0))
    connection.request("GET", "/healthz", headers={"Host": f"{HOST}:{port}"})
    response = connection.getresponse()
    location = response.getheader("Location", "")
    assert response.status in (301, 308) and location.startswith(f"https://{HOST}:"), (response.status, location)
    return f"http -> {response.status} {location}"


def main() -> int:
    run = Run()
    work = Path(tempfile.mkdtemp(prefix="clinic-prod-check-"))
    services = Services(work)
    smtp = None
    print(f"== make prod-check (work files in {work}) ==")
    try:
        with run.step("PostgreSQL", needed=True) as step:
            step.detail = ensure_postgres(services)
        with run.step("fresh database", needed=True) as step:
            database_url = fresh_database()
            step.detail = DATABASE
        with run.step("SMTP server (STARTTLS, AUTH)", needed=True) as step:
            smtp = SmtpServer(work).start()
            step.detail = f"port {smtp.port}"

        ports = {"http": free_port(), "https": free_port(), "gunicorn": free_port()}
        site = f"https://{HOST}:{ports['https']}"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(work)}
        env.update(template_values())
        env.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(64),
            ALLOWED_HOSTS=HOST,
            CSRF_TRUSTED_ORIGINS=site,
            CLINIC_SITE_URL=site,
            DATABASE_URL=database_url,
            BACKUP_DIR=str(work / "backups"),
            GUNICORN_BIND=f"127.0.0.1:{ports['gunicorn']}",
            GUNICORN_WORKERS="2",
            SSL_CERT_FILE=str(smtp.ca_file),  # the worker trusts the SMTP server's test authority only
            **{name: str(value) for name, value in smtp.client_settings().items() if name != "EMAIL_TIMEOUT"},
        )
        env["EMAIL_USE_TLS"] = "1"
        assert env["CLINIC_TRUSTED_PROXY_COUNT"] == "1"

        with run.step("manage.py migrate", needed=True):
            manage(env, "migrate", "--noinput")
        with run.step("manage.py collectstatic", needed=True):
            manage(env, "collectstatic", "--noinput", "--clear")
        with run.step("the clinic: a location, a practitioner, hours, a visit type", needed=True):
            # What a clinic admin enters in the admin before opening online booking (open every day, so
            # that there are times to book whenever the check runs).
            manage(env, "loaddata", str(ROOT / "deploy" / "prod_check_clinic.json"))
        admin_password = secrets.token_urlsafe(18)
        with run.step("create_clinic_admin (e-mail, password, TOTP enrolment)", needed=True) as step:
            secret, enrol_counter = create_admin(env, admin_password)
            step.detail = ADMIN_EMAIL

        with run.step("start gunicorn, the worker and Caddy (tls internal)", needed=True) as step:
            web = services.start("gunicorn", unit_command("clinic-web.service"), env)
            services.start("worker", unit_command("clinic-worker.service"), env)
            caddy_env = {
                "PATH": env["PATH"],
                "HOME": str(work),
                "XDG_CONFIG_HOME": str(work / "caddy-config"),
                "XDG_DATA_HOME": str(work / "caddy-data"),
                "CLINIC_ROOT": str(ROOT),
                "CLINIC_UPSTREAM": f"127.0.0.1:{ports['gunicorn']}",
                "CHECK_HTTP_PORT": str(ports["http"]),
                "CHECK_HTTPS_PORT": str(ports["https"]),
                "CHECK_CADDY_DATA": str(work / "caddy-data"),
                "CHECK_CADDY_LOG": str(work / "caddy-access.log"),
            }
            config = ROOT / "deploy" / "caddy" / "Caddyfile.check"
            caddy = services.start(
                "caddy", ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"], caddy_env
            )
            wait_for_port(ports["gunicorn"], web, "gunicorn")
            wait_for_port(ports["https"], caddy, "caddy")
            root_ca = work / "caddy-data" / "pki" / "authorities" / "local" / "root.crt"
            for _ in range(100):
                if root_ca.exists():
                    break
                time.sleep(0.1)
            browser = Browser(ports["https"], root_ca)
            for _ in range(50):  # the site's certificate is issued just after Caddy starts listening
                with contextlib.suppress(ssl.SSLError, ConnectionError):
                    health = browser.request("GET", "/healthz")
                    break
                time.sleep(0.2)
            step.detail = f"https://{HOST}:{ports['https']} -> gunicorn :{ports['gunicorn']}"

        with run.step("GET /healthz over HTTPS (certificate verified)") as step:
            health = browser.request("GET", "/healthz")
            assert health.status == 200 and json.loads(health.body) == {"status": "ok", "database": "ok"}, health.text
            step.detail = check_redirect(ports["http"])
        with run.step("staff login: password, then TOTP"):
            check_login(browser, admin_password, secret, enrol_counter)
        with run.step("online booking; the confirmation arrives at the SMTP server") as step:
            step.detail = check_booking(Browser(ports["https"], root_ca), smtp, site)
        with run.step("audit rows name the client's address (sent through Caddy)") as step:
            step.detail = check_audit_address()
        with run.step("static files with caching headers") as step:
            step.detail = check_static(browser)
        with run.step("manage.py check --deploy") as step:
            output = manage(env, "check", "--deploy", "--fail-level", "WARNING")
            assert "System check identified no issues" in output, output
            step.detail = "no issues"
        with run.step("backup_database (clinic-backup.service): dump, verified restore") as step:
            command = unit_command("clinic-backup.service")
            output = manage(env, *command[command.index("manage.py") + 1 :])
            assert "Verified clinic-" in output, output
            dumps = sorted((work / "backups").glob("clinic-*.dump"))
            manifest = json.loads(dumps[-1].with_name(dumps[-1].name + ".json").read_text())
            assert manifest["tables"]["public.scheduling_appointment"] >= 1, "the booking is not in the dump"
            today = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
            assert len(dumps) == 1 and dumps[0].name.startswith(f"clinic-{today}T"), dumps
            step.detail = output.strip().splitlines()[1][:160]
    except Abort as abort:
        print(f"   stopping: '{abort}' is needed by the steps after it")
    finally:
        print("-- stopping everything this check started")
        failed = any(not step.ok for step in run.steps)
        for name in ("gunicorn", "worker", "caddy") if failed else ():
            tail = services.log_tail(name, lines=8).splitlines()
            print(f"   last lines of {name}'s log ({work / (name + '.log')}):")
            print("\n".join("     " + line for line in tail))
        services.stop_processes()
        if smtp is not None:
            smtp.stop()
            print("   stopped the SMTP server")
        with contextlib.suppress(Exception):
            drop_database()
        services.stop_postgres_if_started()
        if failed:
            print(f"   the logs stay in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if run.report() else 1


if __name__ == "__main__":
    sys.exit(main())
