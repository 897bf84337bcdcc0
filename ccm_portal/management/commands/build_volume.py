"""``manage.py build_volume``: the full volume of issue 16 on the configured database, for measuring pages
as the years pile up (``make bench``, ``make bench-http``; README, "Measuring at full volume").

Every State x 15 years of published Article 7 annual updates of about 100 table rows each, 188 corrections,
40 reports in review, some restricted and some nil; 2,002 assistance requests, 501 offers, 1,335 matches;
focal points per State. Fewer States, years or rows on request; the same seed gives the same data (on the
same day: the years end with last year). Written with ``bulk_create`` in one transaction (the rows are
listed in ``ccm_portal.management.volume``), then ANALYZEd on PostgreSQL. Development and benchmarks only:
refused outside DEBUG unless ``--force``, and refused where a volume already is unless ``--flush`` removes it
first.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from ccm_portal.core import clock, data_version
from ccm_portal.management.volume import assistance, content, flush, people, reports
from ccm_portal.management.volume.plan import FULL_YEARS, Plan
from parties.models import State


class Command(BaseCommand):
    help = "Build the full benchmark volume (every State x 15 years of reports, assistance) from a seed."

    def add_arguments(self, parser):
        parser.add_argument("--states", type=int, default=None, help="Number of States (default: all).")
        parser.add_argument("--years", type=int, default=FULL_YEARS, help="Years of reports (default 15).")
        parser.add_argument("--rows", type=int, default=100, help="Table rows per report (default 100).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the data (default 1).")
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG (never on a real deployment).")
        parser.add_argument("--flush", action="store_true", help="Remove a previous volume first.")

    def handle(self, *args, states, years, rows, seed, force, flush: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("The volume is for development and benchmarks (DJANGO_DEBUG=1), or pass --force.")
        if years < 1 or rows < 1 or (states is not None and states < 1):
            raise CommandError("--states, --years and --rows must be at least 1.")
        started = time.monotonic()
        with transaction.atomic():
            self._build(Plan(states, years, rows, seed, clock.today()), flush)
        data_version.bump()  # bulk writes send no signal: the public data changed all the same
        if connection.vendor == "postgresql":
            # Thousands of rows just written in bulk, and no statistics yet: the planner would take every table
            # for a few rows (nested loops over 1,900 versions) until autovacuum gets round to it, as it does on a
            # deployment that grew the same rows over years. Measure what such a deployment runs.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Volume built in {time.monotonic() - started:.1f} s.")

    def _build(self, plan: Plan, flushing: bool) -> None:
        if flush.exists():
            if not flushing:
                raise CommandError("A volume is already built here: pass --flush to remove it and build again.")
            self._step("flush", flush.remove)
        chosen = list(State.objects.order_by("iso3")[: plan.states])
        if not chosen:
            raise CommandError("Load the States first: manage.py load_reference_data")
        cast = self._step("accounts", lambda: people.build(plan, chosen), lambda p: p.counts)
        format_version = reports.FormatVersion.objects.get(is_current=True)
        pool = self._step(
            "content", lambda: content.pools(format_version.spec, rows=plan.rows, year=plan.last_year), lambda p: {}
        )
        totals = self._step("reports", lambda: reports.build(plan, chosen, cast, pool))
        totals2 = self._step("assistance", lambda: assistance.build(plan, chosen, cast))
        summary = {**totals, **totals2, "audit entries": totals["audit entries"] + totals2["audit entries"]}
        self.stdout.write(
            f"Totals for {len(chosen)} States x {plan.years} years (seed {plan.seed}): "
            + ", ".join(f"{n} {name}" for name, n in summary.items())
        )

    def _step(self, name: str, work, counts=lambda result: result):
        started = time.monotonic()
        result = work()
        said = ", ".join(f"{n} {what}" for what, n in counts(result).items())
        self.stdout.write(f"{name}: {said or 'ready'} in {time.monotonic() - started:.1f} s")
        return result
