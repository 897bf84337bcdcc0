"""ISU review of Article 7 reports: the queue, the side-by-side review page and its actions.

Every page sits under /isu/, where ``StaffTwoFactorMiddleware`` demands an authenticator;
every view is for reviewers (``access.reviewer_required``); every write goes through ``reporting.services``;
what the pages read (the queue, the comments, the history) comes from ``reporting.selectors``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ccm_portal.core import clock
from ccm_portal.core.rendered import Kept, rows_html
from ccm_portal.core.views import attempt, show_refusal
from parties.models import Region
from reporting import periods, selectors, selectors_team, services
from reporting.access import get_report, reviewer_required
from reporting.checks import check_report, concerns
from reporting.diff import anchor_part, diff_document
from reporting.forms.review import CommentForm, QueueFilterForm, RequestChangesForm
from reporting.models import (
    AWAITING_REVIEW,
    Report,
    ReportStatus,
    ReviewComment,
    VersionOutcome,
)


# --- Queue --------------------------------------------------------------------------------------
@require_GET
@reviewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    reviewers = selectors.reviewer_list()
    form = QueueFilterForm(request.GET or None, reviewers=reviewers)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET else {}  # the valid filters, even when another is not
    today = clock.today()
    overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
    filters = {
        "status": data.get("status") or None,
        "region": data.get("region") or None,
        "reviewer": data.get("reviewer") or None,
        "overdue": overdue,
        "due_before": data.get("due_before"),
    }
    everything = selectors.review_queue(today=today)  # the figures cover the whole queue, whatever the filters
    rows = selectors.narrow_queue(everything, **filters)
    filtered = any(value is not None for value in filters.values())
    shown = form  # without filters, the form is unbound already
    return render(
        request,
        "reporting/review/queue.html",
        {
            "form": shown,
            "filter_fields": _filter_fields(shown),
            "rows": rows,
            "rows_html": _rows_html(_QueueLines().of(rows)),
            "summary": selectors.queue_summary(everything),
            "filtered": filtered,
            "today": today,
        },
        status=200 if valid else 400,
    )


# The unbound filter fields as rendered, by language and reviewers' choices: all they show (a few entries).
_UNBOUND_FILTER_FIELDS = Kept(64)


def _filter_fields(form: QueueFilterForm) -> str:
    """The filter fields' HTML. The unbound form (the queue without filters) shows only its labels and choices,
    in the reader's language, and the reviewers' names read on this request: rendered once per such set."""
    if form.is_bound:
        return render_to_string("reporting/review/_queue_filter_fields.html", {"form": form})
    return _UNBOUND_FILTER_FIELDS.get(
        (get_language(), *form.fields["reviewer"].choices),
        lambda: render_to_string("reporting/review/_queue_filter_fields.html", {"form": form}),
    )


# Each row's HTML by its words and the language: a row shows nothing else, so an entry is never stale; bounded.
_ROW_HTML = Kept(4096)


def _rows_html(lines: list[QueueLine]) -> str:
    """The queue's rows in HTML (``review/_queue_row.html``), each rendered once per process for the same words
    in the same language: the next request for the queue renders only the rows whose words changed."""
    return rows_html("reporting/review/_queue_row.html", lines, _ROW_HTML)


@dataclass(frozen=True)
class QueueLine:
    """One report of the queue in words (``review/_queue_row.html``): all a row shows, so it keys the row's HTML."""

    url: str
    css: str
    state_name: str
    state_iso3: str
    region: str
    period: str
    annual: bool
    status: str
    status_label: str
    version: str  # empty: no version yet
    submitted: str
    due_iso: str
    due_label: str  # empty: not known
    overdue: bool
    waiting: str  # empty: not submitted
    open_queries: int
    oldest_query: str
    reviewer: str  # empty: not taken yet


# The words rows share (a date, a count of days, a status, a version) by language: each is a function of its key
# and the language alone, so an entry is never stale; bounded.
_WORDS = Kept(4096)


