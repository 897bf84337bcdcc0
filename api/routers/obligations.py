"""Art. 3 (stockpile destruction) and Art. 4 (clearance) obligations as of any day: ``GET /api/v1/obligations``
and the requests to extend their deadlines, ``/obligations/extensions``; and the shapes of an obligation and an
extension in a State's profile (``/states/{iso3}``, built from ``parties.selectors.state_profile``).

The lists follow the profile's rules through the models' own methods (``Obligation.status_on``,
``deadline_in_force``, ``extension_in_force_on``, ``completed_from``; ``ExtensionRequest.stage_on``): a request
is listed from the day it is known (``known_from``) and its outcome only once decided; the ISU's notes and an
obligation's source, written today, only on today's view. ``tests/api/test_parties_api.py`` holds the lists to
the profile, State by State.
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _lazy
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from api.http import conditional, link
from api.pagination import Page
from api.routers.meetings import MeetingRef, meeting_ref
from api.schemas import (
    ISO3_PATTERN,
    AsOf,
    CodeLabel,
    DateWithPrecision,
    Mapped,
    Problem,
    StateRef,
    choice,
    dated_query,
    day_of,
    state_ref,
    when,
    when_shown,
)
from ccm_portal.core import clock
from parties import selectors
from parties.dates import PartialDate, Precision
from parties.models import (
    Article,
    Confidence,
    ExtensionRequest,
    ExtensionStage,
    Obligation,
    ObligationStatus,
)

router = Router()

KINDS = {int(Article.STOCKPILE_DESTRUCTION): "stockpile_destruction", int(Article.CLEARANCE): "clearance"}


# --- Shapes -------------------------------------------------------------------------------------------------------


class FilingWindow(Schema):
    due: dt.date = Field(
        description=_lazy("The last day the request could reach the meeting: nine months before it (Art. 3(5), 4(6)).")
    )
    filed: DateWithPrecision | None = Field(description=_lazy("When it was submitted; null when not recorded."))
    verdict: CodeLabel = Field(
        description=_lazy(
            "in_time, late, unclear (submission known only to a month or year) or unknown (no submission date)."
        )
    )


class ExtensionAsOf(Schema):
    stage: CodeLabel = Field(
        description=_lazy(
            "Where the request stood on the day shown: pending, granted, refused, withdrawn, or no_outcome "
            "(considered, no outcome recorded)."
        )
    )
    deadline_extended: DateWithPrecision | None = Field(
        description=_lazy("The deadline the request extends, as its source gives it; null when not given.")
    )
    submitted: DateWithPrecision | None = Field(description=_lazy("When it was submitted; null when not recorded."))
    requested_until: DateWithPrecision | None = Field(
        description=_lazy("The deadline requested; null when no source gives it.")
    )
    meeting: MeetingRef | None = Field(description=_lazy("The meeting that considered it; null when not recorded."))
    filing_window: FilingWindow | None = Field(
        description=_lazy("Whether it reached that meeting in time; null without a meeting.")
    )
    decided: DateWithPrecision | None = Field(
        description=_lazy("When it was decided; null before the decision, or when the date is not recorded.")
    )
    in_force_from: dt.date | None = Field(
        description=_lazy(
            "The first day the granted extension holds: the decision's day, or the last day of its month or year, "
            "or of the meeting; null unless granted by the day shown."
        )
    )
    granted_until: DateWithPrecision | None = Field(
        description=_lazy("The new deadline granted; null unless granted by the day shown.")
    )
    confidence: CodeLabel = Field(description=_lazy("How firmly the sources establish the record."))
    source: str | None = Field(
        description=_lazy("Where the record comes from; null while pending on a past day (sources tell the outcome).")
    )
    notes: str | None = Field(description=_lazy("The ISU's notes; on today's view only, null otherwise or if none."))


class _OfState(Schema):
    state: StateRef = Field(description=_lazy("The State the obligation binds."))
    state_url: str = Field(description=_lazy("The State's absolute API link, with its obligations in full (same day)."))


class _OfObligation(_OfState):
    article: int = Field(description=_lazy("3 (stockpile destruction) or 4 (clearance)."))
    kind: str = Field(description=_lazy("stockpile_destruction or clearance."))


# The State and the obligation first (pydantic orders fields from the last base on).
class ExtensionListed(ExtensionAsOf, _OfObligation):
    pass


class DeadlineSetBy(Schema):
    meeting: MeetingRef | None = Field(description=_lazy("The meeting that granted it; null when not recorded."))
    decided: DateWithPrecision | None = Field(description=_lazy("When it was decided; null when not recorded."))
    in_force_from: dt.date | None = Field(description=_lazy("The first day the new deadline holds."))


class _ObligationFacts(Schema):
    article: int = Field(description=_lazy("3 (stockpile destruction) or 4 (clearance)."))
    kind: str = Field(description=_lazy("stockpile_destruction or clearance."))
    label: str = Field(description=_lazy("The obligation, in words."))
    original_deadline: DateWithPrecision | None = Field(
        description=_lazy(
            "The treaty's deadline: eight years after entry into force (Art. 3(2)), ten for clearance (Art. 4(1)), "
            "or ten after the end of hostilities (Art. 4(1)(b)); null when the registry has no record."
        )
    )
    deadline_in_force: DateWithPrecision | None = Field(
        description=_lazy("The deadline in force on the day shown, with the precision its source gives.")
    )
    deadline_set_by: DeadlineSetBy | None = Field(
        description=_lazy("The extension that put that deadline in force; null for the original deadline.")
    )
    hostilities_ended_on: dt.date | None = Field(
        description=_lazy("Art. 4(1)(b): the end of the hostilities the deadline runs from; null otherwise.")
    )
    status: CodeLabel | None = Field(
        description=_lazy(
            "On the day shown: not_yet_bound, open, completed, or completion_uncertain (completed around then: "
            "the source gives only the month or year); null when the registry has no record."
        )
    )
    completed_from: dt.date | None = Field(
        description=_lazy("The first day a statement shows it certainly complete, if by the day shown; else null.")
    )
    deadline_passed: bool | None = Field(
        description=_lazy("Open with its deadline (all of its month or year) passed on the day shown.")
    )
    confidence: CodeLabel | None = Field(description=_lazy("How firmly the sources establish the record."))
    source: str | None = Field(
        description=_lazy("Where the record comes from; on today's view only (it may tell of later events).")
    )
    notes: str | None = Field(description=_lazy("The ISU's notes; on today's view only, null otherwise or if none."))


class CompletionStatement(Schema):
    finding: CodeLabel = Field(
        description=_lazy("completed, or no_obligation (nothing to destroy or clear was found).")
    )
    completed: DateWithPrecision | None = Field(
        description=_lazy("The completion as the source dates it; null when it gives no date.")
    )
    completed_by: dt.date | None = Field(
        description=_lazy("The latest day by which the source shows it complete; null when it gives none.")
    )
    certain: bool = Field(description=_lazy("Whether it was certainly complete by the day shown."))
    counts: bool = Field(description=_lazy("Whether the figures count it (a disputed statement does not)."))
    confidence: CodeLabel = Field(description=_lazy("How firmly the source establishes it."))
    source: str = Field(description=_lazy("Where the statement comes from."))


class ObligationInProfile(_ObligationFacts):
    recorded: bool = Field(
        description=_lazy(
            "Whether the registry records the obligation (a State with no stockpile or contamination has none); "
            "without a record only treaty_deadline is given."
        )
    )
    treaty_deadline: dt.date | None = Field(
        description=_lazy("The deadline the treaty sets from the entry into force (Art. 3(2), 4(1)(a)).")
    )
    extensions: list[ExtensionAsOf] = Field(
        description=_lazy("The requests made by the day shown, each at its stage that day.")
    )
    completion_statements: list[CompletionStatement] = Field(
        description=_lazy("Each source's statement of completion known by the day shown.")
    )
    sources_disagree: bool | None = Field(
        description=_lazy("Whether no single day fits every statement shown; null without a record.")
    )


class ObligationListed(_ObligationFacts, _OfState):
    extensions_url: str = Field(description=_lazy("The absolute API link to this obligation's extension requests."))


# --- From the profile (parties.selectors.state_profile) -------------------------------------------------------------


def extension_from_profile(request: HttpRequest, shown: dict[str, Any]) -> dict[str, Any]:
    return {
        "stage": choice(shown["stage"], shown["stage_label"]),
        "deadline_extended": when_shown(shown["previous_deadline"]),
        "submitted": when_shown(shown["submitted"]),
        "requested_until": when_shown(shown["requested_until"]),
        "meeting": meeting_ref(request, shown["meeting"]),
        "filing_window": _window_out(shown["filing_window"]),
        "decided": when_shown(shown["decided"]),
        "in_force_from": day_of(shown["in_force_from"]),
        "granted_until": when_shown(shown["granted_until"]),
        "confidence": choice(shown["confidence"], shown["confidence_label"]),
        "source": shown["source"],
        "notes": shown["notes"] or None,
    }


def obligation_from_profile(request: HttpRequest, shown: dict[str, Any]) -> dict[str, Any]:
    """An obligation as ``state_profile`` shows it on its day, in the API's shape."""
    base = {
        "article": shown["article"],
        "kind": KINDS[shown["article"]],
        "label": str(shown["label"]),
        "recorded": shown["recorded"],
        "treaty_deadline": shown["treaty_deadline"],
    }
    if not shown["recorded"]:
        # No record (no stockpile or contamination known): only the treaty's deadline; every fact null.
        unknown = [name for name in _ObligationFacts.model_fields if name not in base] + ["sources_disagree"]
        return base | dict.fromkeys(unknown) | {"extensions": [], "completion_statements": []}
    set_by = shown["deadline_set_by"]
    original = shown["original_deadline"]
    return base | {
        "original_deadline": when(PartialDate(original, Precision.DAY)) if original else None,
        "deadline_in_force": when_shown(shown["deadline_in_force"]),
        "deadline_set_by": {
            "meeting": meeting_ref(request, set_by["meeting"]),
            "decided": when_shown(set_by["decided"]),
            "in_force_from": day_of(set_by["in_force_from"]),
        }
        if set_by
        else None,
        "hostilities_ended_on": shown["hostilities_ended_on"],
        "status": choice(shown["status"], shown["status_label"]),
        "completed_from": day_of(shown["completed_from"]),
        "deadline_passed": shown["deadline_passed"],
        "confidence": choice(shown["confidence"], shown["confidence_label"]),
        "source": shown["source"],
        "notes": shown["notes"] or None,
        "extensions": [extension_from_profile(request, e) for e in shown["extensions"]],
        "completion_statements": [
            {
                "finding": choice(s["finding"], s["finding_label"]),
                "completed": when_shown(s["completed"]),
                "completed_by": day_of(s["completed_by"]),
                "certain": s["certain"],
                "counts": s["counts"],
                "confidence": choice(s["confidence"], s["confidence_label"]),
                "source": s["source"],
            }
            for s in shown["completion_statements"]
        ],
        "sources_disagree": shown["sources_disagree"],
    }


