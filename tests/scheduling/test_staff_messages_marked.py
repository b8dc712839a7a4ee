"""The staff side's Python words go through gettext: English for now, ready for a translation (issue 24)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from clinic.models import Practitioner
from scheduling.forms import AppointmentBookForm, TimeBlockForm
from scheduling.models import WaitlistEntry
from tests.scheduling.conftest import waitlist_form

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def desk(client_for, front_desk):
    return client_for(front_desk)


def _waitlist_entry(desk, clinic, patient, practitioner):
    form = waitlist_form(clinic, patient, practitioner)
    response = desk.post(reverse("scheduling:waitlist_add"), form, follow=True)
    assert response.redirect_chain
    return shown(response)


def shown(response) -> list[str]:
    """The messages the page after the redirect showed (reading them there uses them up)."""
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "removed"),
    [("en", "Removed from the waitlist."), ("es", "Quitado de la lista de espera.")],
)
def test_a_staff_message_is_in_the_active_language_where_the_catalog_has_it(
    desk,
    clinic,
    patient_b,
    practitioner_a,
    language,
    removed,
):
    desk.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # A staff message without a Spanish entry stays English, with its name filled in, in either language.
    assert _waitlist_entry(desk, clinic, patient_b, practitioner_a) == ["Bruno Berg is on the waitlist."]
    entry = WaitlistEntry.objects.get()
    response = desk.post(reverse("scheduling:waitlist_remove", args=[entry.pk]), follow=True)
    # The one staff message the catalog translates (for this test) comes out in Spanish: it goes through gettext.
    assert shown(response) == [removed]
    assert removed in response.content.decode()


def test_staff_form_labels_are_lazy_and_stay_english_in_spanish():
    with translation.override("es"):
        book = AppointmentBookForm()
        block = TimeBlockForm(practitioners=Practitioner.objects.none())
        assert book.fields["start"].label == "Starts at"
        assert block.fields["start_time"].label == "From"  # pgettext: "From" as a time of day
        assert block.fields["weeks"].error_messages["max_value"] == "At most 52 weeks at a time."


@pytest.mark.parametrize(
    ("msgid", "where"),
    [
        ("%(name)s is registered.", "clinic/views.py"),
        ("The note is signed and locked.", "clinic/notes/views.py"),
        ("The plan is now %(status)s.", "clinic/careplans/views.py"),
        ("Released to %(name)s; they get an e-mail with the link.", "clinic/records/views.py"),
        ("Booked %(name)s on %(when)s.", "scheduling/views/appointments.py"),
        ("Saved: %(kind)s for %(name)s, %(dates)s, %(hours)s.", "scheduling/views/blocks.py"),
        ("Choose a patient from the search results.", "scheduling/forms.py"),
        ("Give both the visits per week and the number of weeks.", "clinic/careplans/forms.py"),
    ],
)
def test_staff_words_are_in_the_catalog_from_their_module(msgid, where):
    entries = [e for e in polib.pofile(str(CATALOG)) if e.msgid == msgid]
    assert entries, f"{msgid!r} is not in the catalog: run make messages"
    assert any(path == where for e in entries for path, _line in e.occurrences)
