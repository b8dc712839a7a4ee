"""The one helper that turns a service's refusal into form errors and messages keeps every message."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.session import SessionStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from clinic.domain_errors import apply_error, error_text, message_error


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
