"""Treaty figures of the "progress to date" dashboard: membership, Art. 3 and Art. 4 completion,
Art. 9 national implementation measures and Art. 6 country coalitions, as of any date.

Nothing is stored: every figure is counted from the registry's dates for the day asked. ``load``
reads what all the figures need in four queries (five with the deadlines of the figure page),
whatever the number of States, obligations or records; ``figures`` counts; ``rows`` gives the
facts behind one figure, State by State, for its page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from assistance.selectors.coalitions import CoalitionRecord, coalition_records_on
from parties.dates import PartialDate, Precision
from parties.models import (
    Article,
    Confidence,
    ExtensionRequest,
    MeasuresStatus,
    MembershipStatus,
    NationalMeasures,
    Obligation,
    ObligationStatus,
    PublishedFigure,
    PublishedFigureTopic,
    Region,
    State,
)
from progress import reporting_rates
from progress.types import Coverage, Figure

# Sections, in the order of the Convention's articles (labels: ``progress.selectors.section_label``).
SECTION_MEMBERSHIP = "membership"
SECTION_STOCKPILES = "stockpile_destruction"
SECTION_CLEARANCE = "clearance"
SECTION_COOPERATION = "cooperation"
SECTION_NATIONAL_MEASURES = "national_implementation"

PARTIES = "states-parties"
SIGNATORIES = "signatories"
IN_FORCE = "in-force"
WITHDRAWN = "withdrawals"
ART3_COMPLETED = "art3-completed"
ART4_COMPLETED = "art4-completed"
ART9 = {
    MeasuresStatus.ADOPTED: "art9-adopted",
    MeasuresStatus.EXISTING_LAW: "art9-existing-law",
    MeasuresStatus.IN_PROGRESS: "art9-in-progress",
    MeasuresStatus.NONE_KNOWN: "art9-none-known",
}
ART9_NO_INFORMATION = "art9-no-information"
COALITIONS = "coalitions"

KEYS = (
    PARTIES,
    SIGNATORIES,
    IN_FORCE,
    WITHDRAWN,
    ART3_COMPLETED,
    ART4_COMPLETED,
    *ART9.values(),
    ART9_NO_INFORMATION,
    COALITIONS,
)


@dataclass
class Facts:
    """Everything the figures count, read once for ``as_of``."""

    as_of: dt.date
    states: dict[int, State]  # every State of the registry, each annotated with its ``status`` on as_of
    obligations: list[Obligation]  # Art. 3 and Art. 4, each with its State from ``states``
    measures: dict[int, dict[str, Any]]  # State id → its latest Art. 9 record in effect on as_of
    coalitions: list[CoalitionRecord]  # established on or before as_of (from a bound, if only that is known)
    coalition_events: tuple[CoalitionRecord, ...] = ()  # events of the concept held by as_of
    # Published Art. 9 totals known by as_of ("31 of 110 States Parties had adopted legislation").
    published_measures: tuple[PublishedFigure, ...] = ()

    def with_status(self, status: MembershipStatus) -> list[State]:
        return [s for s in self.states.values() if s.status == status]

    def by_iso3(self) -> dict[str, State]:
        return {s.iso3: s for s in self.states.values()}


def load(as_of: dt.date, *, deadlines: bool = False) -> Facts:
    """Six queries: States, obligations, their completion records, Art. 9 records, coalitions, the published
    Art. 9 totals (a seventh, the
    extensions with their meetings, when ``deadlines`` is asked for: the figure page shows the deadline in
    force)."""
    states = {s.pk: s for s in State.objects.with_status(as_of).order_by("iso3")}
    # Every source's completion statement counts (``Obligation.status_on``): one query for all of them.
    obligations = Obligation.objects.order_by("article", "state_id").prefetch_related("completion_records")
    if deadlines:
        obligations = obligations.prefetch_related(
            Prefetch("extensions", queryset=ExtensionRequest.objects.select_related("meeting"))
        )
    obligations = list(obligations)
    for obligation in obligations:
        obligation.state = states[obligation.state_id]  # already loaded: no query per obligation
    measures: dict[int, dict[str, Any]] = {}
    # The latest record in effect on the day is the State's status then (records are history). A record
    # dated only to a month or year holds from the last day of that period (``NationalMeasures.holds_from``).
    for row in (
        NationalMeasures.objects.filter(effective_from__lte=as_of)
        .order_by("state_id", "-effective_from")
        .values("state_id", "status", "effective_from", "effective_precision", "source", "source_url", "notes")
    ):
        row["effective"] = PartialDate(row["effective_from"], Precision(row["effective_precision"]))
        held = measures.get(row["state_id"])
        if row["effective"].end <= as_of and (held is None or held["effective"].end < row["effective"].end):
            measures[row["state_id"]] = row
    coalitions, coalition_events = coalition_records_on(as_of)  # one query: both kinds of record
    published = PublishedFigure.objects.filter(topic=PublishedFigureTopic.LEGISLATION_ADOPTED, value__isnull=False)
    return Facts(
        as_of=as_of,
        states=states,
        obligations=obligations,
        measures=measures,
        coalitions=coalitions,
        coalition_events=tuple(coalition_events),
        published_measures=tuple(f for f in published if f.known_from <= as_of),
    )


# --- Figures ----------------------------------------------------------------------------------------
def figures(*, as_of: dt.date, audience: str, facts: Facts | None = None) -> list[Figure]:
    """Every figure of this module as of ``as_of``. None rests on restricted data, so the public and
    the ISU see the same ones (``audience`` is taken for symmetry with the other figure modules)."""
    facts = facts or load(as_of)
    return [
        *_membership(facts),
        _completion(facts, Article.STOCKPILE_DESTRUCTION),
        _completion(facts, Article.CLEARANCE),
        *_national_measures(facts),
        _coalitions(facts),
    ]


def _codes(states: Iterable[State]) -> tuple[str, ...]:
    return tuple(sorted(s.iso3 for s in states))


def _by_region(states: Iterable[State]) -> dict[str, int]:
    counts = Counter(s.region for s in states)
    return {region.value: counts[region.value] for region in Region}


def _registry_source() -> str:
    return _(
        "The depositary's records (UN Treaty Collection, MTDSG chapter XXVI-6) via the portal's registry of States; "
        "entry into force computed under Art. 17."
    )


def _membership(facts: Facts) -> list[Figure]:
    parties = facts.with_status(MembershipStatus.STATE_PARTY)
    signatories = facts.with_status(MembershipStatus.SIGNATORY)
    withdrawn = facts.with_status(MembershipStatus.WITHDRAWN)
    in_force = [s for s in parties if s.is_bound_on(facts.as_of)]
    source = _registry_source()
    return [
        Figure(
            key=PARTIES,
            section=SECTION_MEMBERSHIP,
            label=_("States Parties"),
            numerator=len(parties),
            states=_codes(parties),
            breakdown=_by_region(parties),
            definition=_(
                "States that deposited an instrument of ratification, acceptance, approval or accession on or before "
                "the date, less those whose withdrawal had taken effect by then (Art. 20). Counted from the deposit, "
                "as the depositary counts, not from entry into force."
            ),
            source=source,
        ),
        Figure(
            key=SIGNATORIES,
            section=SECTION_MEMBERSHIP,
            label=_("Signatories not yet States Parties"),
            numerator=len(signatories),
            states=_codes(signatories),
            breakdown=_by_region(signatories),
            definition=_(
                "States that had signed the Convention on or before the date (Art. 15) and had not yet deposited an "
                "instrument of ratification, acceptance or approval."
            ),
            source=source,
        ),
        Figure(
            key=IN_FORCE,
            section=SECTION_MEMBERSHIP,
            label=_("States Parties for which the Convention is in force"),
            numerator=len(in_force),
            denominator=len(parties),
            states=_codes(in_force),
            out_of=_codes(parties),
            breakdown=_by_region(in_force),
            definition=_(
                "States Parties for which the Convention had entered into force on or before the date, out of all "
                "States Parties then. Entry into force follows Art. 17: 1 August 2010 for the first thirty "
                "instruments, otherwise the first day of the sixth month after the deposit. Obligations and "
                "reporting deadlines run from that day."
            ),
            source=source,
        ),
        Figure(
            key=WITHDRAWN,
            section=SECTION_MEMBERSHIP,
            label=_("Former States Parties (withdrawal in effect)"),
            numerator=len(withdrawn),
            states=_codes(withdrawn),
            breakdown=_by_region(withdrawn),
            definition=_(
                "States whose withdrawal had taken effect on or before the date: six months after the depositary "
                "received the notification, later if deferred by armed conflict (Art. 20)."
            ),
            source=source,
        ),
    ]


def _obligation_population(facts: Facts, article: Article) -> list[tuple[Obligation, ObligationStatus]]:
    """The States Parties on the date with a recorded obligation under ``article`` that was in force for
    them, or already completed, by then: ``Obligation.status_on`` other than "not yet bound"."""
    population = []
    for obligation in facts.obligations:
        if obligation.article != article or obligation.state.status != MembershipStatus.STATE_PARTY:
            continue
        status = obligation.status_on(facts.as_of)
        if status != ObligationStatus.NOT_YET_BOUND:
            population.append((obligation, status))
    return population


def _completion(facts: Facts, article: Article) -> Figure:
    population = _obligation_population(facts, article)
    done = [o for o, status in population if status == ObligationStatus.COMPLETED]
    confidence = Counter(o.confidence for o in done)
    precision = _(
        "A completion the sources date only to a month or a year counts from the last day of that month or year, "
        "when it has certainly happened (before that it is shown as completed around that date, not yet counted); "
        'a completion known only as "by" a date counts from that date. Each completion carries the confidence '
        "of its sources (breakdown)."
    )
    if article == Article.STOCKPILE_DESTRUCTION:
        return Figure(
            key=ART3_COMPLETED,
            section=SECTION_STOCKPILES,
            label=_("States Parties that completed stockpile destruction"),
            numerator=len(done),
            denominator=len(population),
            states=_codes(o.state for o in done),
            out_of=_codes(o.state for o, _status in population),
            breakdown={c.value: confidence[c.value] for c in Confidence},
            definition=_(
                "States Parties whose destruction of stockpiled cluster munitions (Art. 3) was complete on or before "
                "the date, out of the States Parties with a recorded Art. 3 obligation that was in force for them or "
                "already completed by then. States that withdrew leave both counts."
            )
            + " "
            + precision,
            source=_(
                "Art. 3 obligations recorded by the ISU (obligations.csv: ISU news, Cluster Munition Monitor, CMC "
                "statements, Art. 7 reports), each with its confidence."
            ),
        )
    return Figure(
        key=ART4_COMPLETED,
        section=SECTION_CLEARANCE,
        label=_("States Parties that completed clearance"),
        numerator=len(done),
        denominator=len(population),
        states=_codes(o.state for o in done),
        out_of=_codes(o.state for o, _status in population),
        breakdown={c.value: confidence[c.value] for c in Confidence},
        definition=_(
            "States Parties that had cleared and destroyed all cluster munition remnants in areas under their "
            "jurisdiction or control (Art. 4) on or before the date, out of the States Parties with a recorded Art. 4 "
            "obligation that was in force for them or already completed by then. A completion counts from the day a "
            "source dates it to, or from the latest day a source shows it complete. States that withdrew leave both "
            "counts."
        )
        + " "
        + precision,
        source=_(
            "Art. 4 obligations recorded by the ISU (obligations.csv: declarations of compliance, ISU news, Cluster "
            "Munition Monitor, Art. 7 reports), each with its confidence."
        ),
    )


def _national_measures(facts: Facts) -> list[Figure]:
    parties = facts.with_status(MembershipStatus.STATE_PARTY)
    out_of = _codes(parties)
    source = _(
        "The ISU's record of each State Party's national implementation measures (Art. 7 reports, Form A; the "
        "laws themselves), each record with its source."
    )
    rule = _(
        "Each State Party counts once, under its latest record in effect on the date (the record's \"in effect "
        'from" day on or before the date). The five Art. 9 figures add up to the States Parties.'
    )
    definitions = {
        MeasuresStatus.ADOPTED: _(
            "States Parties that had adopted specific legal, administrative or other measures, including penal "
            "sanctions, to implement the Convention (Art. 9), out of all States Parties on the date."
        ),
        MeasuresStatus.EXISTING_LAW: _(
            "States Parties that considered their existing law sufficient to implement the Convention (Art. 9), out "
            "of all States Parties on the date."
        ),
        MeasuresStatus.IN_PROGRESS: _(
            "States Parties whose implementation measures (Art. 9) were being prepared or adopted, out of all States "
            "Parties on the date."
        ),
        MeasuresStatus.NONE_KNOWN: _(
            "States Parties for which the ISU recorded that no implementation measures (Art. 9) were known, out of "
            "all States Parties on the date."
        ),
    }
    result = []
    unknown = [s for s in parties if s.pk not in facts.measures]
    # What the records cover: the States Parties with an Art. 9 status in effect. The others have no record
    # (neither counted as having measures nor as lacking them), and a published total of States with
    # legislation is shown beside the computed one, with how much of the difference that gap can explain.
    coverage = Coverage(recorded=len(parties) - len(unknown), of=len(parties), no_record=_codes(unknown))
    published = reporting_rates.nearest_published(
        list(facts.published_measures), PublishedFigureTopic.LEGISLATION_ADOPTED
    )
    for status, key in ART9.items():
        members = [s for s in parties if facts.measures.get(s.pk, {}).get("status") == status]
        result.append(
            Figure(
                coverage=coverage,
                published=published if status == MeasuresStatus.ADOPTED else None,
                key=key,
                section=SECTION_NATIONAL_MEASURES,
                label=str(status.label),
                numerator=len(members),
                denominator=len(parties),
                states=_codes(members),
                out_of=out_of,
                breakdown=_by_region(members),
                definition=f"{definitions[status]} {rule}",
                source=source,
            )
        )
    result.append(
        Figure(
            key=ART9_NO_INFORMATION,
            section=SECTION_NATIONAL_MEASURES,
            label=_("No information recorded"),
            numerator=len(unknown),
            denominator=len(parties),
            states=_codes(unknown),
            out_of=out_of,
            breakdown=_by_region(unknown),
            definition=_(
                "States Parties on the date for which the ISU had recorded no Art. 9 status in effect by then."
            )
            + " "
            + rule,
            source=source,
        )
    )
    return result


def _coalitions(facts: Facts) -> Figure:
    states = [facts.states[c.state_id] for c in facts.coalitions]
    events = "; ".join(
        _("%(date)s, %(names)s (%(source)s)") % {"date": _partial_display(e.date), "names": e.names, "source": e.source}
        for e in facts.coalition_events
    )
    definition = _(
        "Country coalitions established on or before the date: an affected State and its partners grouped around "
        "its needs, the concept introduced by the 7MSP Presidency in 2017 (Art. 6; Lausanne Action Plan). A "
        "coalition no source dates counts from the latest date a source shows it existed; one only discussed is "
        "not counted. One coalition per State; a plain count, not a share."
    )
    if events:
        definition += " " + _("Events of the concept by the date: %(events)s.") % {"events": events}
    return Figure(
        key=COALITIONS,
        section=SECTION_COOPERATION,
        label=_("Country coalitions formed"),
        numerator=len(states),
        states=_codes(states),
        breakdown=_by_region(states),
        definition=definition,
        source=_(
            "The ISU's record of country coalitions (country_coalitions.csv, assistance registry), each with its "
            "source."
        ),
    )


def _partial_display(date) -> str:
    return display(date.start) if date.precision == Precision.DAY else date.display()


# --- The States behind a figure --------------------------------------------------------------------
def display(day: dt.date) -> str:
    """A day as the portal's pages show it (the same translatable format as ``includes/date.html``)."""
    return dateformat.format(day, pgettext("long date format, Django date filter syntax", "j F Y"))


