"""Staff two-factor, session limits, lockout, deactivation, the audit trail and the access log."""

import datetime as dt

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from clinic import services
from clinic.models import AuditEvent
from tests.clinic.factories import PASSWORD, UserFactory, totp_code
from tests.conftest import requires_postgres

T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
LOGIN_URL = reverse("account_login")


def login_form(client, email, password=PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def real_login(client, user, password=PASSWORD):
    """Log in the way a browser does (password form, then the TOTP step for staff): allauth records the session."""
    response = login_form(client, user.email, password)
    if response.get("Location") == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302, response
    return response


def form_errors(response):
    return [str(e) for e in response.context["form"].non_field_errors()]


def statuses_for(client, user, *url_names) -> list[int]:
    """Log `user` in, then GET each named page in turn: the status codes, in order."""
    client.force_login(user)
    return [client.get(reverse(name)).status_code for name in url_names]


# --- Staff two-factor -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_logs_in_through_the_password_form_and_the_totp_step(client, front_desk):
    with time_machine.travel(T0, tick=False):
        response = login_form(client, front_desk.email)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_authenticate")
        # Password alone is not enough: no patient page yet.
        assert client.get(reverse("clinic:patient_search"))["Location"].startswith(LOGIN_URL)

        response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert response.status_code == 200  # wrong code: the form again
        assert AuditEvent.objects.filter(action="login_failed", detail__contains="two-factor").count() == 1
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302
        assert response["Location"] == reverse("clinic:home_for_role")
        assert client.get(reverse("clinic:patient_search")).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=front_desk).count() == 1


