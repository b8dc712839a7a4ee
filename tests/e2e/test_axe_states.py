"""Issue 25 item 2, the states a crawl does not reach: forms sent back with errors (posted empty, and with wrong
values), the phone menu open, the intake's steps. axe-core with the WCAG 2.2 A/AA and best-practice rules, any
impact, at 390 px and 1280 px."""

from tests.e2e.harness import DESKTOP, PHONE, a11y_state, login
from tests.e2e.test_axe_strict import strict_violations
from tests.intake import factories as intake


def check_both_widths(page, what: str, found: list[str]) -> None:
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        for v in strict_violations(page):
            nodes = "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:3])
            found.append(f"{what} @{label}: {v['id']} ({v['impact']}) at {nodes}")
    page.set_viewport_size(DESKTOP)
    a11y_state(page)["pending"] = None


def submit_empty(page):
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").last.click()


def test_patient_forms_with_errors_and_the_open_menu(page, patient_a, live_server):
    intake.load_questionnaires()
    intake.consent_version()
    found: list[str] = []
    login(page, patient_a.user)
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Show menu").click()
    for v in strict_violations(page):  # at phone width only: a wider window would close the menu
        found.append(f"menu open @390: {v['id']} ({v['impact']})")
    page.set_viewport_size(DESKTOP)
    page.goto("/intake/")
    check_both_widths(page, "intake home", found)
    with page.expect_navigation():
        page.get_by_role("button", name="Start the intake form").click()
    check_both_widths(page, "intake started", found)
    for step in ("about", "visit", "health", "redflags", "outcome"):
        page.goto(f"/intake/step/{step}/")
        check_both_widths(page, f"intake {step}", found)
        submit_empty(page)
        check_both_widths(page, f"intake {step} sent empty", found)
    page.goto("/intake/step/review/")
    check_both_widths(page, "intake review", found)
    page.goto("/intake/consent/")
    a11y_state(page)["pending"] = None
    with page.expect_navigation():  # as without JavaScript: the button waits for the text to be read
        page.evaluate("document.querySelector('main form[method=post]').submit()")
    check_both_widths(page, "consent sent empty", found)
    assert not found, "\n".join(found)


def test_desk_forms_with_errors(page, front_desk, clinic_open, patient_a, live_server):
    found: list[str] = []
    login(page, front_desk)
    for path in (
        "/frontdesk/appointments/new/",
        "/frontdesk/series/new/",
        "/frontdesk/waitlist/new/",
        "/patients/new/",
    ):
        page.goto(path)
        check_both_widths(page, path, found)
        submit_empty(page)
        check_both_widths(page, f"{path} sent empty", found)
    page.goto("/patients/new/")
    a11y_state(page)["pending"] = None
    page.get_by_label("Date of birth").fill("2091-02-30")
    submit_empty(page)
    check_both_widths(page, "/patients/new/ with a wrong date", found)
    assert not found, "\n".join(found)
