"""Issue 24: `make lint`'s translation check (tools/check_translations.py) covers the staff pages too.

Staff templates must show no unmarked text, like the patient ones; their Spanish may wait (only entries a
patient-facing file uses must be translated). The pages still being changed elsewhere are listed, not checked.
"""

import importlib.util
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def check():
    spec = importlib.util.spec_from_file_location("check_translations", REPO / "tools" / "check_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def site(tmp_path, check, monkeypatch):
    """A small copy of the layout: a patient page, staff pages, a page not checked yet, and a catalog."""
    files = {
        "templates/intake/intake_home.html": '{% load i18n %}<h1>{% translate "Your intake" %}</h1>',
        "templates/scheduling/waitlist_list.html": '{% load i18n %}<h1>{% translate "Waitlist" %}</h1>',
        "templates/reports/index.html": "<h1>Reports</h1>",  # listed below as not marked yet (whole folder)
        "templates/reports/visits/week.html": "<h1>Week of</h1>",  # (under the folder)
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    catalog = tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"
    catalog.parent.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(
        polib.POEntry(
            msgid="Your intake", msgstr="Su admisión", occurrences=[("templates/intake/intake_home.html", "")]
        )
    )
    po.append(polib.POEntry(msgid="Waitlist", msgstr="", occurrences=[("templates/scheduling/waitlist_list.html", "")]))
    po.save(str(catalog))
    po.save_as_mofile(str(catalog.with_suffix(".mo")))
    monkeypatch.setattr(check, "ROOT", tmp_path)
    # Every real template is marked now (the list is empty); the mechanism is still tried on a listed folder.
    monkeypatch.setattr(check, "NOT_YET_MARKED", ("templates/reports/",))
    monkeypatch.setattr(check, "CATALOG", catalog)
    monkeypatch.setattr(check, "COMPILED", catalog.with_suffix(".mo"))
    return tmp_path


def test_a_marked_staff_page_may_stay_english(check, site):
    assert check.problems() == []


def test_unmarked_text_on_a_staff_page_fails(check, site):
    (site / "templates/scheduling/waitlist_list.html").write_text(
        '{% load i18n %}<h1>{% translate "Waitlist" %}</h1>'
        '<button aria-label="Remove entry">x</button><p>Nobody waits.</p>'
    )
    found = check.problems()
    assert len(found) == 1
    assert found[0].startswith("templates/scheduling/waitlist_list.html: text not marked for translation")
    assert "Remove entry" in found[0] and "Nobody waits" in found[0]


def test_a_new_staff_template_is_checked_without_being_listed(check, site):
    (site / "templates/clinic").mkdir()
    (site / "templates/clinic/new_page.html").write_text("<p>Written in English only</p>")
    assert [p.split(":")[0] for p in check.problems()] == ["templates/clinic/new_page.html"]


def test_pages_not_marked_yet_are_listed_and_skipped(check, site):
    checked = {p.relative_to(site).as_posix() for p in check._staff_templates()}
    assert checked == {"templates/scheduling/waitlist_list.html"}


def test_an_untranslated_patient_entry_still_fails(check, site):
    po = polib.pofile(str(check.CATALOG))
    po.find("Your intake").msgstr = ""
    po.save(str(check.CATALOG))
    po.save_as_mofile(str(check.COMPILED))
    found = check.problems()
    assert len(found) == 1 and "not translated for patients" in found[0] and "Your intake" in found[0]


def test_a_patient_plural_entry_needs_every_form_the_language_has(check, site):
    """Django's Spanish has three plural forms (one, millions, other): with two, "3 things to fix" showed English."""
    po = polib.pofile(str(check.CATALOG))
    po.metadata["Plural-Forms"] = "nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
    entry = polib.POEntry(
        msgid="One thing to fix",
        msgid_plural="%(counter)s things to fix",
        msgstr_plural={0: "Una cosa", 1: "%(counter)s cosas"},
        occurrences=[("templates/intake/intake_home.html", "")],
    )
    po.append(entry)
    po.save(str(check.CATALOG))
    po.save_as_mofile(str(check.COMPILED))
    found = check.problems()
    assert len(found) == 1 and "not translated for patients" in found[0] and "One thing to fix" in found[0]
    entry.msgstr_plural[2] = "%(counter)s cosas"
    po.save(str(check.CATALOG))
    po.save_as_mofile(str(check.COMPILED))
    assert check.problems() == []


def test_management_commands_are_never_patient_facing(check, site):
    """Their help and errors are for whoever runs them on the server, even under a patient folder (intake/)."""
    po = polib.pofile(str(check.CATALOG))
    po.append(
        polib.POEntry(
            msgid="also add the default consent text (inactive)",
            msgstr="",
            occurrences=[("intake/management/commands/intake_load_defaults.py", "")],
        )
    )
    po.save(str(check.CATALOG))
    po.save_as_mofile(str(check.COMPILED))
    assert check.problems() == []


def test_the_real_staff_pages_are_covered(check):
    checked = {p.relative_to(REPO).as_posix() for p in check._staff_templates()}
    for name in (
        "templates/scheduling/appointment_detail.html",
        "templates/clinic/patient_chart.html",
        "templates/clinic/note_edit.html",
        "templates/clinic/careplans/recall_list.html",
        "templates/scheduling/frontdesk_home.html",
        "templates/scheduling/_calendar.html",
        "templates/scheduling/week_all.html",
        "templates/records/record_requests.html",
        "templates/intake/intake_status_list.html",
        "templates/components/patient_picker.html",
    ):
        assert name in checked
    assert any(name.startswith("templates/reports/") for name in checked)
    assert check.NOT_YET_MARKED == ()
    # The pages a patient reads are checked as patient pages (marked, and their Spanish required).
    patient = {p.relative_to(REPO).as_posix() for p in check._patient_templates()}
    for name in (
        "templates/clinic/careplans/detail.html",
        "templates/clinic/careplans/recall_opt_out.html",
        "templates/records/record.html",
    ):
        assert name in patient and name not in checked
    assert check.problems() == []