def _date(day: dt.date | None, label: str) -> dict[str, Any]:
    return {
        "date": day.isoformat() if day else None,
        "date_display": display(day) if day else "",
        "date_label": label,
        "precision": Precision.DAY.value if day else None,
        "precision_label": "",
    }


def base_row(state: State, as_of: dt.date) -> dict[str, Any]:
    """What every row shows: the State, its region and a link to its profile as of the same date."""
    return {
        "iso3": state.iso3,
        "name": state.local_name,
        "region": state.region,
        "region_label": str(Region(state.region).label) if state.region in Region.values else state.region,
        "url": f"{state.get_absolute_url()}?as_of={as_of.isoformat()}",
        "date": None,
        "date_display": "",
        "date_label": "",
        "precision": None,
        "precision_label": "",
        "status": None,
        "status_label": "",
        "confidence": None,
        "confidence_label": "",
        "source": "",
        "source_url": "",
        "note": "",
    }


def _membership_row(key: str) -> Callable[[State, Facts], dict[str, Any]]:
    def row(state: State, facts: Facts) -> dict[str, Any]:
        if key == SIGNATORIES:
            return _date(state.signature_date, _("Signature"))
        if key == WITHDRAWN:
            facts_ = _date(state.withdrawal_effective_on, _("Withdrawal effective"))
            if state.withdrawal_notified_on:
                facts_["note"] = _("Notified on %(date)s.") % {"date": display(state.withdrawal_notified_on)}
            return facts_
        if key == IN_FORCE:
            eif = state.entry_into_force
            return _date(eif, _("Entry into force") if eif and eif <= facts.as_of else _("Enters into force"))
        facts_ = _date(state.deposit_date, _("Deposit of instrument"))
        if state.deposit_type:
            facts_["note"] = str(state.get_deposit_type_display())
        return facts_

    return row


