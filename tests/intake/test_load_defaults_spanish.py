"""`intake_load_defaults --consent-es` (issue 24): the demo's Spanish consent as its own inactive version, marked as
a demo translation the clinic has not approved, once however often it runs, numbered after every other version."""

import io

import pytest
from django.core.management import call_command

from intake import consent_text
from intake.models import ConsentVersion, text_sha256

pytestmark = pytest.mark.django_db


def run(*flags) -> str:
    out = io.StringIO()
    call_command("intake_load_defaults", *flags, stdout=out)
    return out.getvalue()


def test_the_spanish_demo_consent_is_added_inactive_marked_and_only_once():
    said = run("--consent", "--consent-es")
    assert "consent version 1 [en] added (inactive)" in said
    assert "consent version 2 [es] added (inactive)" in said and "not yet approved by the clinic" in said
    assert "the demo Spanish consent text is already loaded" in run("--consent", "--consent-es")
    spanish = ConsentVersion.objects.get(language="es")
    assert (spanish.version, spanish.active, spanish.title) == (2, False, consent_text.ES_TITLE)
    assert spanish.text == consent_text.ES_V2_TEXT and spanish.sha256 == text_sha256(consent_text.ES_V2_TEXT)
    assert spanish.risks == consent_text.ES_RISKS
    assert spanish.translation_note == consent_text.ES_TRANSLATION_NOTE
    assert "demo translation" in spanish.translation_note.lower()
    assert ConsentVersion.objects.count() == 2


def test_without_the_flag_no_spanish_version_is_added():
    run("--consent")
    assert list(ConsentVersion.objects.values_list("language", flat=True)) == ["en"]
    run("--consent-es")
    assert sorted(ConsentVersion.objects.values_list("language", flat=True)) == ["en", "es"]
