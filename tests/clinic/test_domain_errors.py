"""The one helper that turns a service's refusal into form errors and messages keeps every message."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.session import SessionStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from clinic.domain_errors import apply_error, attempt_form, error_text, message_error


class _Form(forms.Form):
    start = forms.CharField(required=False)


def test_field_keyed_refusal_lands_on_its_field_and_unknown_fields_at_the_top():
    form = _Form({})
    assert form.is_valid()
    apply_error(form, ValidationError({"start": ["Too early.", "Outside hours."], "room": ["Room 2 is taken."]}))
    assert form.errors["start"] == ["Too early.", "Outside hours."]
    assert form.non_field_errors() == ["Room 2 is taken."]


def test_plain_refusal_with_several_messages_keeps_them_all():
    form = _Form({})
    form.is_valid()
    apply_error(form, ValidationError(["First problem.", "Second problem."]))
    assert form.non_field_errors() == ["First problem.", "Second problem."]
    assert error_text(ValidationError(["First problem.", "Second problem."])) == "First problem. Second problem."


def test_message_error_shows_every_message(rf: RequestFactory):
    request = rf.get("/")
    request.session = {}
    request._messages = SessionStorage(request)
    message_error(request, ValidationError(["Consent is out of date.", "Intake not submitted."]))
    assert [m.message for m in get_messages(request)] == ["Consent is out of date.", "Intake not submitted."]


def _request_with_messages(rf: RequestFactory):
    request = rf.post("/")
    request.session = {}
    request._messages = SessionStorage(request)
    return request


def test_attempt_form_puts_every_message_of_a_refusal_on_the_form(rf: RequestFactory):
    request = _request_with_messages(rf)
    form = _Form({"start": "09:00"})

    def refuse():
        raise ValidationError({"start": ["Too early.", "Outside hours."]})

    assert attempt_form(request, form, refuse, success="Saved.") is None
    assert form.errors["start"] == ["Too early.", "Outside hours."]
    assert list(get_messages(request)) == []


def test_attempt_form_answers_the_service_and_says_the_success(rf: RequestFactory):
    request = _request_with_messages(rf)
    form = _Form({"start": "09:00"})
    answer = attempt_form(request, form, lambda: form.cleaned_data["start"], success=lambda start: f"At {start}.")
    assert answer == "09:00"
    assert [m.message for m in get_messages(request)] == ["At 09:00."]


def test_attempt_form_does_not_call_the_service_for_an_invalid_form(rf: RequestFactory):
    class Required(forms.Form):
        start = forms.CharField()

    called = []
    form = Required({})
    assert attempt_form(_request_with_messages(rf), form, lambda: called.append(1)) is None
    assert called == [] and "start" in form.errors


def test_attempt_form_lets_a_refusal_of_another_class_through(rf: RequestFactory):
    class Mine(ValidationError):
        pass

    def refuse():
        raise ValidationError("Not mine.")

    form = _Form({})
    try:
        attempt_form(_request_with_messages(rf), form, refuse, refusal=Mine)
    except ValidationError as exc:
        assert exc.messages == ["Not mine."]
    else:
        raise AssertionError("the refusal was swallowed")
