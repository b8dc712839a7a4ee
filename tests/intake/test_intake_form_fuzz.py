"""Hypothesis on the intake's and consent's forms and pages (strategies: tests/walks/form_fuzz.py): a form
never raises and explains invalid input, a valid answer can be stored as JSON, a page never answers 500."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from intake.forms import STEP_FORMS, ConsentForm, OutcomeForm
from tests.intake import factories as intake_factories
from tests.walks.form_fuzz import SETTINGS, VIEW_EXAMPLES, assert_page_ok, check_form, data_for, post_rolled_back


@pytest.fixture
def intake_world(db):
    questionnaires = intake_factories.load_questionnaires()
    version = intake_factories.consent_version()
    return {"questionnaire": questionnaires["ndi"], "version": version}


def _form_builders(world):
    return {
        **{f"intake {step}": (lambda cls=cls, **kw: cls(**kw)) for step, cls in STEP_FORMS.items()},
        "intake outcome": lambda **kw: OutcomeForm(questionnaire=world["questionnaire"], **kw),
        "consent adult": lambda **kw: ConsentForm(version=world["version"], minor=False, **kw),
        "consent minor": lambda **kw: ConsentForm(version=world["version"], minor=True, **kw),
    }


FORM_NAMES = ["intake about", "intake visit", "intake health", "intake redflags", "intake outcome"]
FORM_NAMES += ["consent adult", "consent minor"]


def stored_as_json(form):
    json.dumps(form.cleaned_data, cls=DjangoJSONEncoder)  # stored as the step's answers


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_never_raises_and_explains_invalid_input(intake_world, name):
    check_form(_form_builders(intake_world)[name], name, valid=stored_as_json if name.startswith("intake") else None)


def test_every_form_is_fuzzed():
    assert set(FORM_NAMES) == set(_form_builders({"questionnaire": None, "version": None}))


@pytest.mark.django_db
def test_intake_steps_never_500(intake_world, patient_a):
    client = Client(raise_request_exception=False)
    client.force_login(patient_a.user)
    intake_factories.draft(patient_a)
    strategies = [
        st.tuples(st.just(step), data_for(cls() if step != "outcome" else OutcomeForm(questionnaire=None)))
        for step, cls in STEP_FORMS.items()
    ]

    @hypothesis_settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(case=st.one_of(*strategies))
    def check(case):
        step, data = case
        response = post_rolled_back(client, reverse("intake:intake_step", args=[step]), data)
        assert_page_ok(response, ["form"], f"intake step {step} {data!r}")

    check()


@pytest.mark.django_db
def test_consent_form_never_500s(intake_world, patient_a):
    client = Client(raise_request_exception=False)
    client.force_login(patient_a.user)
    form = ConsentForm(version=intake_world["version"], minor=patient_a.is_minor())

    @hypothesis_settings(max_examples=VIEW_EXAMPLES, **SETTINGS)
    @given(data=st.one_of(data_for(form), data_for(form, fixed={"text_sha256": intake_world["version"].sha256})))
    def check(data):
        response = post_rolled_back(client, reverse("intake:consent_sign"), data)
        assert_page_ok(response, ["form"], f"consent {data!r}")

    check()
