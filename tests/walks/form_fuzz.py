"""Hypothesis strategies built from a form's own fields (valid choices mixed with junk, fields left out), so a
field added later is fuzzed too; used by each app's form fuzz (tests/intake/test_intake_form_fuzz.py,
tests/scheduling/test_booking_form_fuzz.py).

- Form level, a few hundred examples each: `is_valid()` never raises; an invalid form names a field of its own
  (or __all__) with a message a person can read.
- View level: the same data posted to the page, each example in a transaction that is rolled back: never a
  500; a 400/409 page carries the form errors.
"""

import datetime as dt

from django import forms
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from scheduling.forms import SlotField, slot_value

FORM_EXAMPLES = 300
VIEW_EXAMPLES = 100
SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": False}

junk = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "\x00", "<script>x</script>", "null", "1e309"]),
)


def dates():
    return st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat)


def datetimes():
    return st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M")
    )


def slots(practitioner_ids):
    moments = st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
    )
    ids = st.one_of(st.sampled_from(practitioner_ids or [1]), st.integers(-3, 10**12))
    return st.builds(slot_value, moments, ids)


def value_for(field: forms.Field, practitioner_ids=()):
    """Valid-looking values for this field type, mixed with junk."""
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        if isinstance(field, forms.ModelMultipleChoiceField):
            options = [str(pk) for pk in field.queryset.values_list("pk", flat=True)]
        else:
            options = [str(value) for value, _label in field.choices]
        return st.one_of(st.lists(st.sampled_from(options or [""]), max_size=4), st.lists(junk, max_size=3))
    if isinstance(field, forms.ModelChoiceField):
        options = [str(pk) for pk in field.queryset.values_list("pk", flat=True)]
        return st.one_of(st.sampled_from(options or [""]), st.integers(-5, 10**12).map(str), junk)
    if isinstance(field, forms.ChoiceField):
        options = [str(value) for value, _label in field.choices]
        return st.one_of(st.sampled_from(options or [""]), junk)
    if isinstance(field, forms.DateTimeField):
        return st.one_of(datetimes(), junk)
    if isinstance(field, forms.DateField):
        return st.one_of(dates(), junk)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "true", "false", ""]), junk)
    if isinstance(field, SlotField):
        return st.one_of(slots(list(practitioner_ids)), junk)
    if isinstance(field, forms.EmailField):
        return st.one_of(st.emails().filter(lambda e: len(e) <= 254), junk)
    size = (getattr(field, "max_length", None) or 300) + 5
    return st.one_of(st.text(max_size=size), junk)


def data_for(form: forms.Form, practitioner_ids=(), fixed=None):
    """Every field of the form, each maybe left out; `fixed` values are always sent as given."""
    names = {form.add_prefix(name): value_for(field, practitioner_ids) for name, field in form.fields.items()}
    fixed = fixed or {}
    for name in fixed:
        names.pop(name, None)
    return st.fixed_dictionaries({k: st.just(v) for k, v in fixed.items()}, optional=names)


def assert_explained(form: forms.Form, label: str):
    assert form.errors, f"{label}: invalid but no error"
    for name, messages in form.errors.items():
        assert name == "__all__" or name in form.fields, f"{label}: error on unknown field {name}"
        assert all(str(m).strip() for m in messages), f"{label}: empty message on {name}"


def post_rolled_back(client, url, data):
    """Post, then roll back whatever the view wrote, so examples do not see each other's rows."""
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response


def assert_page_ok(response, form_keys, label):
    assert response.status_code < 500, f"{label}: {response.status_code}"
    if response.status_code == 400 and "NUL character" in response.content.decode(errors="replace"):
        return  # refused whole by the NUL-byte guard (clinic.middleware), with its own clear page
    if response.status_code in (400, 409):
        shown = [response.context[k] for k in form_keys if response.context.get(k) is not None]
        assert any(f.errors for f in shown), f"{label}: refused without a field error"


def check_form(build, label, *, valid=None):
    """Fuzz one form: never raises; invalid data is explained; `valid(form)` runs on each valid example."""

    @hypothesis_settings(max_examples=FORM_EXAMPLES, **SETTINGS)
    @given(data=data_for(build()))
    def check(data):
        form = build(data=data)
        if form.is_valid():
            if valid is not None:
                valid(form)
        else:
            assert_explained(form, label)

    check()
