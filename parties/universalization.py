"""Universalization as the ISU tells it: by ISU region and by UN sub-region (M49), how many States were
Parties, signatories, former Parties or outside the Convention on a date, and which sub-regions were
entirely States Parties ("cluster-munition-free sub-regions").

Reads only. The UN Statistics Division's M49 standard (``fixtures/m49_areas.csv``: every UN member State
and the non-member States of the Convention's world) is read once per process; the registry once per
call. Membership on a date comes from ``State.objects.participants`` (``with_status``), so the status
rules stay in ``parties.models``.

The area of a State is its M49 *intermediate region* where it has one (Eastern, Middle, Southern and
Western Africa; the Caribbean, Central America, South America), otherwise its sub-region (Northern
America, Western Asia, Polynesia...). States outside the Convention are not in the registry and so have
no ISU region: they are counted in the M49 areas only.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from parties.models import MembershipStatus, Region, State
from parties.names import state_name

M49_FILE = "m49_areas.csv"
OUTSIDE = "outside"  # in the M49 list, neither signatory nor Party (nor former Party) on the date
STATUSES = (MembershipStatus.STATE_PARTY.value, MembershipStatus.SIGNATORY.value, MembershipStatus.WITHDRAWN.value)

# The M49 names as the pages show them (the file keeps the UN's English names as data keys).
AREA_LABELS = {
    "Northern Africa": _("Northern Africa"),
    "Eastern Africa": _("Eastern Africa"),
    "Middle Africa": _("Middle Africa"),
    "Southern Africa": _("Southern Africa"),
    "Western Africa": _("Western Africa"),
    "Caribbean": _("Caribbean"),
    "Central America": _("Central America"),
    "South America": _("South America"),
    "Northern America": _("Northern America"),
    "Central Asia": _("Central Asia"),
    "Eastern Asia": _("Eastern Asia"),
    "South-eastern Asia": _("South-eastern Asia"),
    "Southern Asia": _("Southern Asia"),
    "Western Asia": _("Western Asia"),
    "Eastern Europe": _("Eastern Europe"),
    "Northern Europe": _("Northern Europe"),
    "Southern Europe": _("Southern Europe"),
    "Western Europe": _("Western Europe"),
    "Australia and New Zealand": _("Australia and New Zealand"),
    "Melanesia": _("Melanesia"),
    "Micronesia": _("Micronesia"),
    "Polynesia": _("Polynesia"),
}
M49_REGION_LABELS = {
    "Africa": _("Africa"),
    "Americas": _("Americas"),
    "Asia": _("Asia"),
    "Europe": _("Europe"),
    "Oceania": _("Oceania"),
}
SOURCE = _(
    "Areas: UN Statistics Division, Standard country or area codes for statistical use (M49), intermediate region "
    "where there is one, otherwise sub-region; every UN member State and the Holy See, the State of Palestine, the "
    "Cook Islands and Niue. Membership: the depositary's records (UN Treaty Collection, MTDSG chapter XXVI-6) via "
    "the portal's registry of States."
)


@dataclass(frozen=True)
class M49Entry:
    iso3: str
    name: str
    code: str  # the M49 numeric code, three digits
    region: str
    subregion: str
    intermediate_region: str
    source: str

    @property
    def area(self) -> str:
        return self.intermediate_region or self.subregion


@functools.cache
def m49() -> dict[str, M49Entry]:
    """Every State of the M49 file by ISO3 code (read once per process)."""
    path = settings.BASE_DIR / "fixtures" / M49_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            M49Entry(
                iso3=row["iso3"],
                name=row["name"],
                code=row["m49_code"],
                region=row["region"],
                subregion=row["subregion"],
                intermediate_region=row["intermediate_region"],
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        ]
    return {row.iso3: row for row in rows}


def area_label(area: str) -> str:
    return str(AREA_LABELS.get(area, area))


@dataclass(frozen=True)
class Group:
    """The States of one M49 area or one ISU region on a date, by status (ISO3 codes, sorted by name)."""

    key: str  # the M49 area's English name, or the ``Region`` value
    label: str
    m49_region: str  # the M49 region of an area ("" for an ISU region)
    states: dict[str, tuple[str, ...]]  # status (``STATUSES`` and, for M49 areas, ``OUTSIDE``) → codes
    complete_since: dt.date | None = None  # entirely States Parties since (the last deposit among them)

    def count(self, status: str) -> int:
        return len(self.states.get(status, ()))

    @property
    def total(self) -> int:
        return sum(len(codes) for codes in self.states.values())

    @property
    def parties(self) -> int:
        return self.count(MembershipStatus.STATE_PARTY)

    @property
    def signatories(self) -> int:
        return self.count(MembershipStatus.SIGNATORY)

    @property
    def withdrawn(self) -> int:
        return self.count(MembershipStatus.WITHDRAWN)

    @property
    def outside(self) -> int | None:
        """``None`` for an ISU region: States outside the Convention have none."""
        return None if OUTSIDE not in self.states else self.count(OUTSIDE)

    @property
    def cluster_munition_free(self) -> bool:
        return self.complete_since is not None


@dataclass(frozen=True)
class Overview:
    as_of: dt.date
    areas: tuple[Group, ...]  # M49 order: region, sub-region, intermediate region
    regions: tuple[Group, ...]  # the ISU's regions, participants only
    names: dict[str, str] = field(default_factory=dict)  # ISO3 → name (the registry's, else M49's)
    unplaced: tuple[str, ...] = ()  # participants the M49 file does not hold (none with the data as shipped)

    @property
    def free_areas(self) -> tuple[Group, ...]:
        """The cluster-munition-free sub-regions: every State of the area a State Party on the date."""
        return tuple(a for a in self.areas if a.cluster_munition_free)

    def area(self, key: str) -> Group:
        return next(a for a in self.areas if a.key == key)

    def area_of(self, iso3: str) -> Group | None:
        entry = m49().get(iso3)
        return None if entry is None else self.area(entry.area)


def overview(as_of: dt.date, states: Iterable[State] | None = None) -> Overview:
    """Universalization on ``as_of``. One query, or none when given ``states``: registry States annotated
    by ``State.objects.with_status(as_of)`` (e.g. the dashboard's facts); those with no status are outside."""
    if states is None:
        states = State.objects.participants(as_of).only("iso3", "name", "names", "region", "deposit_date")
    entries = m49()
    status_of: dict[str, str] = {}
    deposit_of: dict[str, dt.date | None] = {}
    # Every UN member in the reader's language (CLDR); a registry State below by its own name.
    names = {iso3: state_name(iso3, e.name) for iso3, e in entries.items()}
    by_region: dict[str, dict[str, list[str]]] = {r.value: {s: [] for s in STATUSES} for r in Region}
    unplaced = []
    for state in states:
        if not state.status:
            continue
        status_of[state.iso3] = state.status
        deposit_of[state.iso3] = state.deposit_date
        names[state.iso3] = state.local_name
        by_region.setdefault(state.region, {s: [] for s in STATUSES})[state.status].append(state.iso3)
        if state.iso3 not in entries:
            unplaced.append(state.iso3)

    def by_name(codes: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(codes, key=lambda c: names[c]))

    members: dict[str, list[M49Entry]] = {}
    for entry in sorted(entries.values(), key=lambda e: (e.region, e.subregion, e.intermediate_region)):
        members.setdefault(entry.area, []).append(entry)
    areas = []
    for key, entries_ in members.items():
        states_ = {status: [] for status in (*STATUSES, OUTSIDE)}
        for entry in entries_:
            states_[status_of.get(entry.iso3, OUTSIDE)].append(entry.iso3)
        parties = states_[MembershipStatus.STATE_PARTY]
        complete = len(parties) == len(entries_)
        areas.append(
            Group(
                key=key,
                label=area_label(key),
                m49_region=entries_[0].region,
                states={status: by_name(codes) for status, codes in states_.items()},
                complete_since=max(deposit_of[c] for c in parties) if complete else None,
            )
        )
    regions = tuple(
        Group(
            key=key,
            label=str(Region(key).label) if key in Region.values else key,
            m49_region="",
            states={status: by_name(codes) for status, codes in statuses.items()},
        )
        for key, statuses in by_region.items()
    )
    return Overview(as_of=as_of, areas=tuple(areas), regions=regions, names=names, unplaced=by_name(unplaced))


def group_data(group: Group, names: dict[str, str]) -> dict:
    """One area or region as open data (JSON)."""
    return {
        "key": group.key,
        "label": group.label,
        "m49_region": group.m49_region or None,
        "states_parties": group.parties,
        "signatories": group.signatories,
        "withdrawn": group.withdrawn,
        "outside": group.outside,
        "total": group.total,
        "cluster_munition_free": group.cluster_munition_free,
        "cluster_munition_free_since": group.complete_since,
        "states": {status: [{"iso3": c, "name": names[c]} for c in codes] for status, codes in group.states.items()},
    }


def state_summary(iso3: str, as_of: dt.date) -> dict | None:
    """The State's M49 area on ``as_of`` (for its page): how many of the area's States were Parties, and
    whether the area was entirely States Parties. ``None`` for a State the M49 file does not hold. One query."""
    entry = m49().get(iso3)
    if entry is None:
        return None
    view = overview(as_of)
    area = view.area(entry.area)
    return {
        "area": area.key,
        "area_label": area.label,
        "m49_region": entry.region,
        "m49_region_label": str(M49_REGION_LABELS.get(entry.region, entry.region)),
        "m49_code": entry.code,
        "states_parties": area.parties,
        "signatories": area.signatories,
        "withdrawn": area.withdrawn,
        "outside": area.outside,
        "total": area.total,
        "cluster_munition_free": area.cluster_munition_free,
        "cluster_munition_free_since": area.complete_since,
        "states_parties_list": [{"iso3": c, "name": view.names[c]} for c in area.states[MembershipStatus.STATE_PARTY]],
        "source": str(SOURCE),
        "as_of": as_of,
    }
