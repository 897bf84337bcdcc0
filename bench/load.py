"""The load test (`make bench-load`): issue 16's bounded load. The portal served by gunicorn with debug off on the
PostgreSQL database DATABASE_URL names, at full volume, and locust, headless, sending it 50 concurrent users for
60 s: public readers, focal points saving Form B of their own State's report as the editor's autosave does, and
ISU reviewers (bench/locustfile.py). Prints, per page, the requests, the failures, p50 and p95; exits 1 if any
request failed (a status outside 2xx/3xx, a save that did not save), with gunicorn's log.

    createdb -h 127.0.0.1 -U postgres ccm_volume
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ccm_volume make bench-load          # builds the volume first
    DATABASE_URL=… BENCH_ARGS="--no-build --users 20 --run-time 30s" make bench-load

It reuses bench/http.py's steps (volume, static files, sessions, gunicorn). Traffic goes to 127.0.0.1 only, for
the time asked and no longer. Each simulated focal point edits its own State's report (the latest draft, or a
correction opened from the latest published report), so no two of them save the same one. Every simulated user
comes from 127.0.0.1, so the API's limit per address (CCM_RATE_LIMIT_API) is lifted for the run; 50 real
readers come from 50 addresses.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.http import FIRST_PUBLIC_VERSION, ROOT, environment, free_port, manage, prepare, serve, signed_in

LONGEST_RUN = 15 * 60  # seconds: a load test stops by itself

# For each focal point's State: its latest annual report still in draft, else a correction of its latest published
# one (reporting.services.start_correction, as the "Correct this report" button does). Then what the simulated
# readers and reviewers open: States, published versions, the reports awaiting review.
_PLAN = """
import json
from django.contrib.auth.models import AnonymousUser
from accounts.models import User
from parties.models import State
from reporting import services
from reporting.access import readable_versions
from reporting.models import Report, ReportKind, ReportStatus
reports = {{}}
for email in {emails!r}:
    user = User.objects.select_related("state").get(email=email)
    annual = Report.objects.filter(state=user.state, kind=ReportKind.ANNUAL).order_by("-period_year")
    report = annual.filter(status=ReportStatus.DRAFT).first()
    if report is None:
        report = services.start_correction(report=annual.filter(status=ReportStatus.PUBLISHED).first(), actor=user)
    reports[email] = report.pk
