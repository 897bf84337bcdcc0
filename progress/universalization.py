"""Universalization figures of the "progress to date" dashboard: the UN sub-regions (M49) entirely made of
States Parties on a date, and the table of every sub-region and ISU region (``parties.universalization``).

The figure is counted from the facts the dashboard already read (no query of its own); the table reads
the registry once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from parties import universalization
from progress.membership import Facts, display
from progress.types import Figure

SECTION_UNIVERSALIZATION = "universalization"
FREE_AREAS = "cluster-munition-free-subregions"


def figures(*, as_of: dt.date, audience: str, facts: Facts) -> list[Figure]:
    """The figures of this section; none rests on restricted data (``audience`` kept for symmetry)."""
    view = universalization.overview(as_of, facts.states.values())
    free = view.free_areas
    return [
        Figure(
            key=FREE_AREAS,
            section=SECTION_UNIVERSALIZATION,
            label=_("Cluster-munition-free sub-regions"),
            numerator=len(free),
            denominator=len(view.areas),
            # The States of those sub-regions: the figure's page lists them.
            states=tuple(sorted(code for area in free for code in area.states["state_party"])),
            breakdown={area.key: area.parties for area in free},
            definition=_(
                "UN sub-regions (M49 intermediate region where there is one, otherwise sub-region) in which every "
                "State was a State Party on the date, out of all the sub-regions. A sub-region counts from the "
                "deposit of the last of its States' instruments, and no longer once a withdrawal takes effect. "
                "The breakdown gives the number of States of each."
            ),
            source=str(universalization.SOURCE),
        )
    ]


def table(as_of: dt.date) -> dict[str, Any]:
    """What the dashboard's universalization table shows (and its JSON twin): one query."""
    view = universalization.overview(as_of)
    return {
        "areas": [_area_row(area, view) for area in view.areas],
        "regions": [universalization.group_data(region, view.names) for region in view.regions],
        "source": str(universalization.SOURCE),
        "note": _(
            "States outside the Convention have no ISU region: they are counted in the UN sub-regions only. "
            "A State that signed but has not deposited an instrument counts as a signatory."
        ),
    }


def _area_row(area: universalization.Group, view: universalization.Overview) -> dict[str, Any]:
    row = universalization.group_data(area, view.names)
    row["m49_region_label"] = str(universalization.M49_REGION_LABELS.get(area.m49_region, area.m49_region))
    row["cluster_munition_free_since_display"] = display(area.complete_since) if area.complete_since else ""
    return row
