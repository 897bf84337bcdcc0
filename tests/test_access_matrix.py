"""The access matrix: every URL pattern of the portal × every persona, GET and POST, with the URL filled
with real ids of Lao PDR's objects (so "another State's focal point" is tried on Lao's draft, request,
documents, feed…). ``EXPECTED`` names every pattern; a pattern without a row fails the test, which is
the point: a new URL must say who may open it.

Outcome classes: ``wrote`` (the request changed data: it left an audit entry, as every write does),
``ok`` (2xx), ``400`` (allowed, but the empty POST is refused as invalid), ``redirect`` (3xx elsewhere,
nothing written), ``login`` (to sign in), ``2fa`` (to give the authenticator code or enrol), or the
status code (``403``, ``404``, ``405``, ``409``). POSTs are empty unless the row gives data.

The ISU persona without two-factor runs without the friendly redirect of
``accounts.middleware.StaffTwoFactorMiddleware``: the matrix shows that the views themselves refuse
(through ``accounts.permissions``), not a path prefix. Each request runs in a savepoint rolled back
afterwards, so every POST meets the same data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import services as account_services
from accounts.models import Role, User
from api import release as open_data_release
from assistance.models import AssistanceOffer, AssistanceRequest, Coalition, CoordinatorTask, Match, RequestDocument
from audit.models import AuditEntry
from deadlines import services as deadline_services
from deadlines.models import DeadlineKind, Reminder, ReminderStatus
from parties.models import State
from progress import exports as progress_exports
from progress.models import Audience
from reporting import entry as report_entries
from reporting import pdf as report_pdf
from reporting import services as report_services
from reporting.models import Report, ReportKind, ReviewComment, WorkbookUpload
from tests.factories import enrol_totp, make_user
from tests.helpers import record_second_factor
from tests.reporting.conftest import fill_minimal

pytestmark = pytest.mark.django_db

PERSONAS = ["anon", "fp", "fp_other", "contrib", "coord", "coord_other", "donor", "donor_other", "isu_no2fa", "isu"]

# Not the portal's own pages, summarized by one expectation each (see PREFIX_SAMPLES): Django's admin
# (its hundreds of model URLs all go through admin.site.has_permission and the model permissions of
# accounts.permissions) and allauth's sign-in, password and two-factor pages (its own, for everyone).
# Static and media files are served by WhiteNoise and the web server, outside the URLconf.
SUMMARIZED_PREFIXES = ("admin/", "accounts/")
PREFIX_SAMPLES = {
    "admin/": "/admin/parties/state/",
    "accounts/": "/accounts/password/change/",
}

# Row: URL kwargs (names of ids in the world below), then the outcome per persona for GET and POST, in
# the order of PERSONAS:
#          anon  fp  fp_other  contrib  coord  coord_other  donor  donor_other  isu_no2fa  isu
# (contrib: a national contributor of Laos, the focal point's State, invited by its focal point)
EXPECTED: dict[str, tuple[dict[str, str], str, str]] = {
    # --- Public pages and the portal's own account pages ---
    "account_email": (  # /accounts/email/
        {},
        "login ok ok ok ok ok ok ok ok ok",
        "login ok ok ok ok ok ok ok ok ok",
    ),
    "accounts:accept_invitation": (  # /invitations/<token>/
        {"token": "invitation_token"},
        "ok redirect redirect redirect redirect redirect redirect redirect redirect redirect",
        "ok redirect redirect redirect redirect redirect redirect redirect redirect redirect",
    ),
    "accounts:email_language": (  # /me/language/
        {},
        "405 405 405 405 405 405 405 405 405 405",
        "login 400 400 400 400 400 400 400 400 400",
    ),
    "accounts:home": (  # /me/
        {},
        "login ok ok ok ok ok ok ok ok ok",
        "login ok ok ok ok ok ok ok ok ok",
    ),
    # --- The open-data API: the public's data for everyone, read-only (it reads as the public, whoever asks) ---
    "api-v1:api-root": (  # /api/v1/ (nothing: the docs are at /api/v1/docs/)
        {},
        "404 404 404 404 404 404 404 404 404 404",
        "404 404 404 404 404 404 404 404 404 404",
    ),
    "api-v1:openapi-json": (  # /api/v1/openapi.json
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:openapi-view": (  # /api/v1/docs/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:states": (  # /api/v1/states
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:state_totals": (  # /api/v1/states/totals
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:state": (  # /api/v1/states/<iso3>
        {"iso3": "iso3"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:meetings": (  # /api/v1/meetings
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:meeting": (  # /api/v1/meetings/<code>
        {"code": "meeting"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:obligations": (  # /api/v1/obligations
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:extensions": (  # /api/v1/obligations/extensions
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:reports": (  # /api/v1/reports
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:report_forms": (  # /api/v1/reports/forms
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:report_version": (  # /api/v1/reports/<iso3>/<period>/<number>
        {"iso3": "iso3", "period": "period", "number": "number"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:report_form": (  # /api/v1/reports/<iso3>/<period>/<number>/forms/<code>
        {"iso3": "iso3", "period": "period", "number": "number", "code": "code"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:progress": (  # /api/v1/progress
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:progress_by_year": (  # /api/v1/progress/by-year
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:progress_figure": (  # /api/v1/progress/<key>
        {"key": "figure"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:assistance_requests": (  # /api/v1/assistance/requests
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:assistance_request": (  # /api/v1/assistance/requests/<pk> (Lao"s restricted request: 404 for all)
        {"pk": "request"},
        "404 404 404 404 404 404 404 404 404 404",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:assistance_offers": (  # /api/v1/assistance/offers
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:coalitions": (  # /api/v1/assistance/coalitions
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:coalition": (  # /api/v1/assistance/coalitions/<iso3>
        {"iso3": "iso3"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:assistance_funding": (  # /api/v1/assistance/funding
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:datapackage": (  # /api/v1/open-data/datapackage.json
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "api-v1:open_data_file": (  # /api/v1/open-data/<name>.csv (of the release the world builds: open to all)
        {"name": "resource"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "healthz": (  # /healthz
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "home": (  # /
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "readyz": (  # /readyz
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "parties:meeting_list": (  # /meetings/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "parties:state_detail": (  # /states/LAO/
        {"iso3": "iso3"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "parties:state_list": (  # /states/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "javascript_catalog": (  # /jsi18n/ (the scripts' words and number formats: the same for everyone)
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "set_language": (  # /i18n/setlang/
        {},
        "redirect redirect redirect redirect redirect redirect redirect redirect redirect redirect",
        "redirect redirect redirect redirect redirect redirect redirect redirect redirect redirect",
    ),
    # --- For the Prometheus scraper only: 404 for every persona, as for a page that does not exist (the
    # matrix's client is not the scraper: test_access_matrix allows another address; tests/test_metrics.py) ---
    "metrics": (  # /metrics
        {},
        "404 404 404 404 404 404 404 404 404 404",
        "404 404 404 404 404 404 404 404 404 404",
    ),
    "accounts/": (  # /accounts/password/change/
        {},
        "login ok ok ok ok ok ok ok ok ok",
        "login ok ok ok ok ok ok ok ok ok",
    ),
    # --- Two-factor enrolment ---
    "accounts:activate_totp": (  # /accounts/2fa/totp/activate/
        {},
        "login redirect redirect redirect redirect redirect redirect redirect 2fa redirect",
        "login redirect redirect redirect redirect redirect redirect redirect 2fa redirect",
    ),
    "accounts:two_factor_confirm": (  # /me/two-factor/not-a-token/
        {"token": "bogus_token"},
        "login 404 404 404 404 404 404 404 404 404",
        "login 404 404 404 404 404 404 404 404 404",
    ),
    "accounts:two_factor_setup": (  # /me/two-factor/
        {},
        "login redirect redirect redirect redirect redirect redirect redirect ok redirect",
        "login redirect redirect redirect redirect redirect redirect redirect wrote redirect",
    ),
    # --- ISU staff pages and the admin ---
    "accounts:invitation_create": (  # /isu/invitations/<token>/
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "login 403 403 403 403 403 403 403 2fa ok",
    ),
    "accounts:invitation_resend": (  # /isu/invitations/<token>/resend/
        {"pk": "invitation"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa wrote",
    ),
    "accounts:invitation_revoke": (  # /isu/invitations/<token>/revoke/
        {"pk": "invitation"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa wrote",
    ),
    # --- The national reporting team: the State's focal point invites and manages its contributors ---
    "accounts:team": (  # /me/team/ (POST: the invitation form, here empty)
        {},
        "login ok ok 403 403 403 403 403 2fa 403",
        "login 400 400 403 403 403 403 403 2fa 403",
    ),
    "accounts:team_invitation_revoke": (  # /me/team/invitations/<pk>/revoke/ (a Laos contributor's invitation)
        {"pk": "team_invitation"},
        "405 405 405 405 405 405 405 405 405 405",
        "login wrote 404 403 403 403 403 403 2fa 403",
    ),
    "accounts:team_member_active": (  # /me/team/<pk>/active/ (a Laos contributor taken off the team)
        {"pk": "member"},
        "405 405 405 405 405 405 405 405 405 405",
        "login wrote 404 403 403 403 403 403 2fa 403",
    ),
    "accounts:staff_home": (  # /isu/
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "login 403 403 403 403 403 403 403 2fa ok",
    ),
    "admin/": (  # /admin/parties/state/
        {},
        "login login login login login login login login login ok",
        "login login login login login login login login login ok",
    ),
    # --- Article 7 reports ---
    "reporting:archive": (  # /reports/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:archive_export": (  # /isu/reports/export.xlsx
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:archive_latest": (  # /reports/LAO/2024/
        {"iso3": "iso3", "period": "period"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:archive_version": (  # /reports/LAO/2024/v1/
        {"iso3": "iso3", "period": "period", "number": "number"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:archive_version_csv": (  # /reports/LAO/2024/v1/report.csv
        {"iso3": "iso3", "period": "period", "number": "number"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:archive_version_json": (  # /reports/LAO/2024/v1/report.json
        {"iso3": "iso3", "period": "period", "number": "number"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:archive_version_pdf": (  # /reports/LAO/2024/v1/report.pdf
        {"iso3": "iso3", "period": "period", "number": "number"},
        "wrote wrote wrote wrote wrote wrote wrote wrote wrote wrote",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:comment_add": (  # /isu/reviews/1/comments/
        {"pk": "published"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa wrote",
    ),
    "reporting:comment_reply": (  # /reporting/1/comments/1/reply/
        {"pk": "published", "comment_pk": "comment"},
        "login 405 405 405 405 405 405 405 405 405",
        "login wrote 403 403 403 403 403 403 403 wrote",
    ),
    "reporting:comment_resolve": (  # /isu/reviews/1/comments/1/resolve/
        {"pk": "published", "comment_pk": "comment"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa wrote",
    ),
    "reporting:entry_detail": (  # /isu/reports/entries/1/
        {"pk": "entry"},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:entry_original": (  # /isu/reports/entries/1/original/
        {"pk": "entry"},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:entry_record": (  # /isu/reports/entries/1/record/
        {"pk": "entry"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa 400",
    ),
    "reporting:entry_start": (  # /isu/reports/enter/
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "login 403 403 403 403 403 403 403 2fa 400",
    ),
    "reporting:entry_update": (  # /isu/reports/entries/1/details/
        {"pk": "entry"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa 400",
    ),
    "reporting:my_reports": (  # /reporting/
        {},
        "login ok ok 403 403 403 403 403 403 redirect",
        "login 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:pdf_download": (  # /reporting/pdf/1/download/
        {"pdf_pk": "pdf"},
        "404 redirect 404 404 404 404 404 404 404 redirect",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:pdf_start": (  # /reporting/2/pdf/
        {"pk": "draft"},
        "405 405 405 405 405 405 405 405 405 405",
        "404 redirect 404 404 404 404 404 404 404 redirect",
    ),
    "reporting:pdf_status": (  # /reporting/pdf/1/
        {"pdf_pk": "pdf"},
        "404 ok 404 404 404 404 404 404 404 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:report_correct": (  # /reporting/2/correct/
        {"pk": "draft"},
        "login 405 405 405 405 405 405 405 405 405",
        "login redirect 404 404 404 404 404 404 404 403",
    ),
    "reporting:report_cover": (  # /reporting/2/cover/
        {"pk": "draft"},
        "login ok 404 404 404 404 404 404 404 403",
        "login redirect 404 404 404 404 404 404 404 403",
    ),
    "reporting:report_detail": (  # /reporting/2/
        {"pk": "draft"},
        "404 ok 404 404 404 404 404 404 404 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:report_form": (  # /reporting/2/forms/F/ (Form F is given to the Laos contributor)
        {"pk": "draft", "code": "code"},
        "login ok 404 ok 404 404 404 404 404 403",
        "login redirect 404 redirect 404 404 404 404 404 403",
    ),
    "reporting:report_form@other": (  # /reporting/2/forms/C/ (a form not given to the contributor)
        {"pk": "draft", "code": "other_code"},
        "login ok 404 404 404 404 404 404 404 403",
        "login redirect 404 404 404 404 404 404 404 403",
    ),
    "reporting:form_ready": (  # /reporting/2/forms/F/ready/ (the contributor hands Form F back)
        {"pk": "draft", "code": "code"},
        "login 405 405 405 405 405 405 405 405 405",
        "login 403 404 wrote 404 404 404 404 404 403",
    ),
    "reporting:report_nil": (  # /reporting/2/nil/
        {"pk": "draft"},
        "login 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 404 404 404 404 404 403",
    ),
    "reporting:report_recall": (  # /reporting/2/recall/
        {"pk": "draft"},
        "login 405 405 405 405 405 405 405 405 405",
        "login redirect 404 404 404 404 404 404 404 403",
    ),
    "reporting:report_team": (  # /reporting/2/team/ (POST empty: Form F taken back from the contributor)
        {"pk": "draft"},
        "login ok 404 404 404 404 404 404 404 403",
        "login wrote 404 404 404 404 404 404 404 403",
    ),
    "reporting:form_handback": (  # /reporting/2/team/F/ (what the contributor changed in Form F)
        {"pk": "draft", "code": "code"},
        "login ok 404 404 404 404 404 404 404 403",
        "login 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:form_return": (  # /reporting/2/team/F/return/ (POST empty: no note, nothing written)
        {"pk": "draft", "code": "code"},
        "login 405 405 405 405 405 405 405 405 405",
        "login 400 404 404 404 404 404 404 404 403",
    ),
    "reporting:form_seen": (  # /reporting/2/team/F/seen/ (a reading mark: not a change to the report)
        {"pk": "draft", "code": "code"},
        "login 405 405 405 405 405 405 405 405 405",
        "login redirect 404 404 404 404 404 404 404 403",
    ),
    "reporting:isu_team_progress": (  # /isu/reporting-teams/ (each State's team, counts only)
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:my_forms": (  # /reporting/my-forms/ (a contributor's forms)
        {},
        "login 403 403 ok 403 403 403 403 403 403",
        "login 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:report_settings": (  # /reporting/2/settings/
        {"pk": "draft"},
        "login 405 405 405 405 405 405 405 405 405",
        "login 400 404 404 404 404 404 404 404 403",
    ),
    "reporting:report_start": (  # /reporting/start/
        {},
        "login 405 405 405 405 405 405 405 405 405",
        "login redirect redirect 403 403 403 403 403 403 403",
    ),
    "reporting:report_submit": (  # /reporting/2/submit/
        {"pk": "draft"},
        "login 405 405 405 405 405 405 405 405 405",
        "login 400 404 404 404 404 404 404 404 403",
    ),
    "reporting:review_accept": (  # /isu/reviews/1/accept/
        {"pk": "published"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa redirect",
    ),
    "reporting:review_detail": (  # /isu/reviews/1/
        {"pk": "published"},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:review_publish": (  # /isu/reviews/1/publish/
        {"pk": "published"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa redirect",
    ),
    "reporting:review_queue": (  # /isu/reviews/
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:review_request_changes": (  # /isu/reviews/1/request-changes/
        {"pk": "published"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa 400",
    ),
    "reporting:review_start": (  # /isu/reviews/1/start/
        {"pk": "published"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa redirect",
    ),
    "reporting:version_confirm": (  # /reporting/3/v1/confirm/ (entered by the ISU, not published)
        {"pk": "entered", "number": "number"},
        "405 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 404 404 404 404 404 403",
    ),
    "reporting:version_detail": (  # /reporting/1/v1/
        {"pk": "published", "number": "number"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:version_original": (  # /reporting/3/v1/original/ (entered by the ISU, not published)
        {"pk": "entered", "number": "number"},
        "404 ok 404 404 404 404 404 404 404 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:version_problem": (  # /reporting/3/v1/report-problem/
        {"pk": "entered", "number": "number"},
        "405 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 404 404 404 404 404 403",
    ),
    "reporting:workbook_apply": (  # /reporting/2/workbook/1/apply/
        {"pk": "draft", "upload_pk": "upload"},
        "login 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 404 404 404 404 404 403",
    ),
    "reporting:workbook_discard": (  # /reporting/2/workbook/1/discard/
        {"pk": "draft", "upload_pk": "upload"},
        "login 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 404 404 404 404 404 403",
    ),
    "reporting:workbook_download": (  # /reporting/2/workbook.xlsx (the contributor's: Form F's tables only)
        {"pk": "draft"},
        "login ok 404 ok 404 404 404 404 404 ok",
        "login 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:workbook_preview": (  # /reporting/2/workbook/1/
        {"pk": "draft", "upload_pk": "upload"},
        "login ok 404 404 404 404 404 404 404 403",
        "login 405 405 405 405 405 405 405 405 405",
    ),
    "reporting:workbook_upload": (  # /reporting/2/workbook/ (the contributor: a workbook of Form F)
        {"pk": "draft"},
        "login ok 404 ok 404 404 404 404 404 403",
        "login 400 404 400 404 404 404 404 404 403",
    ),
    # --- Deadlines, reminders, calendars ---
    "deadlines:feed": (  # /calendar/<token>.ics
        {"token": "feed_token"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "deadlines:feed_create": (  # /me/calendar/new/
        {},
        "405 405 405 405 405 405 405 405 405 405",
        "login wrote wrote wrote wrote wrote wrote wrote wrote wrote",
    ),
    "deadlines:feed_revoke": (  # /me/calendar/1/revoke/
        {"pk": "feed"},
        "405 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 404 404 404 404 404 404",
    ),
    "deadlines:isu_deadlines": (  # /isu/deadlines/
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "deadlines:isu_reminders": (  # /isu/reminders/
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "deadlines:my_calendars": (  # /me/calendar/
        {},
        "login ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "deadlines:my_reminders": (  # /me/reminders/
        {},
        "login ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "deadlines:snooze": (  # /me/reminders/snooze/
        {},
        "405 405 405 405 405 405 405 405 405 405",
        "login 400 400 400 400 400 400 400 400 400",
    ),
    "deadlines:unsnooze": (  # /me/reminders/unsnooze/
        {},
        "405 405 405 405 405 405 405 405 405 405",
        "login redirect redirect redirect redirect redirect redirect redirect redirect redirect",
    ),
    # --- Assistance ---
    "assistance:board": (  # /assistance/board/
        {},
        "login 403 403 403 ok ok 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:board_request": (  # /assistance/board/1/
        {"pk": "request"},
        "login 403 403 403 ok 404 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:coalition_detail": (  # /assistance/coalitions/LAO/
        {"iso3": "iso3"},
        "login ok 404 404 ok ok ok 404 404 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:coalition_list": (  # /assistance/coalitions/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:coalition_meeting_add": (  # /assistance/coalitions/LAO/meetings/new/
        {"iso3": "iso3"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 404 404 400 400 403 404 404 400",
    ),
    "assistance:document_delete": (  # /assistance/requests/1/documents/1/delete/
        {"pk": "request", "doc_pk": "document"},
        "login 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 403 404 403 404 404 403",
    ),
    "assistance:document_download": (  # /assistance/requests/1/documents/1/
        {"pk": "request", "doc_pk": "document"},
        "login ok 404 404 ok 404 ok 404 404 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:document_upload": (  # /assistance/requests/1/documents/
        {"pk": "request"},
        "login 405 405 405 405 405 405 405 405 405",
        "login 400 404 404 403 404 403 404 404 403",
    ),
    "assistance:match_advance": (  # /assistance/matches/1/advance/
        {"pk": "match"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 404 404 403 404 wrote 404 404 403",
    ),
    "assistance:match_decide": (  # /assistance/matches/1/decide/
        {"pk": "match"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 400 404 404 400 404 400 404 404 400",
    ),
    "assistance:match_detail": (  # /assistance/matches/1/
        {"pk": "match"},
        "login ok 404 404 ok 404 ok 404 404 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:match_propose": (  # /assistance/board/1/propose/
        {"pk": "request"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 400 404 403 403 2fa 400",
    ),
    "assistance:offer_detail": (  # /assistance/offers/1/
        {"pk": "offer"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:offer_edit": (  # /assistance/offers/1/edit/
        {"pk": "offer"},
        "login 403 403 403 403 403 ok 403 403 403",
        "login 403 403 403 403 403 400 403 403 403",
    ),
    "assistance:offer_list": (  # /assistance/offers/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:offer_new": (  # /assistance/offers/new/
        {},
        "login 403 403 403 403 403 ok ok 403 403",
        "login 403 403 403 403 403 400 400 403 403",
    ),
    "assistance:offer_withdraw": (  # /assistance/offers/1/withdraw/
        {"pk": "offer"},
        "login 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 400 403 403 403",
    ),
    "assistance:overview": (  # /assistance/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:overview_full": (  # /assistance/overview/
        {},
        "login 403 403 403 ok ok 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:reconciliation": (  # /assistance/reconciliation/
        {},
        "login ok ok 403 ok ok ok ok 403 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:request_close": (  # /assistance/requests/1/close/
        {"pk": "request"},
        "login 405 405 405 405 405 405 405 405 405",
        "login wrote 404 404 403 404 403 404 404 403",
    ),
    "assistance:request_detail": (  # /assistance/requests/1/
        {"pk": "request"},
        "login ok 404 404 ok 404 ok 404 404 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:request_edit": (  # /assistance/requests/1/edit/
        {"pk": "request"},
        "login ok 404 404 403 404 403 404 404 403",
        "login 400 404 404 403 404 403 404 404 403",
    ),
    "assistance:request_list": (  # /assistance/requests/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "assistance:request_new": (  # /assistance/requests/new/
        {},
        "login ok ok 403 403 403 403 403 403 403",
        "login 400 400 403 403 403 403 403 403 403",
    ),
    "assistance:request_share": (  # /assistance/requests/1/share/
        {"pk": "request"},
        "login ok 404 404 403 404 403 404 404 403",
        "login redirect 404 404 403 404 403 404 404 403",
    ),
    "assistance:request_withdraw": (  # /assistance/requests/1/withdraw/
        {"pk": "request"},
        "login 405 405 405 405 405 405 405 405 405",
        "login 400 404 404 403 404 403 404 404 403",
    ),
    "assistance:task_done": (  # /assistance/tasks/1/done/
        {"pk": "task"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 400 404 403 403 2fa 400",
    ),
    # --- The ISU's background-work page (queued, failed and stuck reminders and PDFs) ---
    "operations:background_work": (  # /isu/operations/
        {},
        "login 403 403 403 403 403 403 403 2fa ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "operations:retry_reminder": (  # /isu/operations/reminders/1/retry/ (a failed reminder: sent again)
        {"pk": "failed_reminder"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa wrote",
    ),
    "operations:retry_report_pdf": (  # /isu/operations/report-pdfs/1/retry/ (being made: nothing to retry)
        {"pk": "pdf"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa redirect",
    ),
    "operations:retry_dashboard_pdf": (  # /isu/operations/dashboard-pdfs/2/retry/ (being made: nothing to retry)
        {"pk": "progress_pdf_isu"},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 2fa redirect",
    ),
    # --- Progress to date ---
    "progress:dashboard": (  # /progress/
        {},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:dashboard_isu": (  # /isu/progress/
        {},
        "login 403 403 403 403 403 403 403 403 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:export_figures": (  # /progress/export.csv
        {"fmt": "fmt"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:export_figures_isu": (  # /isu/progress/export.csv
        {"fmt": "fmt"},
        "login 403 403 403 403 403 403 403 403 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:figure": (  # /progress/states-parties/
        {"key": "figure"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:figure_isu": (  # /isu/progress/states-parties/
        {"key": "figure"},
        "login 403 403 403 403 403 403 403 403 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:pdf_download": (  # /progress/pdf/1/download/
        {"pk": "progress_pdf"},
        "redirect redirect redirect redirect redirect redirect redirect redirect redirect redirect",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:pdf_download_isu": (  # /isu/progress/pdf/2/download/
        {"pk": "progress_pdf_isu"},
        "login 403 403 403 403 403 403 403 403 redirect",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:pdf_start": (  # /progress/pdf/
        {},
        "405 405 405 405 405 405 405 405 405 405",
        "redirect redirect redirect redirect redirect redirect redirect redirect redirect redirect",
    ),
    "progress:pdf_start_isu": (  # /isu/progress/pdf/
        {},
        "405 405 405 405 405 405 405 405 405 405",
        "login 403 403 403 403 403 403 403 403 redirect",
    ),
    "progress:pdf_status": (  # /progress/pdf/1/
        {"pk": "progress_pdf"},
        "ok ok ok ok ok ok ok ok ok ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
    "progress:pdf_status_isu": (  # /isu/progress/pdf/2/
        {"pk": "progress_pdf_isu"},
        "login 403 403 403 403 403 403 403 403 ok",
        "405 405 405 405 405 405 405 405 405 405",
    ),
}


# POSTs that would stop at an empty form get a valid one, so that the row shows who may really write.
POST_DATA: dict[str, dict[str, str]] = {
    "reporting:comment_reply": {"body": "Corrected in Form F."},
    "reporting:comment_add": {"body": "Please check the area in Form F."},
    "reporting:version_problem": {"body": "Form B: 1,234 not 1,243."},
    "accounts:team_member_active": {"active": "0"},
}


# --- The world: Lao PDR's objects, built once per persona ------------------------------------------------
def build_world(tmp_path) -> SimpleNamespace:
    devnull = open("/dev/null", "w")  # noqa: SIM115
    try:
        call_command("seed_demo", force=True, stdout=devnull)
        call_command("seed_demo_reports", force=True, stdout=devnull)
        call_command("seed_demo_assistance", force=True, stdout=devnull)
    finally:
        devnull.close()
    demo = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.ccm-portal.test")}
    lao = State.objects.get(iso3="LAO")
    users = {
        "anon": None,
        "fp": demo["focal.point"],
        "fp_other": make_user(Role.FOCAL_POINT, iso3="AUS", email="fp.aus@example.org"),
        "contrib": make_user(Role.CONTRIBUTOR, iso3="LAO", organization="Ministry of Defence", email="mod@example.la"),
        "coord": demo["coordinator"],  # clearance-rre: the area of Lao's restricted request
        "coord_other": make_user(Role.COORDINATOR, areas=["victim-assistance"], email="va@example.org"),
        "donor": demo["donor"],  # Norway: its offer is matched to Lao's request
        "donor_other": make_user(Role.DONOR, iso3="FRA", email="donor.fra@example.org"),
        "isu_no2fa": make_user(Role.ISU_STAFF, email="new.isu@example.org"),
        "isu": demo["isu"],
    }
    enrol_totp(users["isu"])
    isu = users["isu"]
    from accounts import permissions

    permissions.mark_second_factor(isu, verified=True)
    fp = users["fp"]

    published = Report.objects.get(state=lao, kind=ReportKind.ANNUAL, period_year=2024)
    draft = report_services.start_report(state=lao, kind=ReportKind.INITIAL, period_year=None, actor=fp)
    comment = ReviewComment.objects.create(
        report=published, version=published.versions.get(number=1), body="Please check Form F.", author=isu
    )
    # Reports the ISU enters from an original: one entry still open (2022), one recorded and not published (2021).
    entries = {}
    for year in (2022, 2021):
        entries[year] = report_entries.open_entry(
            state=lao,
            kind=ReportKind.ANNUAL,
            period_year=year,
            original=SimpleUploadedFile("original.pdf", b"%PDF-1.4 original"),
            submitted_on=dt.date(year + 1, 4, 20),
            source=f"note verbale to UNODA, 20 April {year + 1}",
            language="en",
            actor=isu,
        )
    entered_report = entries[2021].report
    report_services.save_draft(report=entered_report, content=fill_minimal(entered_report), base_revision=0, actor=isu)
    entered = report_entries.record_entry(entry=entries[2021], actor=isu, visibility="public")
    pdf = report_pdf.ensure_pdf(report=draft, version=None, requested_by=fp)
    upload = WorkbookUpload.objects.create(
        report=draft,
        name="lao.xlsx",
        size=1,
        sha256="0" * 64,
        base_revision=draft.revision,
        content={},
        uploaded_by=fp,
    )
    request = AssistanceRequest.objects.get(state=lao, is_public=False)
    document = RequestDocument.objects.create(
        request=request,
        file=ContentFile(b"%PDF-1.4 demo", name="survey.pdf"),
        name="survey.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=fp,
    )
    task = CoordinatorTask.objects.create(request=request, kind=CoordinatorTask._meta.get_field("kind").choices[0][0])
    invitation = account_services.create_invitation(
        email="second.fp@example.org", role=Role.FOCAL_POINT, state=lao, invited_by=isu
    )
    team_invitation = account_services.create_invitation(
        email="mac@example.la", role=Role.CONTRIBUTOR, state=lao, organization="Mine action centre", invited_by=fp
    )
    # The Laos contributor is given Form F of the draft (``code``), and not Form C (``other_code``).
    report_services.assign_form(
        report=draft, form_code="F", contributor=users["contrib"], due_on=dt.date(2027, 3, 1), actor=fp
    )
    feed = deadline_services.create_feed(user=fp, state=lao)
    failed_reminder = Reminder.objects.create(
        key="LAO:annual_report:2025@2026-04-30|0|matrix",
        deadline_key="LAO:annual_report:2025",
        deadline_kind=DeadlineKind.ANNUAL_REPORT,
        deadline_date=dt.date(2026, 4, 30),
        state=lao,
        offset_days=0,
        recipient=fp,
        email=fp.email,
        status=ReminderStatus.FAILED,
        for_day=dt.date.today(),
        attempts=5,
        last_error="SMTP 451 try again later",
    )
    today = dt.date.today()
    ids = {
        "draft": draft.pk,
        "entry": entries[2022].pk,
        "entered": entered.report_id,
        "published": published.pk,
        "number": 1,
        "iso3": "LAO",
        "period": published.period_slug,
        "code": "F",
        "other_code": "C",
        "comment": comment.pk,
        "pdf": pdf.pk,
        "upload": upload.pk,
        "request": request.pk,
        "document": document.pk,
        "offer": AssistanceOffer.objects.get(donor__state__iso3="NOR").pk,
        "match": Match.objects.get(request=request).pk,
        "task": task.pk,
        "invitation": invitation.pk,
        "invitation_token": account_services.invitation_token(invitation),
        "team_invitation": team_invitation.pk,
        "member": users["contrib"].pk,
        "feed": feed.pk,
        "feed_token": feed.token,
        "failed_reminder": failed_reminder.pk,
        "figure": "states-parties",
        "meeting": "1MSP",
        "resource": "states",
        "fmt": "csv",
        "progress_pdf": progress_exports.ensure(as_of=today, audience=Audience.PUBLIC).pk,
        "progress_pdf_isu": progress_exports.ensure(as_of=today, audience=Audience.ISU).pk,
        "bogus_token": "not-a-token",
    }
    assert Coalition.objects.filter(state=lao).exists() and Decimal(request.amount) > 0
    # The open-data package, built once: a request that built it would be rolled back (``observe``).
    open_data_release.build()
    return SimpleNamespace(users=users, ids=ids)


# --- Walking the URLconf --------------------------------------------------------------------------------
def portal_patterns() -> dict[str, tuple[str, URLPattern]]:
    """Every URL pattern outside the summarized prefixes, by namespaced name (or route)."""
    found: dict[str, tuple[str, URLPattern]] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if not prefix and str(entry.pattern) in SUMMARIZED_PREFIXES:
                    continue
                walk(entry, route, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
            else:
                key = f"{namespace}{entry.name}" if entry.name else route
                found[key] = (route, entry)

    walk(get_resolver(), "", "")
    return found


def outcome(response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return "login"
        if location.startswith(("/me/two-factor/", "/accounts/2fa/reauthenticate/")):
            return "2fa"
        return "redirect"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def client_as(persona: str, user) -> Client:
    # Each persona from an address of its own: limits counted per address (the API's, PDFs') stay each one's.
    client = Client(REMOTE_ADDR=f"10.0.0.{PERSONAS.index(persona) + 1}")
    if user is not None:
        client.force_login(user)
        if persona == "isu":
            assert record_second_factor(client, user)
    return client


def observe(client: Client, method: str, url: str, data: dict | None = None) -> str:
    with transaction.atomic():
        entries = AuditEntry.objects.count()
        response = getattr(client, method)(url, data or {})
        result = outcome(response)
        if AuditEntry.objects.count() != entries:
            result = "wrote"  # every write leaves an audit entry: this request changed data
        if response.streaming:  # read to the end: the test client then closes the file it streams
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return result


def url_for(key: str, route: str, kwargs: dict[str, str], ids: dict) -> str:
    """``key`` is a pattern's name, or ``name@case`` for a second sample of the same pattern (other ids)."""
    if key in PREFIX_SAMPLES:
        return PREFIX_SAMPLES[key]
    return reverse(key.partition("@")[0], kwargs={name: ids[source] for name, source in kwargs.items()})


