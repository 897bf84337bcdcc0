"""Container healthcheck for the web service: GET /readyz on the local gunicorn (ccm_portal/operations/health.py).

Exits 0 when the checks web needs to serve are ok: the database, the cache and the broker. Beat's heartbeat is
left out (``NOT_WEBS``): a late beat shows on the beat container's own healthcheck (``manage.py beat_alive``),
and taking web out of service for it would stop the portal for what only delays reminders. On a failure it
prints the failed checks with their reasons (the body names no host or secret), which ``docker inspect`` shows.
Redirects are not followed: a 301 means SECURE_SSL_REDIRECT is catching the probe, which is a configuration
fault worth reporting.

The Host header is the first entry of DJANGO_ALLOWED_HOSTS, so the probe is not rejected as a disallowed host;
X-Forwarded-Proto: https marks the request as secure when DJANGO_BEHIND_TLS_PROXY is on (Django ignores it
otherwise). Standard library only, so the probe costs no Django start-up.
"""

import json
import os
import sys
import urllib.error
import urllib.request

# Another address only for a gunicorn elsewhere (tests/operations/test_web_healthcheck.py probes a test server).
URL = os.environ.get("CCM_HEALTHCHECK_URL", "http://127.0.0.1:8000/readyz")
NOT_WEBS = {"beat"}


def probe_host() -> str:
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # surface the 3xx as an HTTPError instead of following it


def fetch() -> object:
    """The JSON body of /readyz (a 503 has one too, naming the failed checks)."""
    headers = {"Host": probe_host(), "X-Forwarded-Proto": "https"}
    opener = urllib.request.build_opener(NoRedirect)
    try:
        # The local gunicorn's http:// address (or CCM_HEALTHCHECK_URL, set by whoever runs the probe).
        with opener.open(urllib.request.Request(URL, headers=headers), timeout=8) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code != 503:
            raise
        return json.load(exc)


def main() -> int:
    try:
        body = fetch()
    except urllib.error.HTTPError as exc:
        print(f"healthcheck: HTTP {exc.code} from /readyz", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"healthcheck: {exc!r}", file=sys.stderr)
        return 1
    checks = body.get("checks") if isinstance(body, dict) else None
    if not isinstance(checks, dict) or not checks:
        print(f"healthcheck: unexpected body {body!r}", file=sys.stderr)
        return 1
    failed = {name: check for name, check in checks.items() if check.get("status") != "ok"}
    for name, check in failed.items():
        print(f"healthcheck: {name} {check.get('status')}: {check.get('reason')}", file=sys.stderr)
    return 1 if set(failed) - NOT_WEBS else 0


if __name__ == "__main__":
    sys.exit(main())
