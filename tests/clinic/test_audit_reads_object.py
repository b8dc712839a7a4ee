"""`reads_object` (clinic/audit.py): the one header of a page about one row of patient data, checked on real pages;
and `reads_page`, the same header for a reading page about no one row (a day, a list, a search).

The order is the one the separate decorators had: the rule (login, 403), then the HTTP method (405, before any
lookup), then the lookup (404 for a row the user may not see, audited as denied), then one "view" row naming the
object with the page's detail, and the view gets the row. The walks (tests/walks) check every URL; these pin the
order and the details on a few.
"""

import pytest
from django.http import HttpResponse
from django.urls import reverse

from clinic import audit
from clinic import views as clinic_views
from clinic.audit import NONE, READS, SAFE, reads_object
from clinic.models import AuditEvent
from clinic.notes import views as notes_views
from tests.clinic import careplan_factories as cf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("week_before")]

PHASES = [{"visits_per_week": 3, "weeks": 4}]


def _plan(patient, practitioner, **extra):
    return cf.careplan(patient, practitioner, phases=PHASES, **extra)


def _rows(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("pk").values_list("detail", flat=True))


def test_the_view_is_declared_a_reader_and_keeps_its_name_and_rule():
    assert notes_views.patient_chart.audit_policy == READS
    assert notes_views.patient_chart.required_rule == "clinical.read"
    assert notes_views.patient_chart.__name__ == "patient_chart"


def test_a_loader_that_takes_no_rule_is_called_without_one(rf, practitioner_a):
    """A loader whose rule is its own (get_note_for_user, get_appointment_for_user) gets the user and the pk only;
    the detail may be made from the row and the URL's other arguments; the view gets the row in place of `pk`."""
    calls = []

    def load(user, pk):
        calls.append((user, pk))
        return "the row"

    @reads_object("clinical.read", load, lambda row, part: f"{row}, {part}", methods=SAFE)
    def view(request, row, part):
        return HttpResponse(f"{row} / {part}")

    request = rf.get("/")
    request.user = practitioner_a.user
    response = view(request, pk=7, part="x")
    assert response.content == b"the row / x"
    assert calls == [(practitioner_a.user, 7)]
    assert getattr(request, audit._PENDING) == ("the row", "the row, x")


def test_the_rule_comes_before_the_method(client_for, patient_a, practitioner_a):
    """A patient posting to the chart (GET only, clinical.read) is refused by the rule, as before: 403, audited."""
    response = client_for(patient_a.user).post(reverse("clinic:patient_chart", args=[patient_a.pk]))
    assert response.status_code == 403
    assert _rows("denied", actor=patient_a.user)[-1].endswith("needs clinical.read")


def test_the_method_comes_before_the_lookup(client_for, practitioner_a):
    """A wrong method answers 405 before any row is looked up: no 404 for a missing row, no denied row."""
    response = client_for(practitioner_a.user).post(reverse("clinic:patient_chart", args=[999999]))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert not _rows("denied")


def test_anonymous_users_go_to_login_whatever_the_method(client, patient_a):
    for send in (client.get, client.post):
        response = send(reverse("clinic:patient_chart", args=[patient_a.pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_loader_is_given_the_rule(client_for, patient_a, patient_b, practitioner_a):
    """get_careplan_for_user is asked with the page's rule: the patient reads their own plan, not another's."""
    own = _plan(patient_a, practitioner_a)
    other = _plan(patient_b, practitioner_a)
    client = client_for(patient_a.user)
    assert client.get(reverse("clinic:careplan_detail", args=[own.pk])).status_code == 200
    assert _rows("view", actor=patient_a.user) == [f"care plan v{own.version}"]
    assert client.get(reverse("clinic:careplan_detail", args=[other.pk])).status_code == 404
    assert _rows("denied", actor=patient_a.user) == ["careplan.read refused"]
    # The discharge summary asks clinical.read of the same loader: the patient's own plan is refused too.
    assert client.get(reverse("clinic:careplan_discharge", args=[own.pk])).status_code == 403


def test_a_detail_made_from_the_urls_other_arguments(client_for, patient_a, practitioner_a):
    """careplan_status names the status from the URL; a refused form shows the page again (400): one row."""
    plan = _plan(patient_a, practitioner_a, status="active")
    url = reverse("clinic:careplan_status", args=[plan.pk, "discontinued"])
    response = client_for(practitioner_a.user).post(url, {"reason": ""})
    assert response.status_code == 400
    assert _rows("view", actor=practitioner_a.user) == ["care plan discontinued"]


def test_a_later_audit_read_in_the_view_still_wins(client_for, patient_a, clinic_admin):
    """The export page is read as "export form"; the download names itself instead (one row either way)."""
    client = client_for(clinic_admin)
    url = reverse("clinic:patient_export", args=[patient_a.pk])
    assert client.get(url).status_code == 200
    assert _rows("view", actor=clinic_admin) == ["export form"]
    response = client.post(url, {"format": "fhir", "reason": "a transfer to another clinic"})
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"] == f'attachment; filename="patient-{patient_a.pk}-fhir.json"'
    assert _rows("view", actor=clinic_admin) == ["export form", "export download (fhir)"]


def test_acts_on_object_is_the_same_header_for_a_view_that_reads_nothing(client_for, patient_a, practitioner_a):
    """`acts_on_object`: declared as no patient data, and the same order (rule, method, lookup)."""
    from intake import views as intake_views

    assert intake_views.red_flags_review.audit_policy == NONE
    assert intake_views.red_flags_review.required_rule == "clinical.write"
    url = reverse("intake:red_flags_review", args=[999999])
    assert client_for(patient_a.user).post(url).status_code == 403
    client = client_for(practitioner_a.user)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(("status", "rows"), [(400, 1), (409, 1), (200, 0), (302, 0)])
def test_a_reading_views_form_shown_again_after_a_post_is_audited_even_unnamed(rf, practitioner_a, status, rows):
    """Fail closed: a reading view that shows its form again with the errors (400, 409) after a POST, without
    naming what it showed, still leaves one "view" row with the path; a POST that answers otherwise (JSON 200,
    a redirect) reads nothing the middleware can tell, and writes none."""
    request = rf.post("/somewhere/7/")
    request.user = practitioner_a.user
    request._clinic_audit_policy = READS
    middleware = audit.AuditReadsMiddleware(lambda r: HttpResponse(status=status))
    assert middleware(request).status_code == status
    assert _rows("view", actor=practitioner_a.user) == ["/somewhere/7/"] * rows


def test_reads_page_declares_a_reader_with_its_rule_and_get_and_head_unless_told(client_for, patient_a, front_desk):
    """My day and the patient search: login first, then the rule (403, audited), then the method (405)."""
    assert notes_views.practitioner_home.audit_policy == READS
    assert notes_views.practitioner_home.required_rule == "clinical.write"
    assert notes_views.practitioner_home.__name__ == "practitioner_home"
    assert clinic_views.patient_create.required_rule == "patient.create"
    desk = client_for(front_desk)
    refused = desk.get(reverse("clinic:practitioner_home"))
    assert refused.status_code == 403
    assert _rows("denied", actor=front_desk)[-1].endswith("needs clinical.write")
    wrong_method = desk.post(reverse("clinic:patient_search"))
    assert wrong_method.status_code == 405 and wrong_method["Allow"] == "GET, HEAD"
    assert desk.head(reverse("clinic:patient_search")).status_code == 200
    assert desk.post(reverse("clinic:patient_create"), {}).status_code != 405  # told: GET, HEAD and POST
    assert client_for(patient_a.user).get(reverse("clinic:patient_search")).status_code == 403
