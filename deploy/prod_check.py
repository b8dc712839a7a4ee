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

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402  (after the path: the virtualenv's, like the app's)

from deploy.process_group import stop_group  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402  (the SMTP server the tests use)

PG_SERVER = os.environ.get("PROD_CHECK_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("PROD_CHECK_DATABASE", "clinic_prodcheck")
CLIENT_ADDRESS = "127.0.0.2"  # the "patient's" address; Caddy connects to gunicorn from 127.0.0.1
# Every request also claims to come from elsewhere (a documentation address, RFC 5737): Caddy must replace the
# header, so this address may never reach the audit trail.
FORGED_FORWARDED_FOR = "198.51.100.7"
HOST = "localhost"
ADMIN_EMAIL = "owner@prodcheck.example"
PATIENT_EMAIL = "new.patient@prodcheck.example"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


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


# --- Processes ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unit_command(unit: str) -> list[str]:
    """The ExecStart of deploy/systemd/<unit>, with the checkout in place of /srv/clinic."""
    text = (ROOT / "deploy" / "systemd" / unit).read_text()
    line = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE).group(1)
    return shlex.split(line.replace("/srv/clinic", str(ROOT)))


class Services:
    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []
        self.stop_postgres: list[str] | None = None

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process))
        return process

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop_processes(self) -> None:
        for name, process in reversed(self.started):
            stop_group(process, grace=20)
            print(f"   stopped {name} (exit {process.returncode})")

    def stop_postgres_if_started(self) -> None:
        if self.stop_postgres:
            subprocess.run(self.stop_postgres, check=False)
            print("   stopped PostgreSQL (this check started it)")


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before it listened on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def manage(env: dict, *args: str, timeout: float = 300, input_text: str | None = None) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input_text,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


# --- PostgreSQL ----------------------------------------------------------------------------------------------


def pg_ready() -> bool:
    parts = urlsplit(PG_SERVER)
    command = ["pg_isready", "-q", "-h", parts.hostname, "-p", str(parts.port or 5432)]
    return subprocess.run(command, check=False).returncode == 0


def ensure_postgres(services: Services) -> str:
    if pg_ready():
        return "already running"
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    services.stop_postgres = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop"]
    for _ in range(60):
        if pg_ready():
            return f"started PostgreSQL {version}"
        time.sleep(0.5)
    raise RuntimeError("PostgreSQL did not become ready within 30 s")


def fresh_database() -> str:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for name in (DATABASE, f"{DATABASE}_restore_check"):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{PG_SERVER}/{DATABASE}"


def query(sql: str, params=()) -> list[tuple]:
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}") as conn:
        return conn.execute(sql, params).fetchall()


# --- The environment: the template with the check's values ---------------------------------------------------


def template_values() -> dict[str, str]:
    values = {}
    for line in (ROOT / "deploy" / "clinic.env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


# --- A small browser: cookies, forms, redirects, from 127.0.0.2 -------------------------------------------------


class _Connection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:<port> from CLIENT_ADDRESS, with SNI and certificate checks for `localhost`."""

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout, source_address=(CLIENT_ADDRESS, 0))
        self.sock = self._context.wrap_socket(raw, server_hostname=HOST)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    path: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def page(self) -> Page:
        page = Page()
        page.feed(self.text)
        return page


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text


class Page(HTMLParser):
    """The forms, links and stylesheets of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[tuple[str, str, str]] = []  # href, class, text
        self.stylesheets: list[str] = []
        self._text_of: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms and a.get("name"):
            kind = a.get("type", "text")
            if kind not in ("radio", "checkbox") or "checked" in a:
                self.forms[-1].fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and self.forms:
            self._text_of = [a.get("name", ""), a.get("value", ""), ""]
            self.forms[-1].buttons.append(self._text_of)
        elif tag == "a" and a.get("href"):
            self._text_of = [a["href"], a.get("class", ""), ""]
            self.links.append(self._text_of)
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a.get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("a", "button"):
            self._text_of = None

    def handle_data(self, data):
        if self._text_of is not None:
            self._text_of[2] += " " + data

    def form_with(self, name: str) -> Form:
        for form in self.forms:
            if any(field_name == name for field_name, _ in form.fields):
                return form
        raise AssertionError(f"no form with a field {name!r} on the page")

    def link(self, pattern: str) -> str:
        for href, classes, text in self.links:
            if re.search(pattern, f"{href} {classes} {' '.join(text.split())}"):
                return href
        raise AssertionError(f"no link matching {pattern!r} on the page")


class Browser:
    def __init__(self, port: int, ca_file: Path):
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.context = ssl.create_default_context(cafile=str(ca_file))
        self.cookies: dict[str, str] = {}
        self.cookie_flags: dict[str, str] = {}
        self.last = "/"

    def request(self, method: str, path: str, data: dict | list | None = None, headers: dict | None = None):
        connection = _Connection(HOST, self.port, context=self.context, timeout=30)
        sent = {"Host": f"{HOST}:{self.port}", "User-Agent": "clinic-prod-check"}
        sent.update({"X-Forwarded-For": FORGED_FORWARDED_FOR, **(headers or {})})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + self.last,
                }
            )
        connection.request(method, path, body=body, headers=sent)
        raw = connection.getresponse()
        response = Response(raw.status, raw.headers, raw.read(), path)
        connection.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
                self.cookie_flags[name] = header
        return response

    def go(self, method: str, path: str, data=None) -> Response:
        """A request, then its redirects (as GETs), like a browser; returns the last response."""
        response = self.request(method, path, data)
        for _ in range(10):
            if response.status not in (301, 302, 303, 307, 308):
                break
            location = urljoin(self.origin + path, response.headers["Location"])
            assert location.startswith(self.origin), f"redirected off the site to {location}"
            path = location[len(self.origin) :]
            response = self.request("GET", path)
        if response.status == 200:
            self.last = path
        return response

    def submit(self, response: Response, form: Form, values: dict, button: tuple | None = None) -> Response:
        data = [(k, v) for k, v in form.fields if k not in values]
        data += list(values.items())
        if button and button[0]:
            data.append((button[0], button[1]))
        action = urljoin(response.path, form.action) if form.action else response.path
        return self.go("POST", action, data)


def totp(secret: str, counter: int) -> str:
    """RFC 6238 as an authenticator app computes it (30 s, 6 digits, SHA-1)."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# --- The check -----------------------------------------------------------------------------------------------


def create_admin(env: dict, password: str) -> tuple[str, int]:
    """Run create_clinic_admin as a person would: answer its questions, read the secret, type the code."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", "create_clinic_admin"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # no terminal: the command reads the passwords from standard input
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


def drop_database() -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
