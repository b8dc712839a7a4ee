"""`make bench`: print figures for availability, the day view, the booking race, throughput, the clinic-day
load test and the peer.

    .venv/bin/python benchmarks/run.py [--quick] [--skip-peer] [--skip-http] [--skip-load]

Always on SQLite (a fresh file under benchmarks/.tmp/); also on PostgreSQL when DATABASE_URL is a PostgreSQL
URL (a fresh database named after it with the suffix `_benchrun`, dropped and created by this script).
Figures are printed next to the issue's targets and never fail anything. The latest run is also written to
benchmarks/results/latest.json (git-ignored). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TMP = HERE / ".tmp"
RESULTS = HERE / "results"
PEER_DIR = HERE / ".peer"
PEER_PACKAGE = "django-appointment==3.12.0"
PY = sys.executable


def banner(text: str) -> None:
    print(f"\n== {text} ==", flush=True)


def child_env(database_url: str) -> dict:
    """Production-like settings for our code: DEBUG off, a real secret key, plain HTTP on 127.0.0.1."""
    env = os.environ.copy()
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        PYTHONPATH=str(ROOT),
    )
    return env


def run_child(cmd: list[str], env: dict, timeout: float, label: str) -> dict | None:
    out = TMP / f"{label}.json"
    out.unlink(missing_ok=True)
    env = {**env, "BENCH_LABEL": label}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([*cmd, "--out", str(out)], cwd=ROOT, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  {label}: stopped after {timeout:.0f} s (time limit)", flush=True)
        return None
    if proc.returncode != 0 or not out.exists():
        print(f"  {label}: failed (exit {proc.returncode}); see the output above", flush=True)
        return None
    print(f"  {label}: done in {time.perf_counter() - t0:.0f} s", flush=True)
    return json.loads(out.read_text())


def fresh_sqlite(name: str = "bench") -> str:
    path = TMP / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(url: str, suffix: str = "benchrun") -> str:
    """Drop and create `<name>_<suffix>` on the server of `url`; returns its URL."""
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'clinic'}_{suffix}"
    admin = urlunparse(parsed._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def ensure_peer() -> tuple[Path | None, str]:
    venv = PEER_DIR / "venv"
    python = venv / "bin" / "python"
    try:
        if not python.exists():
            print(f"  creating {venv.relative_to(ROOT)} and installing {PEER_PACKAGE} from PyPI", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        check = subprocess.run([str(python), "-c", "import appointment"], capture_output=True, timeout=60)
        if check.returncode != 0:
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", PEER_PACKAGE],
                check=True,
                timeout=600,
                stdout=subprocess.DEVNULL,
            )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"could not install {PEER_PACKAGE}: {exc}"
    return python, ""


def _start_server(cmd: list[str], env: dict, ready_within: float) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.strip() == "ready":
            return proc
    proc.kill()
    raise RuntimeError(f"{cmd[1]} did not get ready")


def _ask(proc: subprocess.Popen, days: int) -> tuple[float, int]:
    proc.stdin.write(f"{days}\n")
    proc.stdin.flush()
    for _ in range(100):  # skip any stray line (a library's warning); bounded
        parts = proc.stdout.readline().split()
        if len(parts) == 2:
            return float(parts[0]), int(parts[1])
    raise RuntimeError("no answer")


def paired(ours_cmd, ours_env, peer_cmd, peer_env, runs: int, limit_s: float = 120) -> list[dict]:
    """Alternate one of our calls with one of theirs, `runs` times per case, so both see the same machine load;
    the ratio is the median of the per-pair ratios."""
    import statistics

    ours = _start_server(ours_cmd, ours_env, 120)
    theirs = _start_server(peer_cmd, peer_env, 300)
    rows = []
    deadline = time.monotonic() + limit_s
    try:
        for label, days in (("1 practitioner x 1 day", 1), ("1 practitioner x 30 days", 30)):
            ours_ms, theirs_ms, ratios = [], [], []
            ours_slots = theirs_slots = 0
            _ask(ours, days)  # one warm-up call each
            _ask(theirs, days)
            for _ in range(runs):
                if time.monotonic() > deadline:
                    break
                o, ours_slots = _ask(ours, days)
                t, theirs_slots = _ask(theirs, days)
                ours_ms.append(o)
                theirs_ms.append(t)
                ratios.append(o / t)
            rows.append(
                {
                    "case": label,
                    "pairs": len(ratios),
                    "ours_median_ms": round(statistics.median(ours_ms), 2),
                    "theirs_median_ms": round(statistics.median(theirs_ms), 2),
                    "median_ratio": round(statistics.median(ratios), 3),
                    "ours_slots": ours_slots,
                    "theirs_slots": theirs_slots,
                }
            )
    finally:
        for proc in (ours, theirs):
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return rows


def machine() -> dict:
    def cmd(args: list[str]) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "unknown"

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": cmd(["nproc"]),
        "memory": next((line for line in cmd(["free", "-h"]).splitlines() if line.startswith("Mem:")), "unknown"),
        "python": platform.python_version(),
        "postgresql": cmd(["psql", "--version"]) if shutil.which("psql") else "psql not found",
        "wrk": "present" if shutil.which("wrk") else "absent (Python client used)",
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- Report ----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def report(results: dict) -> str:
    lines: list[str] = []
    add = lines.append
    m = results["machine"]
    add(f"Machine: {m['nproc']} CPUs; {m['memory']}; Python {m['python']}; {m['postgresql']}; wrk {m['wrk']}")
    add(
        f"Run: {m['date']}{' (--quick)' if results['quick'] else ''}; "
        f"load average at start {m['load_average_at_start']}"
    )
    for backend in ("sqlite", "postgresql"):
        ours = results.get(backend)
        if not ours:
            continue
        add("")
        add(f"### {backend}: {ours['seed']['appointments']} appointments seeded from {ours['first_day']}")
        add("")
        add("Availability (free starts of the 30-minute type)")
        add("| case | median ms | p95 ms | queries | free starts | of which loading (median ms, rows) |")
        add("| --- | ---: | ---: | ---: | ---: | ---: |")
        for row in ours["availability"]:
            add(
                f"| {row['case']} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} | {row['slots']} "
                f"| {row.get('load_schedule_median_ms', '?')} ms, {row.get('busy_rows_loaded', '?')} rows |"
            )
        rows = {r["case"]: r for r in ours["availability"]}
        main = rows["any of 10 x 30 days"]
        flat = len({r["queries"] for r in ours["availability"]}) == 1
        add(
            f"Target: 10 x 30 days <= 12 ms median -> {main['median_ms']} ms, {verdict(main['median_ms'] <= 12)}; "
            f"query count independent of the range -> {sorted({r['queries'] for r in ours['availability']})}, "
            f"{verdict(flat)}"
        )
        add("")
        add("Front-desk day view (GET /frontdesk/?date=..., Django test client, logged-in front desk)")
        add("| case | median ms | p95 ms | queries | page bytes |")
        add("| --- | ---: | ---: | ---: | ---: |")
        for row in ours["day_view"]:
            add(f"| {row['case']} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} | {row['bytes']} |")
        worst = max(r.get("reads", r["queries"]) for r in ours["day_view"])
        add(
            f"Target: at most 10 reads whatever the number of appointments (queries above: the reads and the audit "
            f"row) -> {worst}, {verdict(worst <= 10)}"
        )
        busy = ours["day_view"][-1]
        kb, p95 = round(busy["bytes"] / 1000, 1), busy["p95_ms"]
        add(
            f"Target (issue 15): the 10 x 40 page <= 120 KB -> {kb} KB, {verdict(kb <= 120)}; "
            f"p95 <= 40 ms -> {p95} ms, {verdict(p95 <= 40)}"
        )
    http = results.get("http")
    add("")
    add("### Booking race and throughput (gunicorn, 4 sync workers, PostgreSQL, 127.0.0.1)")
    if not http:
        add(results.get("http_skipped", "not run"))
    else:
        r = http["race"]
        add(
            f"Race: {r['clients']} clients book {r['slot']} with one practitioner at once -> {r['booked']} booked, "
            f"{r['refused']} refused cleanly, {r['server_errors']} server errors, other {r['other'] or 'none'}, "
            f"{r['rows_in_database']} row in the database, {r['seconds']} s in all"
        )
        ok = r["booked"] == 1 and r["server_errors"] == 0 and r["rows_in_database"] == 1
        add(f"Target: exactly 1 booking, 0 server errors -> {verdict(ok)}")
        rr = http["room_race"]
        add(
            f"Room race: {rr['rounds']} rounds of {rr['clients_per_round']} clients booking different practitioners "
            f"of one location at the same time, any free room ({rr['rooms_at_location']} rooms there, all free) -> "
            f"{rr['booked']} booked, {rr['refused']} refused, {rr['server_errors']} server errors, other "
            f"{rr['other'] or 'none'} (all {rr['rounds'] * rr['clients_per_round']} should be booked)"
        )
        b = http["bulk"]
        add(
            f"Bulk: {b['sent']} of {b['planned']} bookings sent by {b['concurrency']} clients over free slots -> "
            f"{b['booked']} booked, {b['refused']} refused, {b['server_errors']} server errors, other "
            f"{b['other'] or 'none'}, {b['seconds']} s: {b['bookings_per_second']} bookings per second"
            + (" (stopped by the time limit)" if b["stopped_by_time_limit"] else "")
        )
        for key, note in (
            ("throughput", "CONN_MAX_AGE default (0)"),
            ("throughput_conn_max_age_60", "CONN_MAX_AGE=60"),
        ):
            for name, row in http.get(key, {}).items():
                extra = f", {row['socket_errors']}" if row.get("socket_errors") else ""
                add(
                    f"Throughput {name}, {note}: {row['requests_per_second']} requests/s ({row['tool']}, "
                    f"{row['connections']} connections, {row['non_2xx']} non-2xx{extra})"
                )
    add("")
    add("### Clinic day (locust, 50 users; gunicorn 4 workers, DEBUG=0, CONN_MAX_AGE=60, PostgreSQL, task worker)")
    days = results.get("clinic_day")
    if not days:
        add(results.get("load_skipped", "not run"))
    for size, day in (days or {}).items():
        add("")
        if not day:
            add(f"{size}: did not run (see its output above)")
            continue
        add(
            f"{size} size, {day['seconds']} s, users {day['users']}; load average before "
            f"{' '.join(map(str, day['load_average_before']))}, after {' '.join(map(str, day['load_average_after']))}"
        )
        pages = sorted(day["pages"], key=lambda r: (r["login"], r["page"]))
        for title, login in (
            ("Pages", False),
            ("Logins, apart (Argon2 is slow on purpose; not held to the target)", True),
        ):
            add(f"{title}:")
            add("")
            add("| page | requests | median ms | p95 ms | p99 ms | requests/s | failures |")
            add("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for r in (r for r in pages if r["login"] == login):
                add(
                    f"| {r['page']} | {r['requests']} | {r['median_ms']:g} | {r['p95_ms']:g} | {r['p99_ms']:g} "
                    f"| {r['requests_per_second']} | {r['failures']} |"
                )
        total = day.get("total") or {}
        if total:
            add(
                f"All requests: {total['requests']}, {total['requests_per_second']} requests/s, "
                f"{total['failures']} failures"
            )
        worst = max((r for r in pages if not r["login"]), key=lambda r: r["p95_ms"], default=None)
        failures = sum(r["failures"] for r in pages)
        server = day["server"]
        add(
            f"Targets: p95 <= 100 ms per page (logins apart) -> worst {worst['page'] if worst else '-'} "
            f"{worst['p95_ms'] if worst else 0:g} ms, {verdict(worst is None or worst['p95_ms'] <= 100)}; "
            f"0 errors -> {failures}, {verdict(failures == 0)}; 0 server errors in the log -> "
            f"{server['responses_5xx']} 5xx, {server['tracebacks']} tracebacks, "
            f"{verdict(server['responses_5xx'] == 0 and server['tracebacks'] == 0)}"
        )
        for f in day.get("failures", [])[:10]:
            add(f"- {f['count']} x {f['page']}: {f['error']}")
    add("")
    add("### Peer: django-appointment, SQLite, one staff member (same scenario)")
    peer = results.get("peer")
    ours = results.get("sqlite")
    if not peer:
        add(results.get("peer_skipped", "not run"))
    elif ours:
        add(f"{peer['package']} {peer['version']} on Django {peer['django']}")
        add(
            "| case | ours median ms | theirs median ms | ours/theirs (median) | ours/theirs (fastest run) "
            "| ours queries | theirs queries | free starts: ours (ours without the room check) / theirs |"
        )
        add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        rows = {r["case"]: r for r in ours["availability"]}
        faster = True
        for theirs in peer["cases"]:
            o = rows[theirs["case"]]
            ratio = o["median_ms"] / theirs["median_ms"] if theirs["median_ms"] else float("nan")
            best = o["min_ms"] / theirs["min_ms"] if theirs.get("min_ms") else float("nan")
            faster = faster and ratio < 1
            add(
                f"| {theirs['case']} | {o['median_ms']} | {theirs['median_ms']} | {ratio:.2f} | {best:.2f} "
                f"| {o['queries']} | "
                f"{theirs['queries']} | {o['slots']} ({o.get('slots_ignoring_rooms', '?')}) / {theirs['slots']} |"
            )
        pairs = results.get("peer_paired")
        if pairs:
            add("")
            add("Alternating calls (ours, theirs, ours, ...: the same machine load for both; the fairer ratio)")
            add(
                "| case | pairs | ours median ms | theirs median ms | median of ours/theirs "
                "| free starts ours / theirs |"
            )
            add("| --- | ---: | ---: | ---: | ---: | ---: |")
            faster = True
            for p in pairs:
                faster = faster and p["median_ratio"] < 1
                add(
                    f"| {p['case']} | {p['pairs']} | {p['ours_median_ms']} | {p['theirs_median_ms']} "
                    f"| {p['median_ratio']} | {p['ours_slots']} / {p['theirs_slots']} |"
                )
        add(f"Target: ours faster on every shared scenario -> {verdict(faster)}")
    add("")
    add(issue_table(results))
    return "\n".join(lines)


def issue_table(results: dict) -> str:
    """The figures of issue 14 in one table, each with its target."""

    def availability(backend: str, case: str):
        rows = {r["case"]: r for r in (results.get(backend) or {}).get("availability", [])}
        return rows[case]["median_ms"] if case in rows else None

    def cell(value, unit: str = " ms") -> str:
        return "-" if value is None else f"{value:g}{unit}"

    lines = [
        "### Issue 14: the figures and their targets",
        "",
        "| figure | SQLite | PostgreSQL | target | met |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for case, target in (
        ("any of 10 x 30 days", 12),
        ("1 practitioner x 1 day", 2),
        ("any of 10 x 60 days", 25),
    ):
        sqlite, pg = availability("sqlite", case), availability("postgresql", case)
        met = [v <= target for v in (sqlite, pg) if v is not None]
        lines.append(
            f"| availability, {case}, median | {cell(sqlite)} | {cell(pg)} | <= {target} ms on both "
            f"| {'yes' if met and all(met) else 'no'} |"
        )
    ratios = []
    for backend in ("sqlite", "postgresql"):
        thirty, sixty = availability(backend, "any of 10 x 30 days"), availability(backend, "any of 10 x 60 days")
        ratios.append(round(sixty / thirty, 2) if thirty and sixty else None)
    grows = [r < 2 for r in ratios if r is not None]
    lines.append(
        f"| availability, 10 x 60 days / 10 x 30 days (twice the rows) | {cell(ratios[0], '')} | {cell(ratios[1], '')} "
        f"| < 2 (less than linear) | {'yes' if grows and all(grows) else 'no'} |"
    )
    bulk = (results.get("http") or {}).get("bulk")
    rate = bulk["bookings_per_second"] if bulk else None
    lines.append(
        f"| bulk bookings, 16 clients, gunicorn 4 workers | | {cell(rate, ' bookings/s')} | >= 100 bookings/s "
        f"| {'yes' if rate and rate >= 100 else 'no'} |"
    )
    pairs = {p["case"]: p for p in results.get("peer_paired") or []}
    ratio = pairs.get("1 practitioner x 30 days", {}).get("median_ratio")
    lines.append(
        f"| peer, 1 practitioner x 30 days (alternating), ours / theirs | {cell(ratio, '')} | | <= 0.01 "
        f"| {'yes' if ratio is not None and ratio <= 0.01 else 'no'} |"
    )
    for size, day in (results.get("clinic_day") or {}).items():
        if not day:
            continue
        pages = [r for r in day["pages"] if not r["login"]]
        worst = max((r["p95_ms"] for r in pages), default=0)
        logins = max((r["p95_ms"] for r in day["pages"] if r["login"]), default=0)
        errors = sum(r["failures"] for r in day["pages"])
        server = day["server"]["responses_5xx"] + day["server"]["tracebacks"]
        lines.append(
            f"| clinic day at the {size} size: worst p95 of a page (logins {logins:g} ms) | | {worst:g} ms "
            f"| <= 100 ms | {'yes' if worst <= 100 else 'no'} |"
        )
        lines.append(
            f"| clinic day at the {size} size: errors, server errors | | {errors}, {server} | 0, 0 "
            f"| {'yes' if errors == 0 and server == 0 else 'no'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs, 50 racers, 300 bookings, 2 s throughput")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--skip-http", action="store_true", help="no gunicorn race and throughput")
    parser.add_argument("--skip-load", action="store_true", help="no clinic-day load test (locust)")
    args = parser.parse_args()
    TMP.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    runs = 5 if args.quick else 20
    started = time.perf_counter()
    results: dict = {"quick": args.quick, "machine": machine()}

    banner("SQLite")
    sqlite_env = child_env(fresh_sqlite())
    results["sqlite"] = run_child([PY, str(HERE / "ours.py"), "inproc", "--runs", str(runs)], sqlite_env, 300, "sqlite")

    banner("Practice reports (a year of 10 practitioners), SQLite")
    results["reports_sqlite"] = run_child(
        [PY, str(HERE / "reports.py"), "--runs", "3" if args.quick else "5"],
        child_env(fresh_sqlite("reports")),
        600,
        "reports",
    )

    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        banner("Practice reports (a year of 10 practitioners), PostgreSQL")
        results["reports_postgresql"] = run_child(
            [PY, str(HERE / "reports.py"), "--runs", "3" if args.quick else "5"],
            child_env(fresh_postgres(database_url, "reportsrun")),
            600,
            "reports-pg",
        )
        banner("PostgreSQL")
        pg_env = child_env(fresh_postgres(database_url))
        results["postgresql"] = run_child(
            [PY, str(HERE / "ours.py"), "inproc", "--runs", str(runs)], pg_env, 300, "postgresql"
        )
        if args.skip_http:
            results["http_skipped"] = "Skipped: --skip-http."
        elif results["postgresql"] is None:
            results["http_skipped"] = "Skipped: the PostgreSQL scenario could not be seeded."
        else:
            banner("gunicorn: booking race, bulk bookings, throughput")
            http_args = ["--clients", "50", "--bookings", "300", "--seconds", "2"] if args.quick else []
            results["http"] = run_child(
                [PY, str(HERE / "http_bench.py"), "--bulk-limit", "90" if args.quick else "150", *http_args],
                pg_env,
                420,
                "http",
            )
        if args.skip_load:
            results["load_skipped"] = "Skipped: --skip-load."
        else:
            seconds = 120 if args.quick else 600
            results["clinic_day"] = {}
            for size in ("demo", "bench"):
                banner(f"Clinic day at the {size} size: locust, 50 users, {seconds} s")
                env = child_env(fresh_postgres(database_url, f"clinicday_{size}"))
                results["clinic_day"][size] = run_child(
                    [PY, str(HERE / "clinic_day.py"), "--size", size, "--seconds", str(seconds)],
                    env,
                    seconds + 600,
                    f"clinic-day-{size}",
                )
    else:
        reason = "Skipped: DATABASE_URL is not a PostgreSQL URL (the race needs PostgreSQL's exclusion constraints)."
        results["http_skipped"] = reason
        results["load_skipped"] = "Skipped: the clinic-day load test runs on PostgreSQL (set DATABASE_URL)."
        print(f"\n{reason}", flush=True)

    if args.skip_peer:
        results["peer_skipped"] = "Skipped: --skip-peer."
    elif results.get("sqlite") is None:
        results["peer_skipped"] = "Skipped: our SQLite figures are missing, nothing to compare."
    else:
        banner(f"Peer: {PEER_PACKAGE}")
        python, why = ensure_peer()
        if python is None:
            results["peer_skipped"] = f"Peer not run: {why}"
            print(f"  {why}", flush=True)
        else:
            db = TMP / "peer.sqlite3"
            db.unlink(missing_ok=True)
            env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}}
            peer_cmd = [
                str(python),
                str(HERE / "peer.py"),
                "--db",
                str(db),
                "--first-day",
                results["sqlite"]["first_day"],
                "--measure-day",
                results["sqlite"]["measure_day"],
                "--runs",
                str(runs),
            ]
            results["peer"] = run_child(peer_cmd, env, 300, "peer")
            if results["peer"] is None:
                results["peer_skipped"] = "Peer could not run: see its output above."
            else:
                print("  alternating our calls with the peer's (same SQLite, same moment)", flush=True)
                db.unlink(missing_ok=True)
                try:
                    results["peer_paired"] = paired(
                        [PY, str(HERE / "ours.py"), "serve", "--measure-day", results["sqlite"]["measure_day"]],
                        sqlite_env,
                        [*peer_cmd, "--runs", "1", "--serve", "--out", str(TMP / "peer-serve.json")],
                        env,
                        runs,
                    )
                except (RuntimeError, OSError, ValueError) as exc:
                    print(f"  paired runs failed: {exc}", flush=True)

    results["seconds"] = round(time.perf_counter() - started, 1)
    text = report(results) + f"\n\nWhole run: {results['seconds']} s"
    banner("Figures")
    print(text, flush=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "latest.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