def _obligation_row(article: Article) -> Callable[[State, Facts], dict[str, Any]]:
    def row(state: State, facts: Facts) -> dict[str, Any]:
        obligation = next((o for o in facts.obligations if o.state_id == state.pk and o.article == article), None)
        if obligation is None:
            return {}
        status = obligation.status_on(facts.as_of)
        when = _completion_when(obligation, facts.as_of)
        if when is None:
            when = _date(obligation.deadline_on(facts.as_of), _("Deadline in force on the date"))
        return when | {
            "status": status.value,
            "status_label": str(status.label),
            "confidence": obligation.confidence,
            "confidence_label": str(obligation.get_confidence_display()),
            "source": obligation.source,
        }

    return row


def _completion_when(obligation: Obligation, as_of: dt.date) -> dict[str, Any] | None:
    """The completion a figure's row shows on ``as_of``, from every source's statement known by then: the
    statement that shows it certainly complete earliest, else one that places it around then (a month or a
    year that has begun); None when no statement is known by then."""
    certain, around = [], []
    for completion, bound in obligation.completion_statements():
        if completion and completion.end <= as_of:
            certain.append((completion.end, completion, None))
        if bound and bound <= as_of:
            certain.append((bound, None, bound))
        if completion and completion.start <= as_of < completion.end:
            around.append((completion.start, completion, None))
    found = min(certain, key=lambda c: c[0]) if certain else (min(around, key=lambda c: c[0]) if around else None)
    if found is None:
        return None
    _day, completion, bound = found
    if completion is None:
        return _date(bound, _("Completed at the latest by"))
    return {
        "date": completion.isoformat(),
        "date_display": _partial_display(completion),
        "date_label": _("Completed"),
        "precision": completion.precision.value,
        "precision_label": str(completion.precision.label) if completion.precision != Precision.DAY else "",
    }