class _QueueLines:
    """Puts queue rows into words, once per process for what rows share (a date, a count of days, a status)."""

    def __init__(self) -> None:
        self.language = get_language()
        self.short_format = pgettext("short date format, Django date filter syntax", "j M Y")
        # One reversal for every row's link: the review page's address with a marker where the id goes.
        self.detail = reverse("reporting:review_detail", args=[987654321]).replace("987654321", "{pk}")

    def once(self, key: tuple, make: Callable[[], str]) -> str:
        return _WORDS.get((self.language, *key), make)

    def day(self, day: dt.date) -> str:
        return self.once(("date", self.short_format, day), lambda: date_format(day, self.short_format))

    def version(self, number: int) -> str:
        return self.once(("version", number), lambda: _("Version %(n)s") % {"n": number})

    def submitted(self, day: dt.date) -> str:
        return self.once(("submitted", day), lambda: _("submitted %(date)s") % {"date": self.day(day)})

    def of(self, rows: list[selectors.QueueRow]) -> list[QueueLine]:
        return [self.line(r) for r in rows]

    def line(self, r: selectors.QueueRow) -> QueueLine:
        submitted = timezone.localdate(r.latest_submitted_at) if r.latest_submitted_at else None
        return QueueLine(
            url=self.detail.format(pk=r.pk),
            css="is-overdue" if r.is_overdue else "",
            state_name=r.state_name,
            state_iso3=r.state_iso3,
            region=self.once(("region", r.state_region), lambda: str(Region(r.state_region).label)),
            period=self.once(
                ("period", r.kind, r.period_year), lambda: Report(kind=r.kind, period_year=r.period_year).period_label
            ),
            annual=not r.is_initial,
            status=r.status,
            status_label=self.once(("status", r.status), lambda: str(ReportStatus(r.status).label)),
            version=self.version(r.latest_version_number) if r.latest_version_number else "",
            submitted=self.submitted(submitted) if submitted else "",
            due_iso=r.due.isoformat() if r.due else "",
            due_label=self.day(r.due) if r.due else "",
            overdue=r.is_overdue,
            waiting=self.once(("days", r.waiting_days), lambda: _days(r.waiting_days))
            if r.waiting_days is not None
            else "",
            open_queries=r.open_queries,
            oldest_query=self.once(("oldest", r.oldest_query_days), lambda: _oldest(r.oldest_query_days))
            if r.open_queries
            else "",
            reviewer=r.reviewer_name,
        )


def _days(days: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


def _oldest(days: int | None) -> str:
    return ngettext("oldest waiting %(days)s day", "oldest waiting %(days)s days", days or 0) % {"days": days}


# --- Review page --------------------------------------------------------------------------------
@require_GET
@reviewer_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="review")
    return render(request, "reporting/review/detail.html", _detail_context(request, report))


def _detail_context(request: HttpRequest, report: Report, **forms_: Any) -> dict[str, Any]:
    versions = list(report.versions.select_related("submitted_by", "decided_by", "format_version").order_by("number"))
    version = versions[-1] if versions else None
    context: dict[str, Any] = {
        "report": report,
        "version": version,
        "versions": versions,
        "now": timezone.now(),
        "today": clock.today(),
        "changes_form": forms_.get("changes_form") or RequestChangesForm(),
        "audit_entries": selectors.report_history(report),
        "can_start": report.status in AWAITING_REVIEW,
        "can_decide": report.status == ReportStatus.UNDER_REVIEW,
        "can_publish": report.status == ReportStatus.ACCEPTED,
    }
    if version is None:
        return context

    options, chosen, corrected = _comparison(report, versions, request.GET.get("compare", ""))
    baseline = chosen[1] if chosen else None

    spec = version.format_version.spec
    document = diff_document(spec, baseline.content if baseline else None, version.content)
    findings = list(check_report(report, cleaned=version.content))
    comments, general_comments = _place_comments(report, document)
    anchors = {comment.pk: comment.anchor for comment in comments}
    for entry in context["audit_entries"]:
        if entry.comment_pk and not entry.detail:
            entry.detail = anchors.get(entry.comment_pk, "")

    given = selectors_team.form_contributors(report)  # who the focal point gave each form to (none: their own)
    for form in document.forms:
        form.findings = [f for f in findings if concerns(f, form.code)]
        form.given = given.get(form.code)
    known_forms = {form.code for form in document.forms}
    context.update(
        {
            "spec": spec,
            "document": document,
            "baseline": baseline,
            "baseline_key": chosen[0] if chosen else "",
            "compare_options": options,
            "corrected": corrected,
            "findings": findings,
            "general_findings": [f for f in findings if getattr(f, "form_code", "") not in known_forms],
            "comments": comments,
            "general_comments": general_comments,
            "open_comment_count": sum(1 for c in comments if c.parent_id is None and c.is_open),
        }
    )
    return context


