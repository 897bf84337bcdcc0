"""The portal as real processes on private services, for the fault tests (issue 18, "Faults survived").

The module-scoped ``portal`` fixture starts, once per test file:

- a private PostgreSQL cluster (``initdb`` + ``pg_ctl`` in a temporary directory, its own port, trust
  authentication; as the ``postgres`` user when the tests run as root, since ``initdb`` refuses root);
- a private Redis (``redis-server --save "" --appendonly no``: nothing survives its restart);
- the portal on them: ``manage.py migrate``, the reference data and the demo (``load_reference_data``,
  ``seed_demo``, ``seed_demo_reports``), a web server (gunicorn, one sync worker) and a Celery worker
  (prefork, one child, as in production but smaller), with ``tests/faults/settings.py``: the production
  settings with ``DJANGO_DEBUG=0``, e-mails written one file per message to an outbox folder, and the
  broker's visibility timeout compressed from one hour to five seconds.

The tests stop, kill and restart these processes and services, never the shared PostgreSQL
(127.0.0.1:5432) or Redis (127.0.0.1:6379) that other test runs use. Outcomes are read from the private
database directly (psycopg) and from the outbox. Without ``initdb`` or ``redis-server`` the tests are
skipped (failed when ``CCM_REQUIRE_SERVICES=1``). ``CCM_FAULTS_KEEP=1`` keeps the temporary folder (logs of
PostgreSQL, Redis, gunicorn and the worker; the outbox) and prints where it is.
"""

# The tests start fixed commands of their own and speak HTTP to their own server on 127.0.0.1:
# ruff: noqa: S603, S607, S310
from __future__ import annotations

import contextlib
import email
import email.policy
import glob
import html.parser
import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import need

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEMO_PASSWORD = "faults-demo-password-1"
FOCAL_POINT = "focal.point@demo.ccm-portal.test"


# --- Binaries, ports, waiting ----------------------------------------------------------------------------
def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<n>/bin), or the one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], seconds: float, what: str, *, every: float = 0.1) -> Any:
    """Poll ``condition`` until it answers something true; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:g} s")
        time.sleep(every)


def _stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Send ``sig`` to the process and its children (it leads its own session), then wait; SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


# --- PostgreSQL --------------------------------------------------------------------------------------------
@dataclass
class Postgres:
    """A private cluster: its own data directory and port, trust authentication, user ``postgres``."""

    bin: Path
    root: Path
    port: int = field(default_factory=free_port)
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.root / "postgres.log"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and the server refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.root / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def _ctl(self, action: str, *extra: str) -> None:
        # fsync off: a test cluster, stopped cleanly ("fast") when it is restarted; it saves seconds in migrate.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.log), "-w", "-o", options, action, *extra)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every session is ended (open transactions rolled back), then it starts again."""
        self._ctl("restart", "-m", "fast")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True)


