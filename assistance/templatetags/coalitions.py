"""``{% coalition_for state as_of %}``: a State's country coalition as of a day, for the State page.

The State page belongs to ``parties``, which may not import this app (layers); its template loads
this tag library instead. Shows nothing dated after ``as_of``: a coalition known only by a bound
counts from the bound. One query (the State page pins it).
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.db.models import Count

from assistance.models import Coalition
from ccm_portal.core import clock

register = template.Library()


@register.inclusion_tag("parties/_coalition.html")
def coalition_for(state, as_of: dt.date | None = None) -> dict:
    day = as_of or clock.today()
    # One query whether or not there is a coalition: partners as the source names them, else their number.
    coalition = (
        Coalition.objects.established_on(day)
        .filter(state_id=state.pk)
        .annotate(partner_count=Count("partners"))
        .order_by()
        .first()
    )
    return {"coalition": coalition, "as_of": day}