def _measures_row(state: State, facts: Facts) -> dict[str, Any]:
    record = facts.measures.get(state.pk)
    if record is None:
        return _date(state.deposit_date, _("Deposit of instrument")) | {"note": _("No Art. 9 record in effect.")}
    status = MeasuresStatus(record["status"])
    effective = record["effective"]
    return {
        "date": effective.isoformat(),
        "date_display": _partial_display(effective),
        "date_label": _("In effect from"),
        "precision": effective.precision.value,
        "precision_label": str(effective.precision.label) if effective.precision != Precision.DAY else "",
    } | {
        "status": status.value,
        "status_label": str(status.label),
        "source": record["source"],
        "source_url": record["source_url"],
        "note": record["notes"],
    }


def _coalition_row(state: State, facts: Facts) -> dict[str, Any]:
    coalition = next((c for c in facts.coalitions if c.state_id == state.pk), None)
    if coalition is None:
        return {}
    date = coalition.date
    count = coalition.partner_count
    partners = coalition.names or ngettext("%(count)s partner", "%(count)s partners", count) % {"count": count}
    return {
        "date": date.isoformat(),
        "date_display": _partial_display(date),
        "date_label": _("Established at the latest by") if coalition.bound else _("Established"),
        "precision": date.precision.value,
        "precision_label": str(date.precision.label) if date.precision != Precision.DAY else "",
        "source": coalition.source,
        "note": partners,
    }


