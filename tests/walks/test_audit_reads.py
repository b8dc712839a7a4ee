"""One mechanism audits every read of patient data (clinic/audit.py, clinic/admin_base.py).

The oracle is the page itself: any page, ours or the admin's, whose body shows patient A's name must leave
exactly one "view" audit row for that request, whatever list of patient-data pages anyone kept. Every view
of our apps declares whether it reads patient data, so a new view cannot forget.
"""

import pytest
from django.contrib import admin
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.admin_base import PatientDataAdmin
from clinic.audit import NONE, READS
from clinic.models import AuditEvent
from tests.clinic.factories import enrol_totp
from tests.walks import test_url_matrix as matrix
from tests.walks.test_url_matrix import MATRIX, OUR_NAMESPACES, ROLES, kwargs_for

cast = matrix.cast


def _our_views():
    found = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace in OUR_NAMESPACES:
                found.append((f"{namespace}:{p.name}", p.callback))

    walk(get_resolver().url_patterns, None)
    return found


def test_every_view_declares_whether_it_reads_patient_data():
    undeclared = [name for name, view in _our_views() if getattr(view, "audit_policy", None) not in (READS, NONE)]
    assert not undeclared, f"mark these views @reads_patient_data or @no_patient_data (clinic/audit.py): {undeclared}"


def _new_rows(before):
    return AuditEvent.objects.exclude(pk__in=before).filter(action=AuditEvent.Action.VIEW)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, statuses in MATRIX.items() if 200 in statuses.values()))
def test_a_page_that_shows_a_patients_name_is_audited_exactly_once(cast, name):
    patient = cast["objects"]["patient"]
    url = reverse(name, kwargs=kwargs_for(name, cast))
    for role in ROLES:
        if MATRIX[name][role] != 200:
            continue
        client = Client()
        if cast[role] is not None:
            client.force_login(cast[role])
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        response = client.get(url)
        assert response.status_code == 200
        if patient.last_name not in response.content.decode(errors="replace"):
            continue
        # One row for the patient, or for the list that shows them (a page may show other patients too, such as
        # a merge form's possible duplicates: each has its own row).
        rows = _new_rows(before).filter(Q(patient_ref=patient.pk) | Q(patient_ref__isnull=True))
        assert rows.count() == 1, f"{role} GET {name} showed {patient.full_name} and left {rows.count()} view rows"
        assert rows.get().actor == cast[role]


def _admin_urls(objects):
    """The changelist, and the change and history pages of patient A's row, of every registered model."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append((model_admin, reverse(f"admin:{info[0]}_{info[1]}_changelist")))
        row = objects.get(model)
        if row is not None:
            urls.append((model_admin, reverse(f"admin:{info[0]}_{info[1]}_change", args=[row.pk])))
            urls.append((model_admin, reverse(f"admin:{info[0]}_{info[1]}_history", args=[row.pk])))
    return urls


@pytest.mark.django_db
def test_every_admin_page_that_shows_a_patients_name_is_audited_exactly_once(cast, django_user_model):
    patient = cast["objects"]["patient"]
    objects = {type(obj): obj for obj in cast["objects"].values()}
    objects[type(patient.user)] = patient.user
    # A superuser reaches every admin page (clinic admins lack some of Django's own, such as groups).
    superuser = django_user_model.objects.create_superuser(email="root@example.com", password="x" * 20)
    enrol_totp(superuser)
    client = Client()
    client.force_login(superuser)
    unaudited, not_patient_admins = [], []
    for model_admin, url in _admin_urls(objects):
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        response = client.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        if patient.last_name not in response.content.decode(errors="replace"):
            continue
        if not isinstance(model_admin, PatientDataAdmin):
            not_patient_admins.append(type(model_admin).__name__)
        rows = _new_rows(before)
        if rows.count() != 1:
            unaudited.append(f"{url}: {rows.count()} rows")
    assert not not_patient_admins, (
        f"these admins show patient data: base them on PatientDataAdmin: {not_patient_admins}"
    )
    assert not unaudited, "admin pages showing patient data without exactly one audit row:\n" + "\n".join(unaudited)


@pytest.mark.django_db
def test_an_address_changed_in_the_admin_is_audited_with_the_field_name(cast):
    patient = cast["objects"]["patient"]
    client = Client()
    client.force_login(cast["admin"])
    url = reverse("admin:clinic_patient_change", args=[patient.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(address_line1="12 New Street", user=patient.user_id, date_of_birth=patient.date_of_birth.isoformat())
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, patient=patient).latest("pk")
    assert "address_line1" in event.detail and event.actor == cast["admin"]


@pytest.mark.django_db
def test_a_reading_view_that_forgets_to_name_its_object_still_leaves_a_row(cast, monkeypatch):
    """Fail closed: the middleware audits a reading view's response even if the view never called audit_read."""
    from clinic import audit

    monkeypatch.setattr(audit, "audit_read", lambda *a, **k: None)
    monkeypatch.setattr("clinic.views.audit_read", lambda *a, **k: None)
    client = Client()
    client.force_login(cast["front_desk"])
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    url = reverse("clinic:patient_detail", args=[cast["objects"]["patient"].pk])
    assert client.get(url).status_code == 200
    rows = _new_rows(before)
    assert rows.count() == 1 and rows.get().detail == url