versions = readable_versions(AnonymousUser()).select_related("report__state").defer("content")
versions = versions.order_by("-published_at")[:200:10]
print(json.dumps({{
    "reports": reports,
    "states": sorted(set(Report.objects.values_list("state__iso3", flat=True))),
    "versions": [f"/reports/{{v.report.state.iso3}}/{{v.report.period_slug}}/v{{v.number}}/" for v in versions],
    "in_review": list(Report.objects.filter(status=ReportStatus.SUBMITTED).values_list("pk", flat=True)[:40]),
}}))
"""

ARCHIVE_FILTERS = [
    {},
    {"form": "B"},
    {"form": "B", "changed": "on"},
    {"period": "2020"},
    {"period": "2024", "nil": "no"},
    {"state": "LAO"},
    {"form": "F", "period": "2018"},
]
AS_OF = ["2014-06-30", "2018-06-30", "2021-12-31", "2024-04-30"]


def main() -> int:
    args, volume = _arguments()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench-load measures PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    env = environment()
    env["CCM_RATE_LIMIT_API"] = "1000000/m/ip"  # every simulated user is 127.0.0.1 (module docstring)
    prepare(env, build=not args.no_build, volume=volume)
    signed = signed_in(env, focal_points=args.focal_points, isu=args.reviewers)
    with tempfile.TemporaryDirectory(prefix="ccm-bench-load-") as scratch:
        plan = Path(scratch, "plan.json")
        plan.write_text(json.dumps(_plan(env, signed)), encoding="utf-8")
        logs = {name: Path(scratch, f"{name}.log") for name in ("gunicorn", "locust")}
        port = free_port()
        load = [os.getloadavg()[0]]
        with logs["gunicorn"].open("w", encoding="utf-8") as log:
            server = serve(env, port, args.workers, log=log)
            try:
                code = _locust(args, port, plan, Path(scratch, "stats"), logs["locust"])
            finally:
                server.terminate()
                server.wait(timeout=30)
        load.append(os.getloadavg()[0])
        rows, failures = _read(Path(scratch, "stats"))
        _print(args, rows, failures, load)
        failed = sum(row["failures"] for row in rows if row["name"] == "Aggregated")
        if failed or code != 0 or not rows:
            print(f"\n{failed} failed requests; locust exited {code}.")
            for name, path in logs.items():
                print(f"\n{name}'s log (the end):\n{path.read_text(encoding='utf-8')[-20000:] or '(empty)'}")
            return 1
    return 0


def _arguments() -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--run-time", default="60s", help="how long the load lasts: 60s, 2m (at most 15 minutes)")
    parser.add_argument("--focal-points", type=int, default=10, help="of the users: focal points, one per State")
    parser.add_argument("--reviewers", type=int, default=5, help="of the users: ISU reviewers")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--host", default="127.0.0.1", help="where gunicorn listens and locust sends: 127.0.0.1 only")
    parser.add_argument("--no-build", action="store_true", help="load the database as it is")
    args, volume = parser.parse_known_args()  # the rest is for build_volume, e.g. --states 10 --years 2
    if args.host != "127.0.0.1":
        parser.error(f"--host {args.host}: the load goes to the portal served here on 127.0.0.1, nowhere else")
    args.seconds = _seconds(parser, args.run_time)
    if not 0 < args.focal_points + args.reviewers <= args.users:
        parser.error("--users must cover --focal-points and --reviewers, with at least one user")
    return args, volume


def _seconds(parser: argparse.ArgumentParser, text: str) -> int:
    units = {"s": 1, "m": 60}
    try:
        seconds = int(text[:-1]) * units[text[-1]] if text[-1:] in units else int(text)
    except ValueError:
        parser.error(f"--run-time {text}: say 60s or 2m")
    if not 0 < seconds <= LONGEST_RUN:
        parser.error(f"--run-time {text}: between 1 s and {LONGEST_RUN // 60} minutes")
    return seconds


def _plan(env: dict[str, str], signed: dict[str, list[dict[str, str]]]) -> dict:
    focal_points = signed["focal point"]
    script = _PLAN.format(emails=[fp["email"] for fp in focal_points])
    found = json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])
    first = manage(env, "shell", "-c", FIRST_PUBLIC_VERSION, capture=True).strip().splitlines()[-1]
    return {
        "focal_points": [{**fp, "report": found["reports"][fp["email"]]} for fp in focal_points],
        "isu": signed["isu"],
        "states": found["states"],
        "versions": [first, *(v for v in found["versions"] if v != first)],
        "in_review": found["in_review"],
        "archive_filters": ARCHIVE_FILTERS,
        "as_of": AS_OF,
    }


def _locust(args: argparse.Namespace, port: int, plan: Path, stats: Path, log: Path) -> int:
    """locust, headless, for the time asked; its figures to ``stats``_*.csv, what it prints to ``log``."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "--locustfile",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://{args.host}:{port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(stats),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    print(f"  locust: {args.users} users ({args.focal_points} focal points, {args.reviewers} ISU reviewers, the rest")
    print(f"  public readers), {args.spawn_rate:g} started a second, {args.seconds} s, gunicorn {args.workers} workers")
    env = {**os.environ, "CCM_LOAD_PLAN": str(plan), "PYTHONPATH": str(ROOT)}
    with log.open("w", encoding="utf-8") as output:
        # locust from the venv, arguments from this file
        done = subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    return done.returncode


def _read(stats: Path) -> tuple[list[dict], list[dict]]:
    rows, failures = [], []
    if Path(f"{stats}_stats.csv").exists():
        with open(f"{stats}_stats.csv", encoding="utf-8") as stream:
            for row in csv.DictReader(stream):
                rows.append(
                    {
                        "name": row["Name"],
                        "method": row["Type"],
                        "requests": int(row["Request Count"]),
                        "failures": int(row["Failure Count"]),
                        "p50": row["50%"],
                        "p95": row["95%"],
                        "max": row["Max Response Time"],
                        "rps": float(row["Requests/s"]),
                    }
                )
    if Path(f"{stats}_failures.csv").exists():
        with open(f"{stats}_failures.csv", encoding="utf-8") as stream:
            failures = list(csv.DictReader(stream))
    return rows, failures


def _print(args: argparse.Namespace, rows: list[dict], failures: list[dict], load: list[float]) -> None:
    print(
        f"\n{args.users} users for {args.seconds} s, gunicorn with {args.workers} workers (locust's figures; the"
        f" machine's load average {load[0]:.1f} before, {load[1]:.1f} after, on {os.cpu_count()} CPUs)\n"
    )
    print("| page | requests | failures | p50 ms | p95 ms | max ms | req/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        name = "**all**" if row["name"] == "Aggregated" else f"{row['name']} ({row['method']})"
        print(
            f"| {name} | {row['requests']} | {row['failures']} | {row['p50']} | {row['p95']} | "
            f"{float(row['max']):.0f} | {row['rps']:.1f} |"
        )
    for failure in failures:
        print(f"  failed {failure['Occurrences']}×: {failure['Method']} {failure['Name']}: {failure['Error']}")


if __name__ == "__main__":
    sys.exit(main())