# --- Lists ------------------------------------------------------------------------------------------------------------


def _state_links(request: HttpRequest, obligation: Obligation, as_of: dt.date) -> dict[str, str]:
    iso3 = obligation.state.iso3
    return {
        "state": state_ref(obligation.state),
        "state_url": link(request, "api-v1:state", iso3, query=dated_query(as_of)),
    }


def _obligation_listed(request: HttpRequest, obligation: Obligation, as_of: dt.date, is_today: bool) -> dict[str, Any]:
    status = obligation.status_on(as_of)
    deadline = obligation.deadline_in_force(as_of)
    extension = obligation.extension_in_force_on(as_of)
    certain = obligation.completed_from()
    open_ = status in (ObligationStatus.OPEN, ObligationStatus.COMPLETION_UNCERTAIN)
    original = obligation.original_deadline
    article = int(obligation.article)
    return {
        **_state_links(request, obligation, as_of),
        "article": article,
        "kind": KINDS[article],
        "label": str(Article(article).label),
        "original_deadline": when(PartialDate(original, Precision.DAY)) if original else None,
        "deadline_in_force": when(deadline),
        "deadline_set_by": {
            "meeting": meeting_ref(request, extension.meeting),
            "decided": when(extension.decided),
            "in_force_from": extension.in_force_from,
        }
        if extension
        else None,
        "hostilities_ended_on": obligation.hostilities_ended_on,
        "status": choice(status.value, status.label),
        "completed_from": certain if certain and certain <= as_of else None,
        # Passed: the deadline in force (all of its month or year, if known only so) lies before the day.
        "deadline_passed": bool(open_ and deadline and deadline.end < as_of),
        "confidence": choice(obligation.confidence, Confidence.choices),
        "source": obligation.source if is_today else None,
        "notes": (obligation.notes or None) if is_today else None,
        "extensions_url": link(
            request,
            "api-v1:extensions",
            query={"state": obligation.state.iso3, "article": article, **(dated_query(as_of) or {})},
        ),
    }


