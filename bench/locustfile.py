"""The users of the load test (`make bench-load`, bench/load.py): public readers, focal points saving Form B of
their own State's report as the editor's autosave does, and ISU reviewers. bench/load.py writes what they need
(sessions, reports, pages) to the JSON file CCM_LOAD_PLAN names and runs locust on this file against the
gunicorn it serves on 127.0.0.1; run alone, locust refuses any host but the loopback.

Every request is sent without following redirects: a 2xx or 3xx answers, anything else fails, and so does a
redirect to the sign-in or two-factor pages (the session was not accepted) and a save whose answer is not
the autosave's 200 with a newer revision (a conflict, a refusal, the database busy).
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["CCM_LOAD_PLAN"]).read_text(encoding="utf-8"))
_FOCAL_POINTS = iter(PLAN["focal_points"])  # each simulated focal point takes the next State's report
_REVIEWERS = iter(PLAN["isu"])
SIGN_IN_PATHS = ("/accounts/",)  # allauth's sign-in and two-factor pages


def loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


@events.init.add_listener
def _loopback_only(environment, **_kwargs) -> None:
    host = urlsplit(environment.host or "").hostname
    if not loopback(host):
        raise SystemExit(f"bench/locustfile.py loads the portal served on this machine only, not {host!r}")


class EditorForm(HTMLParser):
    """The fields the editor's form (``form[data-autosave]``) posts, in page order, as the browser's FormData
    takes them: checked boxes and radios, each select's chosen option, textareas' text; no buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[list[str]] = []
        self._inside = False
        self._textarea: list[str] | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._inside = "data-autosave" in a
        if not self._inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([name, a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "textarea" and name:
            self.fields.append([name, ""])
            self._textarea = self.fields[-1]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["first"] = value if self._select["first"] is None else self._select["first"]
            if "selected" in a:
                self._select["chosen"] = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            self.fields.append([self._select["name"], chosen or ""])
            self._select = None


class Visitor(HttpUser):
    """A browser: its own cookies (the portal's are Secure with debug off, so they are kept here and sent over
    the plain HTTP of 127.0.0.1), no redirects followed."""

    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.cookies: dict[str, str] = {}

    def visit(self, path: str, name: str, *, data=None, headers: dict | None = None, check=None):
        """GET ``path`` (POST ``data`` if given), counted under ``name``; ``check(response)`` may name a
        problem with an answer that is otherwise fine."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        method = "POST" if data is not None else "GET"
        with self.client.request(
            method, path, name=name, data=data, headers=sent, allow_redirects=False, catch_response=True
        ) as response:
            self.cookies.update(response.cookies.get_dict())
            location = response.headers.get("Location", "")
            if not 200 <= response.status_code < 400:
                response.failure(f"{method} {path}: {response.status_code}")
            elif location and urlsplit(location).path.startswith(SIGN_IN_PATHS):
                response.failure(f"{method} {path}: sent to {location} (session refused)")
            elif check is not None and (problem := check(response)):
                response.failure(f"{method} {path}: {problem}")
            else:
                response.success()
            return response


class PublicReader(Visitor):
    @task(2)
    def home(self) -> None:
        self.visit("/", "home")

    @task(2)
    def states(self) -> None:
        self.visit("/states/", "States")

    @task(3)
    def state(self) -> None:
        self.visit(f"/states/{random.choice(PLAN['states'])}/", "a State")

    @task(3)
    def archive(self) -> None:
        filters = random.choice(PLAN["archive_filters"])
        self.visit(f"/reports/?{urlencode(filters)}" if filters else "/reports/", "archive (filters)")

    @task(3)
    def version(self) -> None:
        path = random.choice(PLAN["versions"])
        self.visit(path, "a version")
        self.visit(f"{path}report.json", "its JSON")
        self.visit(f"{path}report.csv", "its CSV")

    @task(2)
    def progress(self) -> None:
        self.visit("/progress/", "progress today")

    @task(2)
    def progress_as_of(self) -> None:
        self.visit(f"/progress/?as_of={random.choice(PLAN['as_of'])}", "progress as of a past date")

    @task(1)
    def assistance(self) -> None:
        self.visit("/assistance/", "assistance")

    @task(2)
    def api(self) -> None:
        self.visit("/api/v1/reports", "API reports")


def _not_saved(response, revision: int) -> str:
    """What is wrong with an autosave's answer, or "" when it saved: 200, JSON, a revision past ``revision``."""
    if response.status_code != 200:
        return f"status {response.status_code}"
    try:
        answer = response.json()
    except ValueError:
        return f"not the autosave's JSON: {response.text[:200]!r}"
    if not isinstance(answer, dict) or not isinstance(answer.get("revision"), int) or answer["revision"] <= revision:
        return f"no newer revision than {revision}: {response.text[:200]!r}"
    return ""


class FocalPoint(Visitor):
    """A focal point of one State (none shares it) editing that State's report: the editor's page of Form B,
    then two autosaves a moment apart, the second on the revision the first answered."""

    fixed_count = len(PLAN["focal_points"])
    abstract = not fixed_count  # none asked for (--focal-points 0): locust leaves the class out

    def on_start(self) -> None:
        super().on_start()
        me = next(_FOCAL_POINTS)
        self.cookies["sessionid"] = me["session"]
        self.report = me["report"]
        self.saves = 0

    @task(4)
    def edit_form_b(self) -> None:
        path = f"/reporting/{self.report}/forms/B/"
        page = self.visit(path, "Form B editor")
        if page.status_code != 200:
            return
        parser = EditorForm()
        parser.feed(page.text)
        fields = parser.fields
        revision = self._save(path, fields, None)
        if revision is not None:
            time.sleep(random.uniform(0.5, 2))  # typing on: the autosave comes about 2 s later
            self._save(path, fields, revision)

    def _save(self, path: str, fields: list[list[str]], revision: int | None) -> int | None:
        """The autosave's POST (static/js/report_editor.js): the whole form, Accept: application/json."""
        self.saves += 1
        posted = [
            (name, f"Destruction programme on schedule (load test, save {self.saves})" if name == "n-programme" else v)
            for name, v in fields
        ]
        if revision is not None:
            posted = [(name, str(revision) if name == "revision" else v) for name, v in posted]
        sent = int(dict(posted).get("revision") or -1)
        headers = {"Accept": "application/json", "X-Requested-With": "fetch"}
        response = self.visit(
            path, "save Form B (autosave)", data=posted, headers=headers, check=lambda r: _not_saved(r, sent)
        )
        return None if _not_saved(response, sent) else response.json()["revision"]

    @task(1)
    def my_reports(self) -> None:
        self.visit("/reporting/", "my reports")

    @task(1)
    def overview(self) -> None:
        self.visit(f"/reporting/{self.report}/", "my report")


class IsuReviewer(Visitor):
    """An ISU officer (signed in with an authenticator app) going through the queue and the dashboards."""

    fixed_count = len(PLAN["isu"])
    abstract = not fixed_count

    def on_start(self) -> None:
        super().on_start()
        self.cookies["sessionid"] = next(_REVIEWERS)["session"]  # a session each (the volume has 3 officers)

    @task(2)
    def reviews(self) -> None:
        self.visit("/isu/reviews/", "ISU reviews")

    @task(3)
    def review(self) -> None:
        self.visit(f"/isu/reviews/{random.choice(PLAN['in_review'])}/", "ISU a report in review")

    @task(1)
    def deadlines(self) -> None:
        self.visit("/isu/deadlines/", "ISU deadlines")

    @task(1)
    def progress(self) -> None:
        self.visit("/isu/progress/", "ISU progress")
