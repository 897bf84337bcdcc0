"""Container healthcheck for the web service: GET /healthz on the local gunicorn.

Exits 0 only on HTTP 200 with {"status": "ok"} (the view also queries the
database). Redirects are not followed: a 301 means SECURE_SSL_REDIRECT is
catching the probe, which is a configuration fault worth reporting.

The Host header is the first entry of DJANGO_ALLOWED_HOSTS, so the probe is not
rejected as a disallowed host; X-Forwarded-Proto: https marks the request as
secure when DJANGO_BEHIND_TLS_PROXY is on (Django ignores it otherwise).
Standard library only, so the probe costs no Django start-up.
"""

import json
import os
import sys
import urllib.error
import urllib.request


def probe_host() -> str:
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # surface the 3xx as an HTTPError instead of following it


def main() -> int:
    headers = {"Host": probe_host(), "X-Forwarded-Proto": "https"}
    request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        print(f"healthcheck: HTTP {exc.code} from /healthz", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"healthcheck: {exc!r}", file=sys.stderr)
        return 1
    if not isinstance(body, dict) or body.get("status") != "ok":
        print(f"healthcheck: unexpected body {body!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