class ObligationFilters(AsOf):
    state: str | None = Field(None, pattern=ISO3_PATTERN, description=_lazy("Only this State's (ISO3, any case)."))
    article: int | None = Field(None, ge=3, le=4, description=_lazy("3 (stockpile destruction) or 4 (clearance)."))


@router.get(
    "",
    response={200: list[ObligationListed], 422: Problem},
    url_name="obligations",
    summary=_lazy("Art. 3 and Art. 4 obligations as of a day"),
)
@decorate_view(conditional)
@paginate(Page)
def obligations(request: HttpRequest, filters: Query[ObligationFilters]) -> Mapped:
    """Every obligation the registry records, of the States that had deposited an instrument by `as_of` (today
    when omitted), by State and article: the original deadline, the deadline in force that day and the
    extension that set it, and the status as known that day. Filter by `state` (ISO3) and `article`."""
    as_of, is_today = filters.day(), filters.day() == clock.today()
    rows = (
        Obligation.objects.filter(state__deposit_date__lte=as_of)
        .select_related("state")
        .prefetch_related(
            Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("meeting")),
            "completion_records",
        )
        .order_by("state__name", "article")
    )
    if filters.state:
        rows = rows.filter(state__iso3=filters.state.upper())
    if filters.article:
        rows = rows.filter(article=filters.article)
    return Mapped(rows, lambda obligation: _obligation_listed(request, obligation, as_of, is_today))


