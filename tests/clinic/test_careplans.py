"""Care plans (issue 16, slices 1 and 2): the plan and its versions, states, who may do what, the pages from
the chart, audited reads, constant queries, and consent following the plan (the note-signing gate)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.careplans import services
from clinic.models import AuditEvent, CarePlan
from clinic.notes import services as note_services
from tests.clinic import note_factories as nf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("week_before")]

PHASES = [{"visits_per_week": 3, "weeks": 4}, {"visits_per_week": 2, "weeks": 4}]


def propose(patient, practitioner, **extra):
    fields = {"phases": PHASES, "goals": [{"kind": "pain_at_most", "target": 2}], "re_exam_visit": 12, **extra}
    return services.careplan_propose(patient=patient, practitioner=practitioner, actor=practitioner.user, **fields)


def form_data(**extra):
    data = {
        "phase1_visits_per_week": "3",
        "phase1_weeks": "4",
        "phase2_visits_per_week": "2",
        "phase2_weeks": "4",
        "goal1_kind": "pain_at_most",
        "goal1_target": "2",
        "goal2_kind": "questionnaire_below",
        "goal2_target": "20",
        "re_exam_visit": "12",
        "questionnaire_code": "ndi",
        "questionnaire_every_visits": "6",
        "notes": "Neck first.",
    }
    data.update(extra)
    return data


# --- the model and services ----------------------------------------------------------------------------------


def test_plan_counts_visits_and_numbers_phases(patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    assert plan.total_visits == 20 and plan.total_weeks == 8
    assert [(r["first"], r["last"]) for r in plan.phase_rows()] == [(1, 12), (13, 20)]
    assert plan.status == "proposed" and plan.version == 1 and plan.lineage == plan.pk
    assert plan.goal_texts() == ["Pain at or below 2/10"]


def test_re_exam_after_the_last_visit_is_refused(patient_a, practitioner_a):
    with pytest.raises(ValidationError) as caught:
        propose(patient_a, practitioner_a, re_exam_visit=21)
    assert "at visit 20 or before" in caught.value.message_dict["re_exam_visit"][0]


def test_one_current_plan_per_patient(patient_a, practitioner_a):
    propose(patient_a, practitioner_a)
    with pytest.raises(ValidationError, match="already has a current care plan"):
        propose(patient_a, practitioner_a)


def test_a_changed_plan_is_a_new_version_and_the_earlier_stays(patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    services.careplan_accept(plan=plan, actor=patient_a.user, how="online")
    new = services.careplan_revise(
        plan=plan, practitioner=practitioner_a, actor=practitioner_a.user, phases=[{"visits_per_week": 2, "weeks": 6}]
    )
    plan.refresh_from_db()
    assert (plan.status, plan.total_visits, plan.accepted_how) == ("superseded", 20, "online")
    assert (new.version, new.lineage, new.previous_id, new.status) == (2, plan.lineage, plan.pk, "proposed")
    assert new.accepted_at is None  # consent is asked again


def test_states_proposed_accepted_active_completed(patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    with pytest.raises(ValidationError, match="not accepted this plan yet"):
        services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="active")
    plan = services.careplan_accept(plan=plan, actor=practitioner_a.user, how="in_person")
    plan = services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="active")
    plan = services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="completed")
    assert plan.status == "completed"
    with pytest.raises(ValidationError, match="completed"):
        services.careplan_revise(plan=plan, practitioner=practitioner_a, actor=practitioner_a.user, phases=PHASES)


def test_discontinue_needs_a_reason(patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    with pytest.raises(ValidationError) as caught:
        services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="discontinued", reason=" ")
    assert "reason" in caught.value.message_dict
    plan = services.careplan_set_status(plan=plan, actor=practitioner_a.user, status="discontinued", reason="Moved")
    assert (plan.status, plan.discontinued_reason) == ("discontinued", "Moved")
    assert AuditEvent.objects.filter(action="careplan.discontinue", object_id=str(plan.pk)).exists()


# --- consent follows the plan ----------------------------------------------------------------------------------


def test_a_note_cannot_be_signed_while_the_plan_awaits_consent(patient_a, practitioner_a, week_before):
    plan = propose(patient_a, practitioner_a)
    week_before.move_to(nf.at(0, 8))
    note = nf.draft(patient_a, practitioner_a, start=nf.at(0, 9), chief_complaint="Neck", sot_category="II")
    with pytest.raises(ValidationError, match="has not been accepted by the patient yet"):
        note_services.note_sign(note=note, actor=practitioner_a.user)
    services.careplan_accept(plan=plan, actor=patient_a.user, how="online")
    assert note_services.note_sign(note=note, actor=practitioner_a.user).is_signed


def test_a_changed_plan_asks_consent_again_before_the_next_note(patient_a, practitioner_a, week_before):
    plan = propose(patient_a, practitioner_a)
    services.careplan_accept(plan=plan, actor=patient_a.user, how="online")
    services.careplan_revise(plan=plan, practitioner=practitioner_a, actor=practitioner_a.user, phases=PHASES)
    week_before.move_to(nf.at(0, 8))
    note = nf.draft(patient_a, practitioner_a, start=nf.at(0, 9), chief_complaint="Neck", sot_category="II")
    with pytest.raises(ValidationError, match="care plan changed \\(version 2\\)"):
        note_services.note_sign(note=note, actor=practitioner_a.user)


def test_the_exam_visit_where_the_plan_is_proposed_is_not_held_up(patient_a, practitioner_a, week_before):
    week_before.move_to(nf.at(0, 9, 30))
    note = nf.draft(patient_a, practitioner_a, start=nf.at(0, 9), chief_complaint="Neck", sot_category="II")
    propose(patient_a, practitioner_a)
    assert note_services.note_sign(note=note, actor=practitioner_a.user).is_signed


# --- pages -----------------------------------------------------------------------------------------------------


def test_practitioner_proposes_from_the_chart(client_for, patient_a, practitioner_a):
    client = client_for(practitioner_a.user)
    chart = client.get(reverse("clinic:patient_chart", args=[patient_a.pk])).content.decode()
    assert reverse("clinic:careplan_list", args=[patient_a.pk]) in chart
    response = client.post(reverse("clinic:careplan_new", args=[patient_a.pk]), form_data())
    plan = CarePlan.objects.get(patient=patient_a)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.goals == [{"kind": "pain_at_most", "target": 2}, {"kind": "questionnaire_below", "target": 20}]
    body = client.get(plan.get_absolute_url()).content.decode()
    assert "20 visits over 8 weeks" in body and "at visit 12" in body and "NDI below 20 %" in body
    assert "Record: discussed and accepted in person" in body


def test_bad_plan_input_shows_a_message_next_to_the_field(client_for, patient_a, practitioner_a):
    client = client_for(practitioner_a.user)
    response = client.post(
        reverse("clinic:careplan_new", args=[patient_a.pk]), form_data(phase2_weeks="", re_exam_visit="30")
    )
    assert response.status_code == 400
    assert "Give both the visits per week and the number of weeks." in response.content.decode()
    response = client.post(reverse("clinic:careplan_new", args=[patient_a.pk]), form_data(re_exam_visit="30"))
    assert response.status_code == 400 and "at visit 20 or before" in response.content.decode()
    assert not CarePlan.objects.exists()


def test_patient_accepts_their_plan_online(client_for, patient_a, patient_b, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    other = propose(patient_b, practitioner_a)
    client = client_for(patient_a.user)
    body = client.get(plan.get_absolute_url()).content.decode()
    assert "Accept the care plan" in body and "Change the plan" not in body
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.post(reverse("clinic:careplan_accept_online", args=[other.pk]), {"agree": "yes"}).status_code == 404
    client.post(reverse("clinic:careplan_accept_online", args=[plan.pk]), {})
    plan.refresh_from_db()
    assert plan.status == "proposed"
    client.post(reverse("clinic:careplan_accept_online", args=[plan.pk]), {"agree": "yes"})
    plan.refresh_from_db()
    assert (plan.status, plan.accepted_how, plan.accepted_by_id) == ("accepted", "online", patient_a.user.pk)


def test_practitioner_changes_the_plan_and_the_earlier_version_is_readable(client_for, patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    client = client_for(practitioner_a.user)
    response = client.post(reverse("clinic:careplan_revise", args=[plan.pk]), form_data(phase2_weeks="6"))
    new = CarePlan.objects.get(version=2)
    assert response["Location"] == new.get_absolute_url() and new.total_visits == 24
    old = client.get(plan.get_absolute_url()).content.decode()
    assert "replaced by a newer one" in old and "20 visits over 8 weeks" in old


def test_front_desk_reads_but_does_not_write(client_for, patient_a, practitioner_a, front_desk):
    plan = propose(patient_a, practitioner_a)
    client = client_for(front_desk)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(reverse("clinic:careplan_new", args=[patient_a.pk])).status_code == 403
    assert (
        client.post(reverse("clinic:careplan_status", args=[plan.pk, "discontinued"]), {"reason": "x"}).status_code
        == 403
    )


def test_discontinue_without_reason_shows_the_field_error(client_for, patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    response = client_for(practitioner_a.user).post(reverse("clinic:careplan_status", args=[plan.pk, "discontinued"]))
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_every_read_of_a_plan_is_audited(client_for, patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    client = client_for(practitioner_a.user)
    client.get(plan.get_absolute_url())
    client.get(reverse("clinic:careplan_list", args=[patient_a.pk]))
    reads = AuditEvent.objects.filter(action="view", patient=patient_a)
    assert reads.filter(object_type="clinic.CarePlan", object_id=str(plan.pk)).count() == 1
    assert reads.filter(detail="care plans").count() == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_queries_stay_constant_whatever_the_number_of_versions(client_for, patient_a, practitioner_a):
    plan = propose(patient_a, practitioner_a)
    client = client_for(practitioner_a.user)
    list_url = reverse("clinic:careplan_list", args=[patient_a.pk])
    few_list, few_detail = _queries(client, list_url), _queries(client, plan.get_absolute_url())
    for _ in range(4):
        plan = services.careplan_revise(
            plan=plan, practitioner=practitioner_a, actor=practitioner_a.user, phases=PHASES
        )
    assert _queries(client, list_url) == few_list
    assert _queries(client, plan.get_absolute_url()) == few_detail
