"""Bad values in every parameter of every page: never a 500 (issue 12, item 5).

For every page of the URL matrix that some role may open, as that role: every query parameter our views read,
and every field of every form the page shows (GET and POST), is sent with each of the values that reached a
500 before: a NUL byte, the last and the first day of the calendar (9999-12-31, 0001-01-01, as dates and as
date-times), a 10,000-character string and integers past 32 and 64 bits. Other fields keep the page's own
values, so each request tests one field. The admin's patient list is walked with its filters the same way.
A NUL byte is refused whole (400, by clinic.middleware); everything else answers below 500.
"""

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from tests.walks.html_forms import forms_on
from tests.walks.test_url_matrix import MATRIX, cast, kwargs_for  # noqa: F401 (cast is a fixture)

NUL = "\x00"
LONG = "x" * 10_000
HUGE = [str(2**31), str(2**63), "-" + str(2**63)]
DATES = ["9999-12-31", "0001-01-01", "9999-12-31T23:59", "0001-01-01T00:00"]
BAD_VALUES = [NUL, *DATES, LONG, *HUGE]
ROLE_ORDER = ["front_desk", "practitioner", "admin", "patient", "anonymous"]
PAGES = sorted(name for name in MATRIX if 200 in MATRIX[name].values())
DATE_TYPES = {"date", "datetime-local", "time", "month", "week"}
DATE_NAMES = ("date", "start", "from", "day", "birth", "earliest", "latest", "when", "time")


# A few pages and what they are known to read, so that a spy that stopped seeing reads fails here.
EXPECTED_READS = {
    "scheduling:frontdesk_home": {"date"},
    "scheduling:week_view": {"date"},
    "scheduling:account_reschedule": {"from"},
    "scheduling:book_start": {"type"},
}


def values_for(name: str, field: dict) -> list[str]:
    """The bad values worth sending to this field: every field gets the long text and the huge integers (ids,
    counts and choices are all numbers somewhere); date and time fields the calendar's ends too."""
    values = [LONG, *HUGE]
    if field["type"] in DATE_TYPES or any(part in name for part in DATE_NAMES):
        values += DATES
    return values


@pytest.fixture
def reads_query(monkeypatch):
    """The query parameters a view reads (request.GET.get / [] / in / getlist), recorded while it runs."""
    seen: set[str] = set()
    for method in ("get", "__getitem__", "__contains__", "getlist"):
        original = getattr(QueryDict, method)

        def spy(self, key, *args, _original=original, **kwargs):
            seen.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, spy)
    return seen


def defaults(fields: dict) -> dict:
    """A value for each field from what the page offers (its first option), else empty."""
    return {name: (field["options"][0] if field["options"] else "") for name, field in fields.items()}


def check(response, label):
    assert response.status_code < 500, f"{label}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_bad_values_in_every_parameter_and_field_never_give_a_500(cast, reads_query, name):  # noqa: F811
    role = next(r for r in ROLE_ORDER if MATRIX[name][r] == 200)  # one role per page: the walk grows with every view
    client = Client(raise_request_exception=False)
    if cast[role] is not None:
        client.force_login(cast[role])
    url = reverse(name, kwargs=kwargs_for(name, cast))
    reads_query.clear()
    page = client.get(url)
    assert page.status_code < 500
    parameters = sorted(key for key in reads_query if isinstance(key, str))
    assert EXPECTED_READS.get(name, set()) <= set(parameters), f"the spy missed what {name} reads: {parameters}"
    forms = forms_on(page.content.decode()) if "text/html" in page.get("Content-Type", "") else []
    refused = client.get(url, {p: NUL for p in parameters or ["q"]})
    assert refused.status_code == 400, f"{role} GET {name} with a NUL byte: {refused.status_code}"
    for parameter in parameters:
        for value in BAD_VALUES[1:]:
            check(client.get(url, {parameter: value}), f"{role} GET {name} ?{parameter}={value[:20]!r}")
    for form in forms:
        target = form["action"] or url
        send = client.post if form["method"] == "post" else client.get
        base = defaults(form["fields"])
        nul = send(target, {**base, next(iter(form["fields"])): NUL})
        assert nul.status_code == 400, f"{role} {form['method'].upper()} {target} with a NUL byte: {nul.status_code}"
        for field, spec in form["fields"].items():
            for value in values_for(field, spec):
                response = send(target, {**base, field: value})
                check(response, f"{role} {form['method'].upper()} {target} {field}={value[:20]!r} (on {name})")


ADMIN_FILTERS = ["created_at__year", "created_at__month", "sex__exact", "date_of_birth__gte", "q", "o", "p"]


@pytest.mark.django_db
def test_the_admins_patient_list_takes_bad_filters_without_a_500(clinic_admin, patient_a):
    client = Client(raise_request_exception=False)
    client.force_login(clinic_admin)
    url = reverse("admin:clinic_patient_changelist")
    assert client.get(url).status_code == 200
    for parameter in ADMIN_FILTERS:
        for value in BAD_VALUES:
            check(client.get(url, {parameter: value}), f"admin patient list ?{parameter}={value[:20]!r}")
