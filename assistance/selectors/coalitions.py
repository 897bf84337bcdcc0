"""Reads on country coalitions: the public list, a coalition's page (the State's requests with their funding,
its partners' pledges, its meetings), and the coalitions and events of the concept known by a day (the
dashboard's figures, ``progress``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, DateField, F, IntegerField, QuerySet, Value, When

from assistance.models import (
    AssistanceRequest,
    Coalition,
    CoalitionEvent,
    CoalitionEventKind,
    CoalitionMeeting,
    Donor,
    Match,
    MatchStatus,
    RequestStatus,
    dated_by,
)
from assistance.selectors.funding import funding
from parties.dates import PartialDate, Precision


def coalitions_with_partner_counts() -> QuerySet[Coalition]:
    """Every coalition with its State and ``partner_count``, in one query (the public list)."""
    return Coalition.objects.select_related("state").annotate(partner_count=Count("partners")).order_by("state__name")


@dataclass
class CoalitionPage:
    coalition: Coalition
    partners: list[Donor]
    requests: list[AssistanceRequest]  # each with ``.funding``
    pledges: list[Match]
    meetings: list[CoalitionMeeting]


def coalition_page(coalition: Coalition, *, visible: QuerySet[AssistanceRequest]) -> CoalitionPage:
    """The affected State's requests that the reader may see (with their funding), its partners'
    matches to them (declined ones left out), and the coalition's meetings. Five queries."""
    partners = list(coalition.partners.select_related("state").order_by("state__name", "organization"))
    requests = list(
        visible.filter(state_id=coalition.state_id)
        .select_related("area")
        .order_by(Case(When(status=RequestStatus.OPEN, then=Value(0)), default=Value(1)), "-period_start", "-pk")
    )
    funding_of = funding(requests)
    for request in requests:
        request.funding = funding_of[request.pk]
    pledges = list(
        Match.objects.filter(
            request__in=visible.filter(state_id=coalition.state_id).values("pk"), offer__donor__coalitions=coalition
        )
        .exclude(status=MatchStatus.DECLINED)
        .select_related("request", "offer__donor__state")
        .order_by("offer__donor__state__name", "offer__donor__organization", "-created_at")
    )
    meetings = list(coalition.meetings.order_by("-date", "-pk"))
    return CoalitionPage(coalition=coalition, partners=partners, requests=requests, pledges=pledges, meetings=meetings)


@dataclass(frozen=True)
class CoalitionRecord:
    """A country coalition established by a day, or an event of the concept held by then, as the
    dashboard shows it: its date as precise as its source (``bound``: only "by" that day is known)."""

    state_id: int | None
    date: PartialDate
    bound: bool
    names: str  # the partners, or who convened the event, as the source names them
    source: str
    partner_count: int = 0

    @property
    def counts_from(self) -> dt.date:
        return self.date.start if self.bound else self.date.end


def coalition_records_on(day: dt.date) -> tuple[list[CoalitionRecord], list[CoalitionRecord]]:
    """The coalitions established on or before ``day`` and the concept's events held by then (a
    coalition only discussed is neither), each in the order it became true. One query."""
    coalitions = (
        Coalition.objects.established_on(day)
        .order_by()
        .annotate(
            record=Value("coalition", output_field=CharField()),
            partner_count=Count("partners"),
            day=F("formed_on"),
            precision=F("formed_precision"),
            bound=F("formed_by"),
            names=F("partner_names"),
        )
        .values_list("record", "state_id", "day", "precision", "bound", "names", "source", "partner_count")
    )
    events = (
        CoalitionEvent.objects.filter(dated_by(day, "held_on", "held_precision"), kind=CoalitionEventKind.CONCEPT)
        .order_by()
        .annotate(
            record=Value("event", output_field=CharField()),
            partner_count=Value(0, output_field=IntegerField()),
            day=F("held_on"),
            precision=F("held_precision"),
            bound=Value(None, output_field=DateField()),
            names=F("participants"),
        )
        .values_list("record", "state_id", "day", "precision", "bound", "names", "source", "partner_count")
    )
    found: dict[str, list[CoalitionRecord]] = {"coalition": [], "event": []}
    for record, state_id, day_, precision, bound, names, source, partner_count in coalitions.union(events, all=True):
        date = PartialDate(day_, Precision(precision)) if day_ else PartialDate(bound, Precision.DAY)
        found[record].append(
            CoalitionRecord(
                state_id=state_id,
                date=date,
                bound=day_ is None,
                names=names,
                source=source,
                partner_count=partner_count,
            )
        )
    for records in found.values():
        records.sort(key=lambda r: (r.counts_from, r.state_id or 0, r.names))
    return found["coalition"], found["event"]