ROW_FACTS: dict[str, Callable[[State, Facts], dict[str, Any]]] = {
    **{key: _membership_row(key) for key in (PARTIES, SIGNATORIES, IN_FORCE, WITHDRAWN)},
    ART3_COMPLETED: _obligation_row(Article.STOCKPILE_DESTRUCTION),
    ART4_COMPLETED: _obligation_row(Article.CLEARANCE),
    **dict.fromkeys((*ART9.values(), ART9_NO_INFORMATION), _measures_row),
    COALITIONS: _coalition_row,
}


def rows(figure: Figure, facts: Facts) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The States behind ``figure`` (its numerator) and those in its denominator but not in its numerator,
    each sorted by name, with the date and source that put it there. Works for any figure: those of
    other modules get the State, its region and the link only."""
    by_code = facts.by_iso3()
    details = ROW_FACTS.get(figure.key)

    def build(codes: Iterable[str]) -> list[dict[str, Any]]:
        out = []
        for code in codes:
            state = by_code.get(code)
            if state is None:
                continue
            row = base_row(state, facts.as_of)
            if details is not None:
                row |= details(state, facts)
            out.append(row)
        return sorted(out, key=lambda r: r["name"])

    inside = set(figure.states)
    others = [code for code in figure.out_of or () if code not in inside]
    return build(figure.states), build(others)
