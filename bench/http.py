"""The HTTP benchmark (`make bench-http`): the portal served by gunicorn with debug off, on the PostgreSQL database
DATABASE_URL names, each page timed beside the floor (`/healthz`, one query) on the same server, interleaved, so
both see the same machine. Prints p50 and p95 of each page and its p50 as a multiple of the floor's, with the
issue's target where it sets one (reported, not gated).

    createdb -h 127.0.0.1 -U postgres ccm_volume
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ccm_volume make bench-http          # builds the volume first
    DATABASE_URL=… BENCH_ARGS="--no-build --rounds 50" make bench-http                   # on what is there

The volume is `manage.py build_volume` (README, "Measuring speed"); `--states 10 --years 2` measures the demo-sized
portal. `--demo-database postgres://…/ccm_demo` serves a demo-sized volume beside the full one (built with
`--states 10 --years 2` unless `--no-build`; the next Redis database when CACHE_URL is set) and times every page on
both in turn: its last column is the issue's "full volume ≤ 1.5× demo volume". Signed-in pages are read as a focal
point and an ISU officer of the volume, signed in through sessions written here (the ISU officer with an
authenticator app).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
# (label, path, who reads it, target × floor from issue 16 or None)
PAGES = [
    ("home", "/", "public", None),
    ("States", "/states/", "public", 6),
    ("a State", "/states/LAO/", "public", 6),
    ("meetings", "/meetings/", "public", None),
    ("archive", "/reports/", "public", 8),
    ("archive JSON", "/reports/?format=json", "public", 8),
    ("a version", "{version}", "public", 4),
    ("its JSON", "{version}report.json", "public", 4),
    ("its CSV", "{version}report.csv", "public", 4),
    ("progress today", "/progress/", "public", 10),
    ("progress 2018-06-30", "/progress/?as_of=2018-06-30", "public", 10),
    ("assistance", "/assistance/", "public", None),
    ("requests", "/assistance/requests/", "public", None),
    ("offers", "/assistance/offers/", "public", None),
    ("coalitions", "/assistance/coalitions/", "public", None),
    ("API reports", "/api/v1/reports", "public", None),
    ("API States", "/api/v1/states", "public", None),
    ("my home", "/me/", "focal point", None),
    ("my reports", "/reporting/", "focal point", None),
    ("my reminders", "/me/reminders/", "focal point", None),
    ("my team", "/me/team/", "focal point", None),
    ("my assistance", "/assistance/", "focal point", None),
    ("my requests", "/assistance/requests/", "focal point", None),
    ("ISU home", "/me/", "isu", None),
    ("ISU users", "/isu/", "isu", None),
    ("ISU deadlines", "/isu/deadlines/", "isu", 10),
    ("ISU reminder log", "/isu/reminders/", "isu", None),
    ("ISU reviews", "/isu/reviews/", "isu", 6),
    ("ISU a report in review", "{review}", "isu", None),
    ("ISU reporting teams", "/isu/reporting-teams/", "isu", None),
    ("ISU progress", "/isu/progress/", "isu", 10),
    ("ISU background work", "/isu/operations/", "isu", None),
    ("matching board", "/assistance/board/", "isu", None),
    ("reconciliation", "/assistance/reconciliation/", "isu", None),
    ("ISU requests", "/assistance/requests/", "isu", None),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="requests per page (and as many to the floor)")
    parser.add_argument("--no-build", action="store_true", help="measure the database as it is")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="the page cache off (CCM_PAGE_CACHE_SECONDS=0): what the first reader after a change waits for",
    )
    parser.add_argument(
        "--demo-database",
        metavar="URL",
        help="also serve this PostgreSQL database (a demo-sized volume: built with --states 10 --years 2 unless "
        "--no-build) and time each page on both, interleaved: the last column is full volume / demo volume",
    )
    args, volume = parser.parse_known_args()  # the rest is for build_volume, e.g. --states 10 --years 2
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench-http measures PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    sites = [_Site(environment(), build=not args.no_build, volume=volume, cold=args.cold)]
    if args.demo_database:
        demo_env = {**environment(), "DATABASE_URL": args.demo_database}
        if demo_env.get("CACHE_URL"):  # the sites' kept pages and figures must not meet: the next Redis database
            cache = urllib.parse.urlsplit(demo_env["CACHE_URL"])
            number = int(cache.path.strip("/") or 0) + 1
            demo_env["CACHE_URL"] = urllib.parse.urlunsplit(cache._replace(path=f"/{number}"))
        sites.append(_Site(demo_env, build=not args.no_build, volume=DEMO_VOLUME, cold=args.cold))
    try:
        for site in sites:
            site.start(args.workers)
        rows = []
        for label, path, who, target in PAGES:
            measured = _measure(sites, path, who, args.rounds)
            rows.append({"label": label, "target": target, **measured[0], "demo": measured[1:]})
    finally:
        for site in sites:
            site.stop()
    _print(rows, args.rounds, cold=args.cold)
    return 0


DEMO_VOLUME = ["--states", "10", "--years", "2"]


class _Site:
    """One portal served by gunicorn on one database: its volume, sessions and the paths of its own records."""

    def __init__(self, env: dict[str, str], *, build: bool, volume: list[str], cold: bool) -> None:
        self.env = env
        if cold:
            self.env["CCM_PAGE_CACHE_SECONDS"] = "0"
        prepare(self.env, build=build, volume=volume)
        self.cookies = _sessions(self.env)
        found = manage(self.env, "shell", "-c", FIRST_PUBLIC_VERSION + "; " + IN_REVIEW, capture=True)
        self.version, self.review = found.strip().splitlines()[-2:]
        self.server: subprocess.Popen | None = None
        self.port = 0

    def start(self, workers: int) -> None:
        self.port = free_port()
        self.server = serve(self.env, self.port, workers)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)

    def path(self, template: str) -> str:
        return template.format(version=self.version, review=self.review)


# A report of the volume awaiting review (build_volume leaves 40), for the ISU's review page.
IN_REVIEW = (
    "from reporting.models import Report, ReportStatus; "
    "print(f'/isu/reviews/{Report.objects.filter(status=ReportStatus.SUBMITTED).order_by(\"pk\").first().pk}/')"
)

FIRST_PUBLIC_VERSION = (
    "from django.contrib.auth.models import AnonymousUser; from reporting.access import readable_versions; "
    "v = readable_versions(AnonymousUser()).select_related('report__state').order_by('-published_at').first(); "
    "print(f'/reports/{v.report.state.iso3}/{v.report.period_slug}/v{v.number}/')"
)

# The volume's first focal points by e-mail, one per State (so that simulated focal points never edit the same
# report), and its ISU officers with an authenticator app, each signed in (password and TOTP recorded as
# allauth records a real sign-in) in a session of its own. Prints them as JSON.
_SIGN_IN = """
import json
from django.test import Client
from accounts.models import Role, User
from tests.factories import enrol_totp
from tests.helpers import record_second_factor
volume = User.objects.filter(email__endswith="@volume.ccm-portal.test").order_by("email")
focal_points, states = [], set()
for user in volume.filter(role=Role.FOCAL_POINT).select_related("state"):
    if len(focal_points) < {focal_points} and user.state_id not in states:
        states.add(user.state_id)
        focal_points.append(user)
