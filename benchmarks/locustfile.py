"""A clinic day for locust: front desk, practitioners, signed-in patients and anonymous visitors at once.

Run by `clinic_day.py` (which seeds the database, writes the accounts file and starts gunicorn and the task
worker); by hand:

    CLINIC_DAY_ACCOUNTS=benchmarks/.tmp/clinic-day-accounts.json \\
        .venv/bin/locust -f benchmarks/locustfile.py --headless -u 50 -r 5 -t 2m --host http://127.0.0.1:8000

Staff log in through the real password form and the TOTP form (codes computed from each account's secret,
as an authenticator app would); patients with their password. Logins are reported under names starting with
"login:" so that they can be kept apart (Argon2 is slow on purpose). A booking or move that another user
beat to the time ("just taken") is a correct answer, not an error; anything else unexpected is a failure.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import itertools
import json
import os
import random
import re
import struct
import time
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import parse_qs, urlencode

from locust import HttpUser, between, events, task
from locust.exception import StopUser

ACCOUNTS = json.loads(open(os.environ["CLINIC_DAY_ACCOUNTS"]).read())  # noqa: SIM115 (read once at start)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BOOK_LINK = re.compile(r'href="/frontdesk/appointments/new/\?([^"]+)"')
NOTE_EDIT = re.compile(r"/notes/(\d+)/edit/")
NOTE_START = re.compile(r'action="(/practitioner/appointments/\d+/note/)"')
CHART = re.compile(r"/patients/(\d+)/chart/")
_TAKEN: dict[str, itertools.count] = {}
# Correct refusals when another user was quicker, or the patient picked at random already comes in then: the
# practitioner's own booking, the patient's own visit, a lost race, no room left.
TAKEN = (
    "just taken",
    "no longer free",
    "not free",
    "is taken",
    "already booked",
    "already sees",
    "already has a visit",
    "No room is free",
)
_ADDRESSES = itertools.count(1)


def own_address(client) -> None:
    """Each simulated person comes from an address of their own, as behind the README's proxy (clinic_day.py
    runs gunicorn with CLINIC_TRUSTED_PROXY_COUNT=1): the per-address limits (allauth's 30 logins a minute)
    count each person, not the whole load test as one."""
    n = next(_ADDRESSES)
    client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def totp(secret: str, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), what an authenticator app shows for the secret."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // period)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits).zfill(digits)


def _send_secure_cookies_over_loopback(self, cookie, request):
    return True


# The site sets Secure cookies (it expects TLS in front of it); the test talks plain HTTP to 127.0.0.1, so the
# simulated browsers send them back as a browser behind the TLS proxy would. (requests copies the session's
# cookies into a fresh jar for every request, so the policy is changed where every jar reads it.)
DefaultCookiePolicy.return_ok_secure = _send_secure_cookies_over_loopback


class FormFields(HTMLParser):
    """The fields one form would submit (inputs, checked boxes, selected options, textareas), like FormData."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select = [a["name"], None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            name, first, selected = self._select
            self.fields.append((name, selected if selected is not None else first or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, html.unescape("".join(self._text))))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def form_fields(page: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


def today() -> dt.date:
    return dt.date.fromisoformat(ACCOUNTS["today"])


class ClinicUser(HttpUser):
    abstract = True
    wait_time = between(1, 4)  # a person reads the page before the next click
    role = ""

    def on_start(self):
        own_address(self.client)
        taken = _TAKEN.setdefault(self.role, itertools.count())
        pool = ACCOUNTS[self.role]
        n = next(taken)
        if n >= len(pool):
            raise StopUser()  # never two simulated users on one account
        self.account = pool[n]
        self.log_in()

    def csrf(self, page: str) -> str:
        found = CSRF.search(page)
        return found.group(1) if found else self.client.cookies.get("csrftoken", "")

    def log_in(self):
        page = self.client.get("/accounts/login/", name="login: form").text
        email = self.account["email"]
        fields = {"login": email, "password": self.account["password"]}
        response = self.login_step(
            "/accounts/login/", fields, page, "login: password", f"password not accepted for {email}"
        )
        two_factor = "/accounts/2fa/authenticate/"
        if two_factor in response.url:
            # One code per account and period: accounts are not shared between simulated users.
            code = {"code": totp(self.account["totp_secret"])}
            self.login_step(two_factor, code, response.text, "login: TOTP", f"TOTP code not accepted for {email}")

    def login_step(self, path: str, fields: dict, page: str, name: str, refused: str):
        """One form of the login, posted with the token of `page`; sent back to the same form, the person gives up."""
        data = {**fields, "csrfmiddlewaretoken": self.csrf(page)}
        with self.client.post(path, data, name=name, catch_response=True) as response:
            if response.status_code != 200 or path in response.url:
                response.failure(f"{refused} ({response.status_code})")
                raise StopUser()
            response.success()
        return response

    def page(self, path: str, name: str, **params) -> str:
        url = f"{path}?{urlencode(params)}" if params else path
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
            return response.text

    def post(self, path: str, fields, name: str, *, page_with_token: str = "", ok=(200, 302)):
        data = list(fields.items()) if isinstance(fields, dict) else list(fields)
        data.append(("csrfmiddlewaretoken", self.csrf(page_with_token)))
        with self.client.post(path, data, name=name, allow_redirects=False, catch_response=True) as response:
            body = response.text
            if response.status_code in ok:
                response.success()
            elif response.status_code in (400, 409) and any(t in body for t in TAKEN):
                response.success()  # someone else took the time first: a correct refusal
            else:
                response.failure(f"{response.status_code} for POST {path}")
            return response


class FrontDesk(ClinicUser):
    role = "front_desk"
    fixed_count = ACCOUNTS["users"]["front_desk"]

    def on_start(self):
        super().on_start()
        self.booked: list[int] = []

    def some_day(self) -> str:
        return (today() + dt.timedelta(days=random.choice([0, 0, 1, 2, 3, 7]))).isoformat()

    @task(4)
    def day_view(self):
        self.page("/frontdesk/", "/frontdesk/ (day view)", date=self.some_day())

    @task(2)
    def week_view(self):
        practitioner = random.choice(ACCOUNTS["practitioner_ids"])
        self.page("/frontdesk/week/", "/frontdesk/week/", date=self.some_day(), practitioner=practitioner)

    def find(self) -> tuple[str, list[dict]]:
        params = {"appointment_type": ACCOUNTS["front_desk_type_id"], "earliest": self.some_day()}
        if random.random() < 0.5:
            params["practitioner"] = random.choice(ACCOUNTS["practitioner_ids"])
        page = self.page("/frontdesk/find/", "/frontdesk/find/ (find a slot)", **params)
        links = [{k: v[0] for k, v in parse_qs(html.unescape(m)).items()} for m in BOOK_LINK.findall(page)]
        return page, links

    @task(2)
    def find_and_book(self):
        _page, links = self.find()
        if not links:
            return
        chosen = random.choice(links[:6])
        form = self.page("/frontdesk/appointments/new/", "/frontdesk/appointments/new/ (form)", **chosen)
        response = self.post(
            "/frontdesk/appointments/new/",
            {**chosen, "patient": random.choice(ACCOUNTS["patient_ids"]), "frontdesk_notes": ""},
            "/frontdesk/appointments/new/ (book)",
            page_with_token=form,
            ok=(302,),
        )
        found = re.search(r"/frontdesk/appointments/(\d+)/", response.headers.get("location", ""))
        if found:
            self.booked.append(int(found.group(1)))

    @task(1)
    def move(self):
        if not self.booked:
            return
        pk = random.choice(self.booked)
        detail = self.page(f"/frontdesk/appointments/{pk}/", "/frontdesk/appointments/<id>/")
        _page, links = self.find()
        if links:
            target = random.choice(links[:6])
            self.post(
                f"/frontdesk/appointments/{pk}/move/",
                {"start": target["start"], "practitioner": target["practitioner"]},
                "/frontdesk/appointments/<id>/move/",
                page_with_token=detail,
                ok=(302,),
            )


class Practitioner(ClinicUser):
    role = "practitioner"
    fixed_count = ACCOUNTS["users"]["practitioner"]

    @task(3)
    def my_day(self):
        self.my_day_page = self.page("/practitioner/", "/practitioner/ (my day)")

    @task(2)
    def chart(self):
        patients = CHART.findall(
            getattr(self, "my_day_page", "") or self.page("/practitioner/", "/practitioner/ (my day)")
        )
        if patients:
            self.page(f"/patients/{random.choice(patients)}/chart/", "/patients/<id>/chart/")

    @task(2)
    def note_draft(self):
        page = getattr(self, "my_day_page", "") or self.page("/practitioner/", "/practitioner/ (my day)")
        notes = NOTE_EDIT.findall(page)
        if not notes:
            starts = NOTE_START.findall(page)
            if not starts:
                return
            response = self.post(
                random.choice(starts), {}, "/practitioner/appointments/<id>/note/ (open)", page_with_token=page
            )
            found = NOTE_EDIT.search(response.headers.get("location", ""))
            if not found:
                return
            notes = [found.group(1)]
        pk = random.choice(notes)
        edit = self.page(f"/notes/{pk}/edit/", "/notes/<id>/edit/")
        fields = [(k, v) for k, v in form_fields(edit, "note-form") if k != "csrfmiddlewaretoken"]
        if not fields:
            return  # signed meanwhile: the page shows the note, nothing to save
        fields = [(k, f"{v} Load test {time.strftime('%H:%M:%S')}." if k == "subjective" else v) for k, v in fields]
        self.post(
            f"/notes/{pk}/autosave/", fields, "/notes/<id>/autosave/ (draft saved)", page_with_token=edit, ok=(200,)
        )


class Patient(ClinicUser):
    role = "patient"
    fixed_count = ACCOUNTS["users"]["patient"]
    wait_time = between(2, 6)

    @task(3)
    def account(self):
        self.page("/account/", "/account/")

    @task(2)
    def intake(self):
        self.page("/intake/", "/intake/")

    @task(2)
    def availability(self):
        month = {"type": ACCOUNTS["online_type_slug"], "start": today().isoformat(), "days": 31, "per": "day"}
        self.page("/api/availability", "/api/availability (month, per day)", **month)


class Visitor(HttpUser):
    """Not signed in: the booking pages and the availability API."""

    fixed_count = ACCOUNTS["users"]["anonymous"]
    wait_time = between(2, 6)

    def on_start(self):
        own_address(self.client)

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
            return response.text

    @task(3)
    def book_pages(self):
        slug = ACCOUNTS["online_type_slug"]
        self.page("/book/", "/book/ (types)")
        self.page(f"/book/?type={slug}", "/book/?type (practitioners)")
        who = random.choice(["any", *map(str, ACCOUNTS["practitioner_ids"])])
        self.page(f"/book/?type={slug}&practitioner={who}", "/book/?practitioner (14 days)")
        day = today() + dt.timedelta(days=random.randint(1, 13))
        self.page(f"/book/?type={slug}&practitioner={who}&day={day.isoformat()}", "/book/?day (times)")

    @task(2)
    def availability(self):
        slug = ACCOUNTS["online_type_slug"]
        start = (today() + dt.timedelta(days=random.randint(0, 20))).isoformat()
        self.page(f"/api/availability?type={slug}&start={start}&days=7", "/api/availability (7 days)")
        self.page(f"/api/availability?type={slug}&start={start}&days=31&per=day", "/api/availability (month, per day)")


@events.quitting.add_listener
def _(environment, **_kwargs):
    environment.process_exit_code = 0  # failures are reported in the figures, never as a failed command