@pytest.mark.django_db
def test_login_gives_a_new_session_key(client, front_desk):
    session = client.session
    session["probe"] = "before login"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    old_key = session.session_key
    with time_machine.travel(T0, tick=False):
        login_form(client, front_desk.email)
        client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert new_key != old_key
        assert not Session.objects.filter(session_key=old_key).exists()
        assert client.get(reverse("clinic:patient_search")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Front desk", "Practitioner", "Clinic admin"])
def test_staff_without_totp_is_sent_to_enrol_before_any_page(client, patient_a, role):
    user = UserFactory(roles=[role], totp=False)
    client.force_login(user)
    for url in (
        reverse("clinic:home_for_role"),
        reverse("clinic:patient_search"),
        reverse("clinic:patient_detail", args=[patient_a.pk]),
        reverse("scheduling:frontdesk_home"),
        reverse("admin:index"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    assert client.get(reverse("clinic:healthz")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


@pytest.mark.django_db
def test_superuser_without_a_group_needs_totp_too(client):
    user = UserFactory(is_superuser=True, is_staff=True, totp=False)
    client.force_login(user)
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_enrols_totp_and_then_reaches_patient_pages(client):
    user = UserFactory(email="new.desk@example.com", roles=["Front desk"], totp=False)
    with time_machine.travel(T0, tick=False):
        response = login_form(client, user.email)
        assert response.status_code == 302  # no TOTP yet: straight in, then to enrolment
        assert client.get(reverse("clinic:patient_search"))["Location"] == reverse("mfa_activate_totp")
        # allauth asks for the password again before adding an authenticator.
        response = client.get(reverse("mfa_activate_totp"))
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 200
        secret = client.session["mfa.totp.secret"]
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert client.get(reverse("clinic:patient_search")).status_code == 200


@pytest.mark.django_db
def test_patient_is_not_forced_to_enrol_but_may(client, patient_a):
    assert statuses_for(client, patient_a.user, "scheduling:account_home", "mfa_index") == [200, 200]


@pytest.mark.django_db
def test_staff_cannot_remove_their_totp(client, front_desk):
    from allauth.mfa.adapter import get_adapter

    authenticator = Authenticator.objects.get(user=front_desk, type=Authenticator.Type.TOTP)
    assert get_adapter().can_delete_authenticator(authenticator) is False


@pytest.mark.django_db
def test_patient_may_remove_their_totp(patient_a):
    from allauth.mfa.adapter import get_adapter

    from tests.clinic.factories import enrol_totp

    enrol_totp(patient_a.user)
    authenticator = Authenticator.objects.get(user=patient_a.user, type=Authenticator.Type.TOTP)
    assert get_adapter().can_delete_authenticator(authenticator) is True


# --- Session limits ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("minutes", "works"), [(14, True), (16, False)])
def test_staff_idle_limit(client, front_desk, minutes, works):
    with time_machine.travel(T0, tick=False) as traveller:
        client.force_login(front_desk)
        assert client.get(reverse("clinic:patient_search")).status_code == 200
        traveller.shift(dt.timedelta(minutes=minutes))
        response = client.get(reverse("clinic:patient_search"))
    if works:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        assert "next=" in response["Location"]
        event = AuditEvent.objects.get(action="logout", actor=front_desk)
        assert "idle" in event.detail
        # The session is gone, not just redirected once.
        assert client.get(reverse("clinic:patient_search"))["Location"].startswith(LOGIN_URL)


@pytest.mark.django_db
def test_activity_keeps_a_staff_session_alive(client, front_desk):
    with time_machine.travel(T0, tick=False) as traveller:
        client.force_login(front_desk)
        for _ in range(6):  # an hour of work, a request every 10 minutes
            traveller.shift(dt.timedelta(minutes=10))
            assert client.get(reverse("clinic:patient_search")).status_code == 200


@pytest.mark.django_db
def test_idle_limit_is_a_setting(client, front_desk, settings):
    settings.CLINIC_STAFF_IDLE_MINUTES = 5
    with time_machine.travel(T0, tick=False) as traveller:
        client.force_login(front_desk)
        traveller.shift(dt.timedelta(minutes=4))
        assert client.get(reverse("clinic:patient_search")).status_code == 200
        traveller.shift(dt.timedelta(minutes=6))
        assert client.get(reverse("clinic:patient_search")).status_code == 302


@pytest.mark.django_db
def test_idle_htmx_request_is_sent_to_login_by_hx_redirect(client, front_desk):
    with time_machine.travel(T0, tick=False) as traveller:
        client.force_login(front_desk)
        traveller.shift(dt.timedelta(minutes=16))
        response = client.get(reverse("clinic:patient_search"), {"q": "a"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(LOGIN_URL)


@pytest.mark.django_db
def test_patients_have_no_idle_limit(client, patient_a):
    with time_machine.travel(T0, tick=False) as traveller:
        client.force_login(patient_a.user)
        traveller.shift(dt.timedelta(hours=2))
        assert client.get(reverse("scheduling:account_home")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("minutes_past", "works"), [(-1, True), (1, False)])
def test_absolute_session_limit_even_when_active(client, front_desk, minutes_past, works):
    end = T0 + dt.timedelta(hours=settings.CLINIC_SESSION_MAX_HOURS)
    with time_machine.travel(T0, tick=False) as traveller:
        client.force_login(front_desk)
        now = T0
        while now + dt.timedelta(minutes=10) < end:  # busy all day: a request every 10 minutes
            now += dt.timedelta(minutes=10)
            traveller.move_to(now)
            assert client.get(reverse("clinic:patient_search")).status_code == 200
        traveller.move_to(end + dt.timedelta(minutes=minutes_past))
        response = client.get(reverse("clinic:patient_search"))
    if works:
        assert response.status_code == 200
    else:
        assert response["Location"].startswith(LOGIN_URL)
        assert "hours" in AuditEvent.objects.get(action="logout", actor=front_desk).detail


@pytest.mark.django_db
def test_deactivating_a_user_ends_all_their_sessions(patient_a, clinic_admin):
    browsers = [Client(), Client()]
    with time_machine.travel(T0, tick=False):
        for browser in browsers:
            real_login(browser, patient_a.user)
            assert browser.get(reverse("scheduling:account_home")).status_code == 200
        keys = list(UserSession.objects.filter(user=patient_a.user).values_list("session_key", flat=True))
        assert len(keys) == 2

        services.user_deactivate(user=patient_a.user, actor=clinic_admin)

        for browser in browsers:
            assert browser.get(reverse("scheduling:account_home"))["Location"].startswith(LOGIN_URL)
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=patient_a.user).exists()
    patient_a.user.refresh_from_db()
    assert patient_a.user.is_active is False
    assert AuditEvent.objects.filter(action="update", object_id=str(patient_a.user.pk), detail="deactivated").exists()


@pytest.mark.django_db
def test_a_deactivated_staff_user_is_out_on_the_next_request(front_desk, clinic_admin):
    browser = Client()
    browser.force_login(front_desk)  # even a session allauth did not record
    assert browser.get(reverse("clinic:patient_search")).status_code == 200
    services.user_deactivate(user=front_desk, actor=clinic_admin)
    assert browser.get(reverse("clinic:patient_search"))["Location"].startswith(LOGIN_URL)


@pytest.mark.django_db
def test_admin_action_deactivates_and_ends_sessions(client, front_desk, clinic_admin):
    desk_browser = Client()
    desk_browser.force_login(front_desk)
    client.force_login(clinic_admin)
    response = client.post(
        reverse("admin:clinic_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [front_desk.pk]},
    )
    assert response.status_code == 302
    assert desk_browser.get(reverse("clinic:patient_search"))["Location"].startswith(LOGIN_URL)


@pytest.mark.django_db
def test_log_out_everywhere_ends_every_session_of_that_user_only(patient_a, patient_b):
    laptop, phone, other = Client(), Client(), Client()
    with time_machine.travel(T0, tick=False):
        real_login(laptop, patient_a.user)
        real_login(phone, patient_a.user)
        real_login(other, patient_b.user)
        response = laptop.post(reverse("clinic:logout_everywhere"))
        assert response.status_code == 302
        for browser in (laptop, phone):
            assert browser.get(reverse("scheduling:account_home"))["Location"].startswith(LOGIN_URL)
        assert other.get(reverse("scheduling:account_home")).status_code == 200
    assert AuditEvent.objects.filter(action="logout", detail__contains="log out everywhere").count() == 1


@pytest.mark.django_db
def test_log_out_everywhere_refuses_get(client, patient_a):
    # Still logged in after the refused GET: the account page opens.
    assert statuses_for(client, patient_a.user, "clinic:logout_everywhere", "scheduling:account_home") == [405, 200]


@pytest.mark.django_db
def test_sessions_page_lists_and_signs_out_other_sessions(client, patient_a):
    other = Client()
    with time_machine.travel(T0, tick=False):
        real_login(other, patient_a.user)
        real_login(client, patient_a.user)
        response = client.get(reverse("usersessions_list"))
        assert response.status_code == 200
        assert "Log out everywhere" in response.content.decode()
        client.post(reverse("usersessions_list"))
        assert other.get(reverse("scheduling:account_home"))["Location"].startswith(LOGIN_URL)
        assert client.get(reverse("scheduling:account_home")).status_code == 200


@pytest.mark.django_db
def test_admin_login_goes_through_the_two_factor_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# --- Lockout ----------------------------------------------------------------------------------------------

N = settings.CLINIC_LOGIN_FAILURES_PER_ACCOUNT


@pytest.mark.django_db
def test_account_locks_at_exactly_n_failures(client, patient_a):
    with time_machine.travel(T0, tick=False):
        for _ in range(N):
            response = login_form(client, "alice@example.com", "wrong-password-1")
            assert "not correct" in response.content.decode()
        response = login_form(client, "alice@example.com")  # the right password, too late
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="lockout", detail__contains="alice@example.com").count() == 1


@pytest.mark.django_db
def test_n_minus_one_failures_still_let_the_right_password_in(client, patient_a):
    with time_machine.travel(T0, tick=False):
        for _ in range(N - 1):
            login_form(client, "alice@example.com", "wrong-password-1")
        response = login_form(client, "alice@example.com")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="lockout").exists()


@pytest.mark.django_db
def test_lockout_ends_after_the_period(client, patient_a):
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(N):
            login_form(client, "alice@example.com", "wrong-password-1")
        traveller.shift(dt.timedelta(minutes=settings.CLINIC_LOCKOUT_MINUTES - 1))
        assert "Too many" in login_form(client, "alice@example.com").content.decode()
        traveller.shift(dt.timedelta(minutes=1, seconds=1))
        assert login_form(client, "alice@example.com").status_code == 302


@pytest.mark.django_db
def test_unknown_account_and_wrong_password_look_the_same(patient_a):
    known, unknown = Client(), Client()
    with time_machine.travel(T0, tick=False):
        for attempt in range(N + 1):
            a = login_form(known, "alice@example.com", "wrong-password-1")
            b = login_form(unknown, "nobody-here@example.com", "wrong-password-1")
            assert a.status_code == b.status_code == 200
            assert form_errors(a) == form_errors(b), attempt
    assert "Too many" in form_errors(a)[0]


@pytest.mark.django_db
def test_one_ip_is_refused_after_n_failures_across_accounts(client):
    per_ip = settings.CLINIC_LOGIN_FAILURES_PER_IP
    with time_machine.travel(T0, tick=False):
        for i in range(per_ip):
            response = login_form(client, f"guess{i}@example.com", "wrong-password-1")
            assert "not correct" in response.content.decode(), i
        response = login_form(client, "yet-another@example.com", "wrong-password-1")
    assert "Too many failed login attempts" in response.content.decode()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert "not correct" in login_form(other, "yet-another@example.com", "wrong-password-1").content.decode()


def test_lockout_counters_live_in_a_cache_shared_by_app_servers():
    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend.lower() and "dummy" not in backend.lower()


# --- Audit trail ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_denied_request_is_audited(client, patient_a):
    client.force_login(patient_a.user)
    assert client.get(reverse("clinic:practitioner_home")).status_code == 403
    event = AuditEvent.objects.get(action="denied")
    assert event.actor == patient_a.user
    assert event.ip_address == "127.0.0.1"
    assert reverse("clinic:practitioner_home") in event.detail


@pytest.mark.django_db
def test_each_patient_view_and_change_writes_exactly_one_audit_row(client, front_desk, patient_a):
    client.force_login(front_desk)
    before = AuditEvent.objects.count()
    client.get(reverse("clinic:patient_detail", args=[patient_a.pk]))
    assert AuditEvent.objects.count() == before + 1
    data = {
        "first_name": "Alice",
        "last_name": "Arnold-Smith",
        "date_of_birth": "1985-06-15",
        "sex": "female",
        "email": "alice@example.com",
        "phone": "(555) 010-1234",
    }
    response = client.post(reverse("clinic:patient_edit", args=[patient_a.pk]), data)
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before + 2
    latest = AuditEvent.objects.first()
    assert (latest.action, latest.patient, latest.actor) == ("update", patient_a, front_desk)
    assert "last_name" in latest.detail and "Arnold-Smith" not in latest.detail


@requires_postgres
@pytest.mark.django_db
def test_audit_rows_cannot_be_updated_or_deleted_on_postgres(patient_a, front_desk):
    event = services.audit_record(actor=front_desk, action="view", obj=patient_a)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="nothing to see")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=patient_a.user)
    event.refresh_from_db()
    assert event.detail == "" and event.actor == front_desk


# --- Access log -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_access_log_shows_who_looked_at_this_patient_only(client, clinic_admin, front_desk, patient_a, patient_b):
    services.audit_record(actor=front_desk, action="view", obj=patient_a)
    services.audit_record(actor=front_desk, action="update", obj=patient_b, detail="changed: zzz-other-patient")
    client.force_login(clinic_admin)
    response = client.get(reverse("clinic:patient_access_log", args=[patient_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "desk@example.com" in body
    assert "zzz-other-patient" not in body
    # Reading the access log is itself a read of the record.
    assert AuditEvent.objects.filter(actor=clinic_admin, patient=patient_a, detail="access log").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["front_desk", "practitioner_a", "patient_a"])
def test_access_log_is_for_clinic_admins_only(client, request, patient_a, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    response = client.get(reverse("clinic:patient_access_log", args=[patient_a.pk]))
    assert response.status_code == 403
    assert "Arnold" not in response.content.decode()


@pytest.mark.django_db
def test_access_log_refuses_post_and_unknown_patient(client, clinic_admin, patient_a):
    client.force_login(clinic_admin)
    assert client.post(reverse("clinic:patient_access_log", args=[patient_a.pk])).status_code == 405
    assert client.get(reverse("clinic:patient_access_log", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_access_log_query_count_does_not_grow_with_rows(client, clinic_admin, patient_a, django_assert_max_num_queries):
    client.force_login(clinic_admin)
    users = [UserFactory() for _ in range(5)]
    for user in users:
        services.audit_record(actor=user, action="view", obj=patient_a)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("clinic:patient_access_log", args=[patient_a.pk]))
    for user in [UserFactory() for _ in range(20)]:
        services.audit_record(actor=user, action="view", obj=patient_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("clinic:patient_access_log", args=[patient_a.pk]))


@pytest.mark.django_db
def test_audit_admin_is_read_only(client, clinic_admin, patient_a):
    event = services.audit_record(actor=clinic_admin, action="view", obj=patient_a)
    client.force_login(clinic_admin)
    assert client.get(reverse("admin:clinic_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:clinic_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:clinic_auditevent_delete", args=[event.pk])).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Demo staff two-factor -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_staff_log_in_with_the_code_demo_totp_prints(client, capsys):
    from django.core.management import call_command

    from clinic.demo import DEMO_PASSWORD, seed

    seed()  # the core's demo staff (the whole seed_demo is tested in test_foundation)
    with time_machine.travel(T0, tick=False):
        call_command("demo_totp")
        code = capsys.readouterr().out.split()[0]
        response = login_form(client, "frontdesk@example.com", DEMO_PASSWORD)
        assert response["Location"] == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response["Location"] == reverse("clinic:home_for_role")
        assert client.get(reverse("scheduling:frontdesk_home")).status_code == 200


@pytest.mark.django_db
def test_opening_a_patient_in_the_admin_is_audited(client, clinic_admin, patient_a):
    client.force_login(clinic_admin)
    assert client.get(reverse("admin:clinic_patient_change", args=[patient_a.pk])).status_code == 200
    assert (
        AuditEvent.objects.filter(
            actor=clinic_admin, patient=patient_a, action="view", detail__startswith="admin"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_opening_another_patients_record_is_audited_as_denied(client, patient_a, patient_b):
    client.force_login(patient_a.user)
    assert client.get(reverse("clinic:patient_detail", args=[patient_b.pk])).status_code == 404
    event = AuditEvent.objects.get(action="denied")
    assert (event.actor, event.patient, event.ip_address) == (patient_a.user, patient_b, "127.0.0.1")
    assert "patient.view" in event.detail


# --- Headers ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_pages_carry_the_protective_headers_and_are_not_cached(client, front_desk, patient_a):
    client.force_login(front_desk)
    response = client.get(reverse("clinic:patient_detail", args=[patient_a.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.django_db
def test_public_pages_stay_cacheable(client):
    assert "no-store" not in client.get(reverse("clinic:index")).get("Cache-Control", "")
