"""Issue 25, part 3: the rendered HTML of every crawled page passes the Nu HTML Checker (vnu-jar from npm).

The crawl's pages are saved to a temporary folder and checked in ONE run of the checker (one JVM start).
`make test` installs vnu-jar (`npm ci`, package.json) and .ci/run installs Java; without them this test skips.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.checkers.test_crawl import crawled

VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.django_db
def test_every_crawled_page_is_valid_html(tmp_path):
    if shutil.which("java") is None or not VNU.exists():
        pytest.skip("the Nu HTML Checker needs Java and node_modules/vnu-jar (run `npm ci`; .ci/run installs Java)")
    files: dict[str, str] = {}
    for role, result in crawled().items():
        for n, page in enumerate(p for p in result.pages.values() if p.html.lstrip().lower().startswith("<!doctype")):
            path = tmp_path / f"{role}-{n:03d}.html"
            path.write_text(page.html)
            files[str(path)] = f"{role} {page.url}"
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = sorted(
        {f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: {m.get('message')}" for m in messages}
    )
    print(f"{len(files)} pages checked, {len(messages)} errors")
    (Path(tmp_path) / "errors.txt").write_text("\n".join(errors))
    # Django's admin included (issue 25 part 5): clinic/admin_base.py mends the few widgets of Django's that are
    # not valid HTML (autocomplete boxes, JSON fields' hidden initial copy, list cells, the password summary).
    assert not errors, f"{len(errors)} distinct HTML errors:\n" + "\n".join(errors[:80])
