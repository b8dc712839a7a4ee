"""The consent wording we ship is what patients signed: a change to how intake/consent_text.py is written (issue 19,
shared helpers) must leave every version's text and risks exactly as they were. The hashes below were taken from
the texts as first shipped; a new wording is a new version with its own pin, never a changed one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from intake import consent_text, services
from intake.demo import ENGLISH_VERSIONS

TEXT_SHA256 = {
    "V1_TEXT": "0a3cef4c8a05a08fa42334642ec9d392eb3593c47f34ef35e234eabc4c44db66",
    "V2_TEXT": "8b2571267727e306a60a07d9d03a5e3fd3468b01020b9e91a3f18b167a10a3a0",
    "ES_V2_TEXT": "4ac310d34731b012e8d5dcdea74150c4732c81fca4a5b938b137b6c0bdf431ce",
}
# The risks as the consent page lists them, one box each (codes, labels and their order): JSON as stored.
RISKS_SHA256 = {
    "RISKS": "7a940390be745b95fca48328f99df780a22e52c6f5a4e1768e576fa8e93ae38e",
    "ES_RISKS": "ab92e472d3841d9032352b64b73567c5d70ec22708ff7197efab6a21d712bb9b",
}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("name", sorted(TEXT_SHA256))
def test_each_shipped_text_is_byte_identical(name):
    assert _sha256(getattr(consent_text, name)) == TEXT_SHA256[name]


@pytest.mark.parametrize("name", sorted(RISKS_SHA256))
def test_each_shipped_risk_list_is_unchanged(name):
    assert _sha256(json.dumps(getattr(consent_text, name), ensure_ascii=False)) == RISKS_SHA256[name]


def test_titles_and_the_versions_as_loaded_are_unchanged():
    assert consent_text.TITLE == "Consent to chiropractic assessment and care"
    assert consent_text.ES_TITLE == "Consentimiento para la evaluación y la atención quiropráctica"
    assert consent_text.V2 == {"title": consent_text.TITLE, "text": consent_text.V2_TEXT, "risks": consent_text.RISKS}
    assert consent_text.ES_V2["text"] == consent_text.ES_V2_TEXT
    assert consent_text.ES_V2["risks"] == consent_text.ES_RISKS
    # The demo's two English versions are the pinned texts.
    assert [_sha256(text) for _n, _d, text in ENGLISH_VERSIONS] == [TEXT_SHA256["V1_TEXT"], TEXT_SHA256["V2_TEXT"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("version", "fields"),
    [
        (1, {"title": consent_text.TITLE, "text": consent_text.V1_TEXT, "risks": consent_text.RISKS}),
        (2, consent_text.V2),
        (3, consent_text.ES_V2),
    ],
)
def test_a_version_made_from_the_shipped_text_has_the_pinned_hash(version, fields):
    """The hash a signature is checked against (`ConsentVersion.sha256`) is the pinned one."""
    row = services.consent_version_create(version=version, effective_date=dt.date(2026, 1, 1), **fields)
    assert row.sha256 in TEXT_SHA256.values()
    assert row.text.encode("utf-8") == fields["text"].encode("utf-8")
