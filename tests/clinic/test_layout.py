"""The shape of the code, checked: views are thin and name rules, not roles (docs/architecture.md).

import-linter (make lint) checks which app may import which; these tests check what import-linter cannot:
that no views module builds a query, opens a transaction or spells out roles, and that no template folder
holds a query or a role check.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clinic", "intake", "scheduling")
APP_MODULES = sorted(path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)
VIEW_MODULES = [path for path in APP_MODULES if path.stem.startswith("views") or path.parent.name == "views"]
QUERY_METHODS = {
    "filter",
    "exclude",
    "select_related",
    "prefetch_related",
    "annotate",
    "aggregate",
    "order_by",
    "values",
    "values_list",
    "raw",
    "extra",
    "select_for_update",
    "bulk_create",
    "bulk_update",
}
ROLE_NAMES = {"FRONT_DESK", "PRACTITIONER", "CLINIC_ADMIN", "PATIENT", "STAFF_ROLES"}
ROLE_CHECKS = {"has_role", "role_required", "roles_of"}


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{where}: a query (Model.objects): name it in a selector")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS:
            found.append(f"{where}: a query (.{node.func.attr}()): name it in a selector")
        elif (isinstance(node, ast.Name) and node.id == "transaction") or (
            isinstance(node, ast.Attribute) and node.attr in {"atomic"}
        ):
            found.append(f"{where}: a transaction in a view: let one service do the whole write")
        elif isinstance(node, ast.ImportFrom) and {a.name for a in node.names} & (ROLE_NAMES | ROLE_CHECKS):
            names = sorted({a.name for a in node.names} & (ROLE_NAMES | ROLE_CHECKS))
            found.append(f"{where}: imports {', '.join(names)}: name a rule of clinic.permissions.RULES")
        elif isinstance(node, ast.Name) and node.id in ROLE_NAMES:
            found.append(f"{where}: the role {node.id} in a view: name a rule of clinic.permissions.RULES")
        elif isinstance(node, ast.Name) and node.id in ROLE_CHECKS:
            found.append(f"{where}: {node.id}() in a view: use rule_required(action) or can(user, action)")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and any(
            isinstance(e, ast.Constant) and e.value in {"Front desk", "Practitioner", "Clinic admin"} for e in node.elts
        ):
            found.append(f"{where}: a tuple of roles in a view: name a rule of clinic.permissions.RULES")
    return found


def test_the_walk_finds_the_views_modules():
    names = {str(p.relative_to(ROOT)) for p in VIEW_MODULES}
    assert {
        "clinic/views.py",
        "intake/views.py",
        "clinic/notes/views.py",
        "scheduling/views/appointments.py",
    } <= names
    # A views package: every module of it is walked (scheduling/views/: the front desk's, the patient's, ...).
    package = {str(p.relative_to(ROOT)) for p in (ROOT / "scheduling" / "views").glob("*.py")}
    assert {"scheduling/views/patient.py", "scheduling/views/common.py"} <= package <= names


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_views_module_holds_no_query_transaction_or_role(path):
    problems = _problems(path)
    assert not problems, "\n".join(problems)


def test_the_check_catches_what_it_is_for(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text(
        "from django.db import transaction\n"
        "from clinic.permissions import FRONT_DESK, role_required\n"
        "ROLES = ('Front desk', 'Clinic admin')\n"
        "def v(request):\n"
        "    with transaction.atomic():\n"
        "        return Patient.objects.filter(pk=1).first()\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        text = "\n".join(_problems(bad))
    finally:
        ROOT = saved
    for expected in ("Model.objects", ".filter()", "transaction", "FRONT_DESK", "role_required", "tuple of roles"):
        assert expected in text, expected


def test_no_two_test_files_share_a_name():
    """The test layout mirrors the code: `tests/<app>/test_<module>_<concern>.py`, each name said once."""
    seen: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert len(seen) > 50, "the walk found no test files"
    twice = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not twice, twice


def test_every_get_view_also_answers_head():
    """Uptime monitors and crawlers use HEAD: views take `require_safe`, never `require_GET` alone."""
    offenders, walked = [], set()
    # views.py, views_*.py, and every module of a views package (scheduling/views/).
    for path in sorted({*ROOT.glob("*/**/views*.py"), *ROOT.glob("*/**/views/*.py")}):
        if ".venv" in path.parts:
            continue
        walked.add(str(path.relative_to(ROOT)))
        text = path.read_text()
        if "require_GET" in text or 'require_http_methods(["GET", "POST"])' in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert {"clinic/views.py", "scheduling/views/calendar.py", "scheduling/views/patient.py"} <= walked
    assert not offenders, offenders


# Templates: the same two rules. A template asks `user|can:"action"` (clinic.permissions.RULES), never a role,
# a group or a staff flag, and reads what its view (or a template tag calling a named selector) handed it: no
# manager of its own. Reading a relation with `.all` is a query unless the view's selector prefetched it, so each
# one is listed here with the selector that prefetches it, and the test checks that the selector still does.
# templates/admin/ holds overrides of Django admin's own templates, which check the admin's model permissions.
TEMPLATE_DIRS = sorted(p for p in (ROOT / "templates").iterdir() if p.is_dir() and p.name != "admin")
ROLE_LABELS = "Front desk|Practitioner|Clinic admin|Patient"
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
TEMPLATE_RULES = (
    (re.compile(r"\.objects\b"), "a query (Model.objects): hand the rows in from a selector"),
    (re.compile(r"\w_set\b"), "a reverse manager (..._set): hand the rows in from a selector"),
    (re.compile(r"\buser\.groups\b|\bgroups\.|\bis_superuser\b|\bis_staff\b"), 'a role check: use user|can:"action"'),
    (re.compile(r"\b(has_role|roles_of|role_required)\b"), 'a role check: use user|can:"action"'),
    (
        re.compile(rf"[\"']({ROLE_LABELS})[\"']\s*(in|==|!=)|(in|==|!=)\s*[\"']({ROLE_LABELS})[\"']"),
        'a role named in a template: use user|can:"action"',
    ),
)
PREFETCHED = {
    # `.all` in a template: (template, relation) -> (selector module, the prefetch that serves it)
    ("scheduling/waitlist_list.html", "e.practitioners.all"): ("scheduling/selectors.py", '"practitioners"'),
    ("clinic/_note_content.html", "note.addenda.all"): ("clinic/notes/selectors.py", '"addenda__author"'),
}
RELATION_ALL = re.compile(r"\b[\w.]+\.all\b")


def _template_problems(path: Path, base: Path) -> list[str]:
    name = str(path.relative_to(base))
    found = []
    for match in TEMPLATE_TAG.finditer(path.read_text()):
        tag = match.group(0)
        if tag.startswith(("{% translate", "{% blocktranslate", "{% trans ")):
            continue  # the text a person reads ("Front desk" as a heading) is not a check
        line = path.read_text().count("\n", 0, match.start()) + 1
        for pattern, why in TEMPLATE_RULES:
            if pattern.search(tag):
                found.append(f"{name}:{line}: {why}: {tag[:80]}")
        for relation in RELATION_ALL.findall(tag):
            if (name, relation) not in PREFETCHED:
                found.append(f"{name}:{line}: {relation} reads a relation: prefetch it in the selector and list it")
    return found


def test_the_template_walk_finds_every_app_folder():
    names = {p.name for p in TEMPLATE_DIRS}
    assert {"clinic", "intake", "scheduling", "components", "records", "reports"} <= names


@pytest.mark.parametrize("folder", TEMPLATE_DIRS, ids=lambda p: f"templates/{p.name}")
def test_a_template_folder_holds_no_query_or_role(folder):
    problems = [p for path in sorted(folder.rglob("*.html")) for p in _template_problems(path, ROOT / "templates")]
    assert not problems, "\n".join(problems)


def test_every_listed_relation_is_still_prefetched_and_still_read():
    for (template, relation), (selector, prefetch) in PREFETCHED.items():
        assert relation in (ROOT / "templates" / template).read_text(), f"{template} no longer reads {relation}"
        text = (ROOT / selector).read_text()
        assert f"prefetch_related({prefetch}" in text, f"{selector} no longer prefetches {prefetch}"


def test_the_template_check_catches_what_it_is_for(tmp_path):
    (tmp_path / "bad.html").write_text(
        '{% if "Front desk" in user.roles %}x{% endif %}\n'
        "{% if user.is_superuser %}y{% endif %}\n"
        "{% for a in patient.appointment_set.all %}{{ a }}{% endfor %}\n"
        "{{ Patient.objects.count }}\n"
        "{% for n in patient.notes.all %}{{ n }}{% endfor %}\n"
        '{% translate "Front desk" %}\n'
    )
    text = "\n".join(_template_problems(tmp_path / "bad.html", tmp_path))
    for expected in ("a role named", "role check", "reverse manager", "Model.objects", "patient.notes.all"):
        assert expected in text, expected
    assert "bad.html:6" not in text, "a translated heading is not a role check"


# Imports sit at the top of each module, where a reader and import-linter see them; an import inside a function
# hid the cycle between scheduling's services and tasks. These stay late, each for a reason (docs/decisions.md):
ALLOWED_LATE_IMPORTS = {
    ("clinic/apps.py", "ready", "clinic"),  # signals import the services, which need the app registry ready
    ("clinic/records/pdf.py", "_render", "weasyprint"),  # pulls in Pango: loaded when a PDF is made
    ("clinic/outbox.py", "queues_in_transaction", "django_tasks_db"),  # the deployed tasks backend, if installed
}


def _late_imports(path: Path) -> list[tuple[str, str, str, int]]:
    """(file, function, imported module, line) of every import inside a function of `path`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                walk(child, child.name)
            elif isinstance(child, ast.Import | ast.ImportFrom) and function:
                module = child.module if isinstance(child, ast.ImportFrom) else child.names[0].name
                found.append((str(path.relative_to(ROOT)), function, (module or "").split(".")[0], child.lineno))
            else:
                walk(child, function)

    walk(tree, None)
    return found