def _window_out(window: dict[str, Any] | None) -> dict[str, Any] | None:
    """Art. 3(5), 4(6): the filing window as the State page shows it (``parties.selectors.filing_window``)."""
    if window is None:
        return None
    return {
        "due": day_of(window["due"]),
        "filed": when_shown(window["filed"]),
        "verdict": choice(window["verdict"], window["verdict_label"]),
    }


def _extension_listed(
    request: HttpRequest, extension: ExtensionRequest, stage: ExtensionStage, as_of: dt.date, is_today: bool
) -> dict[str, Any]:
    decided = stage != ExtensionStage.PENDING
    granted = stage == ExtensionStage.GRANTED
    obligation = extension.obligation
    article = int(obligation.article)
    return {
        **_state_links(request, obligation, as_of),
        "article": article,
        "kind": KINDS[article],
        "stage": choice(stage.value, stage.label),
        "deadline_extended": when(extension.previous),
        "submitted": when(extension.submitted),
        "requested_until": when(extension.requested),
        "meeting": meeting_ref(request, extension.meeting),
        "filing_window": _window_out(selectors.filing_window(extension)),
        "decided": when(extension.decided) if decided else None,
        "in_force_from": extension.in_force_from if granted else None,
        "granted_until": when(extension.granted) if granted else None,
        "confidence": choice(extension.confidence, Confidence.choices),
        # Sources report the outcome: given once the meeting has decided (or on today's view).
        "source": extension.source if decided or is_today else None,
        "notes": (extension.notes or None) if is_today else None,
    }


class ExtensionFilters(ObligationFilters):
    meeting: str | None = Field(
        None, pattern=r"^[A-Za-z0-9-]{1,12}$", description=_lazy("Only those considered at this meeting (its code).")
    )
    stage: Literal[tuple(ExtensionStage.values)] | None = Field(  # type: ignore[valid-type]
        None, description=_lazy("Only those at this stage on the day shown.")
    )


@router.get(
    "/extensions",
    response={200: list[ExtensionListed], 422: Problem},
    url_name="extensions",
    summary=_lazy("Requests to extend Art. 3 and Art. 4 deadlines, as of a day"),
)
@decorate_view(conditional)
@paginate(Page)
def extensions(request: HttpRequest, filters: Query[ExtensionFilters]) -> Mapped:
    """Every request to extend a deadline (Art. 3(3)–(5), Art. 4(5)–(8)) made by `as_of` (today when omitted),
    by State, article and the day it became known, each at its stage that day: the outcome, the new deadline
    and the day it holds from only once decided. Filter by `state`, `article`, `meeting` and `stage`."""
    as_of, is_today = filters.day(), filters.day() == clock.today()
    rows = ExtensionRequest.objects.select_related("obligation__state", "meeting")
    if filters.state:
        rows = rows.filter(obligation__state__iso3=filters.state.upper())
    if filters.article:
        rows = rows.filter(obligation__article=filters.article)
    if filters.meeting:
        rows = rows.filter(meeting__code__iexact=filters.meeting)
    # A request is a fact from the day it is known (``ExtensionRequest.stage_on``), a rule on dates with their
    # precision: it is applied on the rows (a few dozen in all: one query whatever the page).
    known = [(e, stage) for e in rows if (stage := e.stage_on(as_of)) is not None]
    if filters.stage:
        known = [(e, stage) for e, stage in known if stage == filters.stage]
    known.sort(
        key=lambda pair: (pair[0].obligation.state.name, pair[0].obligation.article, pair[0].known_from, pair[0].pk)
    )
    return Mapped(known, lambda pair: _extension_listed(request, pair[0], pair[1], as_of, is_today))