officers = list(volume.filter(role=Role.ISU_STAFF))
isu = [officers[i % len(officers)] for i in range({isu})]  # more sessions than officers: some sign in twice
signed = {{"focal point": [], "isu": []}}
for role, users in (("focal point", focal_points), ("isu", isu)):
    for user in users:
        if role == "isu" and not user.authenticator_set.exists():
            enrol_totp(user)
        client = Client()
        client.force_login(user)
        record_second_factor(client, user)
        state = user.state.iso3 if user.state_id else None
        signed[role].append({{"email": user.email, "state": state, "session": client.cookies["sessionid"].value}})
print(json.dumps(signed))
"""


def prepare(env: dict[str, str], *, build: bool, volume: list[str]) -> None:
    """The volume built afresh (``volume``: build_volume's options) unless ``build`` is false, and production's
    hashed static files collected."""
    if build:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_reference_data")
        manage(env, "build_volume", "--force", "--flush", *volume)
    manage(env, "collectstatic", "--noinput", "-v", "0")


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", "bench-http-" + "x" * 40)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        DJANGO_STATIC_ROOT=env.get("DJANGO_STATIC_ROOT", "/tmp/ccm-bench-static"),  # noqa: S108 (a bench's scratch)
    )
    return env


def manage(env: dict[str, str], *command: str, capture: bool = False) -> str:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (the portal's own manage.py, arguments from this file)
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    if not capture:
        print(f"  {' '.join(command[:2])}: {time.perf_counter() - started:.1f} s")
    return done.stdout or ""


def signed_in(env: dict[str, str], *, focal_points: int = 1, isu: int = 1) -> dict[str, list[dict[str, str]]]:
    """Sessions for ``focal_points`` focal points of as many States and ``isu`` ISU officers of the volume:
    {"focal point": [{"email", "state", "session"}, …], "isu": […]}."""
    script = _SIGN_IN.format(focal_points=int(focal_points), isu=int(isu))
    signed = json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])
    if len(signed["focal point"]) < focal_points or len(signed["isu"]) < isu:
        found = f"{len(signed['focal point'])} focal points of as many States, {len(signed['isu'])} ISU sessions"
        raise SystemExit(f"asked for {focal_points} and {isu}; the volume has {found}")
    return signed


def _sessions(env: dict[str, str]) -> dict[str, str | None]:
    signed = signed_in(env)
    return {"public": None, "focal point": signed["focal point"][0]["session"], "isu": signed["isu"][0]["session"]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env: dict[str, str], port: int, workers: int, log: IO[str] | None = None) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:``port``, once it answers /healthz; its log (and Django's) to ``log`` if given."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(  # noqa: S603 (gunicorn from the venv, arguments from this file)
        [
            gunicorn,
            "ccm_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log,
    )
    for _ in range(120):
        try:
            if _get(port, "/healthz", None)[0] == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _get(port: int, path: str, session: str | None) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed


def _measure(sites: list[_Site], path: str, who: str, rounds: int) -> list[dict]:
    """The page on each site, each request followed by that site's floor, the sites taking turns."""
    times: list[tuple[list[float], list[float]]] = [([], []) for _ in sites]
    statuses = [_get(site.port, site.path(path), site.cookies[who])[0] for site in sites]  # warm caches, imports
    for _ in range(rounds):
        for site, (page, floor) in zip(sites, times, strict=True):
            page.append(_get(site.port, site.path(path), site.cookies[who])[1])
            floor.append(_get(site.port, "/healthz", None)[1])
    measured = []
    for site, status, (page, floor) in zip(sites, statuses, times, strict=True):
        p50, floor_p50 = statistics.median(page), statistics.median(floor)
        measured.append(
            {
                "path": site.path(path),
                "status": status,
                "p50": p50 * 1000,
                "p95": statistics.quantiles(page, n=20)[-1] * 1000 if len(page) > 1 else p50 * 1000,
                "floor": floor_p50 * 1000,
                "ratio": p50 / floor_p50,
            }
        )
    return measured


def _print(rows: list[dict], rounds: int, *, cold: bool) -> None:
    served = "every page rendered (--cold: the page cache off)" if cold else "public pages from the page cache"
    print(f"\n{rounds} rounds per page, each followed by /healthz on the same server (the floor); {served}\n")
    demo = bool(rows and rows[0]["demo"])
    extra = (" demo p50 ms | × demo floor | full ÷ demo |", " ---: | ---: | ---: |") if demo else ("", "")
    print("| page | status | p50 ms | p95 ms | floor p50 ms | × floor | target |" + extra[0])
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |" + extra[1])
    for row in rows:
        target = (
            ""
            if row["target"] is None
            else f"≤ {row['target']}× " + ("met" if row["ratio"] <= row["target"] else "NOT met")
        )
        line = (
            f"| {row['label']} (`{row['path']}`) | {row['status']} | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['floor']:.2f} | {row['ratio']:.0f}× | {target} |"
        )
        if demo:
            small = row["demo"][0]
            growth = row["p50"] / small["p50"]
            line += f" {small['p50']:.1f} | {small['ratio']:.0f}× | {growth:.2f}{'' if growth <= 1.5 else ' (> 1.5)'} |"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