# --- The tests --------------------------------------------------------------------------------------------
def test_every_url_pattern_has_an_expectation():
    missing = sorted(set(portal_patterns()) - set(EXPECTED))
    named = {key.partition("@")[0] for key in EXPECTED}
    stale = sorted(named - set(portal_patterns()) - set(PREFIX_SAMPLES))
    assert not missing, f"URL patterns without a row in EXPECTED (say who may open them): {missing}"
    assert not stale, f"Rows in EXPECTED for URL patterns that no longer exist: {stale}"


def test_nothing_is_open_only_to_staff_without_a_verified_second_factor():
    """Whatever ISU staff without a verified second factor reach, someone outside the ISU reaches alike;
    the one exception is the page where they prove their mailbox before enrolling."""
    for key, (_kwargs, get, post) in EXPECTED.items():
        for row in (get, post):
            cells = dict(zip(PERSONAS, row.split(), strict=True))
            outsiders = {cells[p] for p in PERSONAS if p not in ("isu_no2fa", "isu")}
            if cells["isu_no2fa"] in ("ok", "redirect", "400", "wrote") and key != "accounts:two_factor_setup":
                assert cells["isu_no2fa"] in outsiders, (key, row)


def test_access_matrix(settings, tmp_path):
    """Every persona in turn on one world: what the pages compute once (the open-data package, the figures of
    every year) stays in the cache from one persona to the next, since each request is rolled back and so never
    moves the public data's version. Every mismatch of every persona is reported together."""
    settings.MEDIA_ROOT = tmp_path
    # The scraper has an address of its own: the test clients' (10.0.0.x) are not it.
    settings.CCM_METRICS_ALLOWED_IPS = ["192.0.2.1/32"]
    # Without the courtesy redirect: the views must refuse on their own (module docstring).
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "accounts.middleware.StaffTwoFactorMiddleware"]
    world = build_world(tmp_path)
    patterns = portal_patterns()
    samples = {key for key in EXPECTED if "@" in key}
    keys = [key for key in sorted(set(patterns) | set(PREFIX_SAMPLES) | samples) if key in EXPECTED]
    wrong = []
    for column, persona in enumerate(PERSONAS):
        client = client_as(persona, world.users[persona])
        for key in keys:  # a pattern without a row is reported by test_every_url_pattern_has_an_expectation
            kwargs, get, post = EXPECTED[key]
            url = url_for(key, patterns.get(key.partition("@")[0], ("", None))[0], kwargs, world.ids)
            for method, row in (("get", get), ("post", post)):
                expected = row.split()[column]
                seen = observe(client, method, url, POST_DATA.get(key) if method == "post" else None)
                if seen != expected:
                    wrong.append(f"{persona}: {method.upper()} {url} ({key}): expected {expected}, got {seen}")
    assert not wrong, "\n".join(wrong)
