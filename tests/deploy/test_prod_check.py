"""`make prod-check`'s modules without the stack: the entry finds its parts, the TOTP codes and the page parser."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from deploy import prod_check_browser, prod_check_stack

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_entry_imports_as_make_runs_it():
    script = "import runpy; runpy.run_path('deploy/prod_check.py', run_name='not_main')"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert callable(importlib.import_module("deploy.prod_check").main)


def test_totp_matches_rfc_6238():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", the RFC's SHA-1 key
    assert prod_check_browser.totp(secret, 59 // 30) == "287082"  # the RFC's 94287082, six digits


def test_page_finds_forms_and_links():
    page = prod_check_browser.Page()
    page.feed(
        '<form action="/x/" method="POST"><input name="login" value="a"><input type="checkbox" name="c">'
        '<button name="go" value="1">Go <b>on</b></button></form><a class="has-times" href="/day/">Mon</a>'
    )
    form = page.form_with("login")
    assert (form.action, form.method, form.fields) == ("/x/", "post", [("login", "a")])
    assert [" ".join(text.split()) for _, _, text in form.buttons] == ["Go on"]
    assert page.link("has-times") == "/day/"


def test_template_values_read_the_environment_template():
    assert prod_check_stack.template_values()["CLINIC_TRUSTED_PROXY_COUNT"] == "1"