def _comparison(report: Report, versions: list, wanted: str) -> tuple[list[tuple], tuple | None, Any]:
    """What the latest version can be compared with, and what it is compared with: ``wanted``
    when offered, else the version a correction corrects, else the State's accepted report for an
    earlier period, else the previous version of this report. Options are (key, version, label)."""
    version = versions[-1]
    earlier = versions[:-1]
    corrected = next(
        (v for v in reversed(earlier) if v.outcome == VersionOutcome.ACCEPTED or v.superseded_by_id == version.pk),
        None,
    )
    options = []
    if not report.is_initial:
        last_year = periods.last_accepted_version(report.state, before_year=report.period_year)
        if last_year is not None:
            label = _("The State’s last accepted report (%(period)s, version %(n)s)") % {
                "period": last_year.report.period_label,
                "n": last_year.number,
            }
            options.append(("last-year", last_year, label))
    for v in reversed(earlier):
        label = _("Version %(n)s of this report (%(outcome)s)") % {"n": v.number, "outcome": v.get_outcome_display()}
        options.append((f"v{v.number}", v, label))
    by_key = {option[0]: option for option in options}
    chosen = (
        by_key.get(wanted)
        or (by_key.get(f"v{corrected.number}") if corrected else None)
        or by_key.get("last-year")
        or (options[0] if options else None)
    )
    return options, chosen, corrected