def _unexpected_late_imports(paths) -> list[str]:
    return [
        f"{file}:{line}: `{module}` imported inside {function}(): import it at the top of the module"
        for path in paths
        for file, function, module, line in _late_imports(path)
        if (file, function, module) not in ALLOWED_LATE_IMPORTS
    ]


def test_app_code_imports_at_the_top():
    problems = _unexpected_late_imports(APP_MODULES)
    assert not problems, "\n".join(problems)


def test_every_allowed_late_import_is_still_there():
    """An allowance that no longer matches code would let a new late import through unseen: drop it instead."""
    present = {(file, function, module) for path in APP_MODULES for file, function, module, _ in _late_imports(path)}
    assert present >= ALLOWED_LATE_IMPORTS, ALLOWED_LATE_IMPORTS - present


def test_the_late_import_check_catches_one(tmp_path):
    bad = tmp_path / "services.py"
    bad.write_text(
        "import datetime\n"
        "def book():\n"
        "    from scheduling.tasks import send\n"
        "    return send\n"
        "class Thing:\n"
        "    def method(self):\n"
        "        if True:\n"
        "            import json\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        text = "\n".join(_unexpected_late_imports([bad]))
    finally:
        ROOT = saved
    assert "services.py:3: `scheduling` imported inside book()" in text
    assert "services.py:8: `json` imported inside method()" in text
    assert "datetime" not in text
