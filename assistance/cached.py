"""What the assistance pages compute from the data alone, kept in the default cache (Redis in production, local
memory in ``make run``) until the data changes, as the dashboard's figures are (``progress.cached``).

The key holds the public data's version (``ccm_portal.core.data_version``: every committed write to reports,
assistance and the register moves it, so nothing kept is ever stale), the part, and everything else the answer
depends on: for the overview's figures, the filters; for the reconciliation, the SQL of the versions the reader
may read (their access, written out by ``assistance.access.reconciled_versions``), the States they see and the
year; for the matching board's best candidates of a request, the request, how many and the ranking's weights (a
setting). What is kept is plain picklable
data (no translated text: labels are read when the page is rendered), never anything of one reader's visit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from django.core.cache import cache

from assistance import access, ranking
from assistance.models import AssistanceRequest
from assistance.reconciliation import Reconciliation, Scope, reconcile, reconciled_years
from assistance.selectors import board
from assistance.selectors.funding import Funding
from assistance.selectors.overview import OverviewFigures, open_request_figures
from ccm_portal.core import data_version
from reporting.models import ReportVersion

T = TypeVar("T")


def _digest(depends_on: tuple) -> str:
    return hashlib.sha256(repr(depends_on).encode()).hexdigest()[:32]


def _kept(part: str, depends_on: tuple, compute: Callable[[], T]) -> T:
    return data_version.kept(("assistance", part, _digest(depends_on)), compute)


def _reader(user: Any, scope: Scope) -> tuple:
    """What the reconciliation's answer depends on of the reader: the versions they may read (as SQL, so two
    readers with the same access share an answer) and the rows they see."""
    sql, params = ReportVersion.objects.filter(access.reconciled_versions(user)).query.sql_with_params()
    states = None if scope.state_ids is None else tuple(sorted(scope.state_ids))
    return (sql, tuple(map(str, params)), states, scope.donor_only)


def years(*, user: Any, scope: Scope) -> list[int]:
    """``reconciliation.reconciled_years``, kept."""
    return _kept("years", _reader(user, scope), lambda: reconciled_years(user=user, scope=scope))


def reconciliation(*, user: Any, scope: Scope, year: int | None) -> Reconciliation:
    """``reconciliation.reconcile`` for ``year`` (None: every year), kept."""
    return _kept("reconciliation", (*_reader(user, scope), year), lambda: reconcile(user=user, scope=scope, year=year))


def overview_figures(
    *, area_id: int | None = None, region: str | None = None, currency: str | None = None, per_request: bool = False
) -> OverviewFigures:
    """``selectors.overview.open_request_figures`` for these filters, kept: the same for every reader (the figures
    are public). Without ``per_request`` its ``funding`` (each open request's, for the largest gaps) is left out,
    so that pages showing the sums alone do not read it back."""

    def compute() -> OverviewFigures:
        figures = open_request_figures(area_id=area_id, region=region, currency=currency)
        return figures if per_request else replace(figures, funding={})

    return _kept("overview", (area_id, region, currency, per_request), compute)


def best_offers(requests: list[AssistanceRequest], money: dict[int, Funding], top: int) -> dict[int, board.Chosen]:
    """``selectors.board.best_offers``, kept per request, read for a page in one round trip: only the requests
    whose choice is not kept are ranked (against every active offer), together.

    The choice is the same for every reader: it depends on the request, its funding and every active offer,
    whoever asks (the board is for coordinators and the ISU, who read every offer; a request the reader may not
    see is not on their page), and on no language (the reasons are written when shown). ``money`` is the data's
    too, so the data version covers it."""
    token, _changed = data_version.current()
    weights = tuple(sorted(ranking.weights().items()))
    names = {r.pk: f"assistance:board:{token}:{_digest((r.pk, top, weights))}" for r in requests}
    found = cache.get_many(list(names.values()))
    chosen = {pk: found[name] for pk, name in names.items() if name in found}
    missing = [r for r in requests if r.pk not in chosen]
    if missing:
        computed = board.best_offers(missing, money, top)
        cache.set_many({names[pk]: value for pk, value in computed.items()}, data_version.KEPT_SECONDS)
        chosen.update(computed)
    return chosen