def _place_comments(report: Report, document: Any) -> tuple[list[ReviewComment], list[ReviewComment]]:
    """Every comment thread on the object it is anchored to: ``comments`` on the cover, forms,
    narratives, tables and rows of ``document``. Threads whose anchor is not shown (a row of
    another version) go to their form, or to the general list. One query."""
    comments = selectors.review_comments(report)
    threads: dict[tuple[str, str, str], list[ReviewComment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is None:
            threads[(comment.form_code, comment.field_key, comment.row_id)].append(comment)
    document.cover_comments = [c for key in list(threads) if key[0] == "cover" for c in threads.pop(key)]
    for form in document.forms:
        _place_on_form(form, threads)
    by_form = {form.code: form for form in document.forms}
    general: list[ReviewComment] = []
    for (form_code, _field, _row), rest in sorted(threads.items()):
        if form_code in by_form:
            by_form[form_code].comments += rest
        else:
            general += rest
    for form in document.forms:
        form.open_comments = _open_count(form)
    return comments, general


def _place_on_form(form: Any, threads: dict[tuple[str, str, str], list[ReviewComment]]) -> None:
    """Take from ``threads`` those anchored to ``form``, its narratives, tables and rows (a row also keeps
    the threads of the row it was in the previous version); give each place its anchor."""

    def take(*anchor: str) -> list[ReviewComment]:
        return threads.pop(anchor, [])

    form.comments = take(form.code, "", "") + take(form.code, "choice", "")
    for narrative in form.narratives:
        narrative.comments = take(form.code, narrative.key, "")
        narrative.anchor = f"{form.anchor}-{anchor_part(narrative.key)}"
    for table in form.tables:
        table.comments = take(form.code, table.key, "")
        table.anchor = f"{form.anchor}-{anchor_part(table.key)}"
        for row in table.rows:
            row.comments = take(form.code, table.key, row.row_id)
            if row.previous_id and row.previous_id != row.row_id:
                row.comments += take(form.code, table.key, row.previous_id)
            row.anchor = f"{table.anchor}-{anchor_part(row.row_id)}"
            row.has_open_comments = any(c.is_open for c in row.comments)


def _open_count(form: Any) -> int:
    """Open threads anywhere on the form (its own, its narratives', tables' and rows')."""
    places = [form.comments, *(n.comments for n in form.narratives)]
    for table in form.tables:
        places += [table.comments, *(row.comments for row in table.rows)]
    return sum(1 for place in places for comment in place if comment.is_open)


# --- Actions ------------------------------------------------------------------------------------
def _back(report: Report, anchor: str = "") -> HttpResponse:
    url = reverse("reporting:review_detail", args=[report.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_POST
@reviewer_required
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="review")
    attempt(
        request, lambda: services.start_review(report=report, actor=request.user), _("You are reviewing this report.")
    )
    return _back(report)


@require_POST
@reviewer_required
def review_request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="review")
    form = RequestChangesForm(request.POST)
    if form.is_valid():
        try:
            services.request_changes(report=report, actor=request.user, reason=form.cleaned_data["reason"])
        except services.InvalidTransition as error:
            show_refusal(request, error)
            return _back(report)
        except ValidationError as error:
            form.add_error(None, error)  # a {"reason": …} error lands on the field
        else:
            messages.success(request, _("Changes requested. The State’s focal points have been told what to change."))
            return _back(report)
    context = _detail_context(request, report, changes_form=form)
    return render(request, "reporting/review/detail.html", context, status=400)


@require_POST
@reviewer_required
def review_accept(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="review")
    version = attempt(request, lambda: services.accept_report(report=report, actor=request.user))
    if version is not None:
        messages.success(request, _("Version %(n)s accepted.") % {"n": version.number})
    return _back(report)


@require_POST
@reviewer_required
def review_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="review")
    attempt(request, lambda: services.publish_report(report=report, actor=request.user), _("Report published."))
    return _back(report)


@require_POST
@reviewer_required
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="review")
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(
            report,
            _anchor_of(
                request.POST.get("form_code", ""), request.POST.get("field_key", ""), request.POST.get("row_id", "")
            ),
        )
    data = form.cleaned_data
    parent = get_object_or_404(ReviewComment, pk=data["parent"], report=report) if data["parent"] else None
    try:
        comment = services.add_comment(
            report=report,
            actor=request.user,
            body=data["body"],
            form_code=data["form_code"],
            field_key=data["field_key"],
            row_id=data["row_id"],
            parent=parent,
        )
    except ValidationError as error:
        show_refusal(request, error)
        return _back(report, _anchor_of(data["form_code"], data["field_key"], data["row_id"]))
    messages.success(request, _("Reply added.") if parent else _("Comment added."))
    return _back(report, f"comment-{comment.pk}")


@require_POST
@reviewer_required
def comment_resolve(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    report = get_report(request.user, pk, to="review")
    comment = get_object_or_404(ReviewComment, pk=comment_pk, report=report, parent__isnull=True)
    attempt(
        request, lambda: services.resolve_comment(comment=comment, actor=request.user), _("Comment marked as resolved.")
    )
    return _back(report, f"comment-{comment.pk}")


def _anchor_of(form_code: str, field_key: str, row_id: str) -> str:
    if not form_code:
        return "comments"
    if form_code == "cover":
        return "cover"
    parts = [f"form-{anchor_part(form_code)}"]
    if field_key and field_key != "choice":
        parts.append(anchor_part(field_key))
        if row_id:
            parts.append(anchor_part(row_id))
    return "-".join(parts)