# --- Redis ---------------------------------------------------------------------------------------------------
@dataclass
class Redis:
    """A private Redis without persistence: stopping it loses every queued message."""

    root: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.root / "redis.log").open("ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self.ping, 10, "the private Redis to answer")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process)
            self.process = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# --- A browser that speaks HTTP to the real server -------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Page:
    status: int
    url: str
    headers: Any
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _Forms(html.parser.HTMLParser):
    """Every ``<form>`` of a page with the values a browser would send: inputs, checked boxes, selected
    options and text areas (no submit buttons: the caller adds the one it presses)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._select_first: tuple[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button", "image", "file", "reset"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = (self._select, value)
            if "selected" in a:
                self._form["fields"].append((self._select, value))
                self._select_first = ("", "")  # chosen
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self._form is not None:
            if self._select_first and self._select_first[0]:
                self._form["fields"].append(self._select_first)
            self._select = None
        elif tag == "textarea":
            if self._textarea and self._form is not None:
                # As a browser reads it: a newline right after <textarea> is not part of the value.
                name, value = self._form["fields"][-1]
                self._form["fields"][-1] = (name, value.removeprefix("\r").removeprefix("\n"))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(body: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(body)
    return parser.forms


class Browser:
    """Cookies, CSRF and redirects handled as a browser would; every answer returned as it came."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: list[tuple[str, str]] | None = None, *, timeout: float = 60) -> Page:
        url = urllib.parse.urljoin(self.base, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Accept-Language": "en"})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Page(response.status, url, response.headers, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return Page(error.code, url, error.headers, error.read().decode("utf-8", "replace"))

    def get(self, path: str, **kwargs: Any) -> Page:
        return self.request(path, **kwargs)

    def follow(self, page: Page) -> Page:
        while page.status in (301, 302, 303):
            page = self.get(page.location)
        return page

    def form(self, page: Page, contains: str) -> list[tuple[str, str]]:
        """The fields of the page's POST form that has a field named ``contains``."""
        for form in forms_of(page.body):
            if form["method"] == "post" and any(name == contains for name, _ in form["fields"]):
                return list(form["fields"])
        raise AssertionError(f"no form with a field {contains!r} on {page.url} ({page.status})")

    def csrf(self, page: Page) -> list[tuple[str, str]]:
        for form in forms_of(page.body):
            for name, value in form["fields"]:
                if name == "csrfmiddlewaretoken":
                    return [(name, value)]
        raise AssertionError(f"no CSRF token on {page.url}")

    def sign_in(self, email_address: str, password: str) -> None:
        page = self.get("/accounts/login/")
        assert page.status == 200, page.body[:500]
        answer = self.request("/accounts/login/", [*self.csrf(page), ("login", email_address), ("password", password)])
        assert answer.status == 302, f"sign-in refused ({answer.status}): {answer.body[:1000]}"


# --- The portal's processes ---------------------------------------------------------------------------------
@dataclass
class Portal:
    root: Path
    pg: Postgres
    redis: Redis
    web_port: int = field(default_factory=free_port)
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    timings: dict[str, float] = field(default_factory=dict)
    _conn: Any = None

    dbname = "ccm_faults"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "CCM_"))}
        env.update(
            PYTHONPATH=str(REPO),
            PYTHONUNBUFFERED="1",
            DJANGO_SETTINGS_MODULE="tests.faults.settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="faults-tests-only-not-a-secret-" + "y" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_MEDIA_ROOT=str(self.root / "media"),
            DJANGO_LOG_LEVEL="INFO",
            DATABASE_URL=self.pg.url(self.dbname),
            CACHE_URL=self.redis.url(0),
            CELERY_BROKER_URL=self.redis.url(1),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            CCM_FAULTS_OUTBOX=str(self.outbox),
            CCM_VAR_DIR=str(self.root / "var"),
            CCM_DEMO_PASSWORD=DEMO_PASSWORD,
            CCM_SITE_URL=self.base,
        )
        return env

    # Commands
    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        return done.stdout

    def shell(self, code: str, timeout: float = 120) -> str:
        """Run ``code`` in ``manage.py shell`` against the private services; what it printed."""
        return self.manage("shell", "-c", code, timeout=timeout)

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.root / f"{name}.log").open("ab")
        return subprocess.Popen(
            command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def said(self, name: str, text: str) -> int:
        """How many times process ``name`` (web, worker) wrote ``text`` in its log so far."""
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace").count(text) if path.exists() else 0

    def log(self, name: str, tail: int = 4000) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    # The web server
    def start_web(self) -> None:
        self.web = self._spawn(
            "web",
            [
                PYTHON, "-m", "gunicorn", "ccm_portal.wsgi", "--bind", f"127.0.0.1:{self.web_port}",
                "--workers", "1", "--timeout", "60", "--graceful-timeout", "5",
            ],
        )  # fmt: skip
        wait_until(self._web_answers, 90, f"gunicorn to answer /healthz\n{self.log('web')}", every=0.1)

    def _web_answers(self) -> bool:
        if self.web is not None and self.web.poll() is not None:
            pytest.fail(f"gunicorn exited ({self.web.returncode}):\n{self.log('web')}")
        # The worker loads the portal on its first request (about 5 s of imports on a slow machine): that first
        # answer may take as long, later ones are milliseconds.
        return Browser(self.base).get("/healthz", timeout=60).status == 200 if self._port_open() else False

    def _port_open(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.web_port), timeout=1):
                return True
        except OSError:
            return False

    def browser(self) -> Browser:
        return Browser(self.base)

    # The Celery worker
    def start_worker(self) -> None:
        """A worker as in production (prefork), with one child; ready when it says so in its log."""
        marker = self.root / "worker.log"
        start = marker.stat().st_size if marker.exists() else 0
        self.worker = self._spawn(
            "worker",
            [
                PYTHON, "-m", "celery", "-A", "ccm_portal", "worker", "--loglevel=INFO", "--pool=prefork",
                "--concurrency=1", "--without-gossip", "--without-mingle", "--hostname=faults@%h",
            ],
        )  # fmt: skip

        def ready() -> bool:
            if self.worker is not None and self.worker.poll() is not None:
                pytest.fail(f"the worker exited ({self.worker.returncode}):\n{self.log('worker')}")
            return " ready." in marker.read_bytes()[start:].decode(errors="replace")

        wait_until(ready, 30, "the Celery worker to be ready", every=0.1)

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool child at once, as the kernel's OOM killer or ``docker kill`` would."""
        assert self.worker is not None and self.worker.poll() is None, "the worker is not running"
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    def stop_worker(self) -> None:
        if self.worker is not None:
            _stop_group(self.worker, signal.SIGTERM, timeout=20)
            self.worker = None

    # Reading outcomes from the database and the outbox
    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Rows of ``sql`` on the private database, on one connection kept open (opened again after a restart)."""
        import psycopg

        for attempt in (1, 2):
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = self.pg.connect(self.dbname)
                return self._conn.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                self._conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def mails(self) -> list[email.message.Message]:
        """Every e-mail written so far (the file-based backend writes one file per connection, one message each)."""
        found = []
        for path in sorted(self.outbox.glob("*.log")):
            for chunk in path.read_text(errors="replace").split("-" * 79):
                if chunk.strip():
                    found.append(email.message_from_string(chunk.strip() + "\n", policy=email.policy.default))
        return found

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self.stop_worker()
        if self.web is not None:
            _stop_group(self.web)
            self.web = None


def _private_services_available() -> tuple[Path | None, str | None]:
    return postgres_bin(), shutil.which("redis-server")


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    """The portal running as real processes on a private PostgreSQL and Redis (see the module docstring)."""
    pg_bin, redis_server = _private_services_available()
    need(pg_bin is not None, "PostgreSQL's initdb is not installed (needed to start a private cluster)")
    need(redis_server is not None, "redis-server is not installed (needed to start a private Redis)")
    if os.geteuid() == 0:  # initdb refuses root: the cluster runs as the postgres user
        need(shutil.which("runuser") is not None, "running as root needs runuser to start PostgreSQL as postgres")
        need(_has_user("postgres"), "running as root needs a postgres user to start PostgreSQL as")
    # Not under pytest's tmp_path: the postgres user must reach the data directory (/tmp/pytest-of-root is 0700).
    root = Path(tempfile.mkdtemp(prefix="ccm-faults-"))
    root.chmod(0o755)
    (root / "pg").mkdir()
    pg = Postgres(bin=pg_bin, root=root / "pg")
    redis = Redis(root=root)
    portal = Portal(root=root, pg=pg, redis=redis)
    portal.outbox.mkdir()
    started = time.monotonic()
    try:
        pg.init()
        pg.start()
        with pg.connect() as conn:
            conn.execute(f"CREATE DATABASE {portal.dbname}")
        redis.start()
        portal.timings["services"] = time.monotonic() - started
        portal.manage("migrate", "--noinput")
        portal.timings["migrate"] = time.monotonic() - started
        portal.shell(
            "from django.core.management import call_command as c; "
            "c('load_reference_data'); c('seed_demo', force=True); c('seed_demo_reports', force=True)"
        )
        portal.timings["seeded"] = time.monotonic() - started
        portal.start_web()
        portal.start_worker()
        portal.timings["running"] = time.monotonic() - started
        print("\n[setup] " + ", ".join(f"{step} at {seconds:.1f} s" for step, seconds in portal.timings.items()))
        yield portal
    finally:
        portal.stop()
        redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop("immediate")
        if os.environ.get("CCM_FAULTS_KEEP"):
            print(f"\nfault test files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
