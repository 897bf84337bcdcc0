"""This app's section of the State page (``parties.state_page``): the State's Article 7 reports as published in
the portal by the day shown. Registered in ``ReportingConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ccm_portal.core import clock
from parties.models import State
from reporting.models import ReportKind, ReportVersion, Visibility


def published_reports(state: State, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """The State's accepted, public Article 7 reports as published in the portal by ``as_of`` (today when
    omitted): the latest version of each published by then, with the day it counts as submitted. One query."""
    as_of = as_of or clock.today()
    # Published by the end of ``as_of`` in the portal's time zone.
    until = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    shown = Q(published_at__isnull=False, published_at__lt=until, visibility=Visibility.PUBLIC, submitted_on__lte=as_of)
    # The latest published public version of each report (an accepted correction not yet published
    # leaves the previous published version in place).
    newer = ReportVersion.objects.filter(shown, report=models.OuterRef("report"), number__gt=models.OuterRef("number"))
    versions = (
        ReportVersion.objects.filter(shown, ~models.Exists(newer), report__state=state)
        .select_related("report")
        .order_by("-report__period_year", "-number")
    )
    return [
        {
            "kind": v.report.kind,
            "period": v.report.period_slug,
            "label": v.report.period_label if v.report.kind == ReportKind.ANNUAL else str(v.report.get_kind_display()),
            "version": v.number,
            "submitted_on": v.submitted_on,
            "published_on": timezone.localdate(v.published_at),
            "is_nil": v.is_nil,
            "url": reverse("reporting:archive_version", args=[state.iso3, v.report.period_slug, v.number]),
        }
        for v in versions
    ]
