"""Signed-in users' reminders and calendar feeds, and the feeds themselves.

Views are thin: they read the user's deadlines (``deadlines.selectors.user``, on the calendar: computed, never
stored), ask ``deadlines.access`` who may do what, and send every write through ``deadlines.services``.

The feed URL carries a secret token and no session: calendar apps cannot sign in. An unknown or
revoked token, a feed whose owner is no longer active, or a State feed whose owner no longer
acts for that State all answer 404, so a leaked address stops working once it is revoked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST, require_safe

from ccm_portal.core import clock, links
from ccm_portal.core.views import submit
from deadlines import access, services
from deadlines.calendar import Deadline
from deadlines.forms import SnoozeForm
from deadlines.ical import build_calendar, long_date
from deadlines.models import CalendarFeed, Reminder, ReminderSettings, ReminderStatus
from deadlines.selectors.team import internal_reminders
from deadlines.selectors.user import countdown, feed_deadlines, state_reminders
from parties.models import State
from parties.names import by_local_name, sort_key

SNOOZE_MAX_DAYS = services.SNOOZE_MAX_DAYS

STATUS_BADGES = {
    ReminderStatus.QUEUED: "info",
    ReminderStatus.SENDING: "info",
    ReminderStatus.SENT: "success",
    ReminderStatus.SNOOZED: "neutral",
    ReminderStatus.FAILED: "danger",
    ReminderStatus.BOUNCED: "danger",
    ReminderStatus.SKIPPED_UNVERIFIED: "warning",
    ReminderStatus.SKIPPED_BOUNCED: "warning",
    ReminderStatus.NO_RECIPIENT: "warning",
    ReminderStatus.NO_LONGER_DUE: "neutral",
}


def _feed_name(feed: CalendarFeed) -> str:
    if feed.state is not None:
        return _("CCM deadlines: %(state)s") % {"state": feed.state.local_name}
    state = access.focal_state(feed.user)
    if state is not None:
        return _("My CCM deadlines: %(state)s") % {"state": state.local_name}
    if access.follows_every_state(feed.user):
        return _("CCM deadlines: all States")
    if access.contributes(feed.user):
        return _("My CCM forms and meetings")
    return _("CCM meetings of States Parties")


# --- The feed -----------------------------------------------------------------------------------
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        CalendarFeed.objects.select_related("user", "user__state", "state")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if found is None or not access.feed_still_allowed(found):
        raise Http404(_("No calendar at this address. It may have been revoked."))
    today = clock.today()
    with translation.override(found.user.language or settings.LANGUAGE_CODE):
        deadlines = feed_deadlines(found, today)
        state_url = {
            iso3: links.absolute(reverse("parties:state_detail", args=[iso3]), request)
            for iso3 in {d.state_iso3 for d in deadlines if d.state_iso3}
        }
        deadline_url = {d.key: links.absolute(d.url, request) for d in deadlines if d.url}
        body = build_calendar(
            deadlines, name=_feed_name(found), today=today, state_url=state_url, deadline_url=deadline_url
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = 'inline; filename="ccm-deadlines.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- My calendars -------------------------------------------------------------------------------
@require_GET
@login_required
def my_calendars(request: HttpRequest) -> HttpResponse:
    user = request.user
    feeds = list(CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).select_related("state"))
    feeds.sort(key=lambda f: (f.state is not None, sort_key(f.state.local_name) if f.state else ""))
    rows = []
    for item in feeds:
        url = links.absolute(reverse("deadlines:feed", args=[item.token]), request)
        rows.append(
            {
                "feed": item,
                "url": url,
                "webcal_url": "webcal://" + url.split("://", 1)[1],
                "label": _("%(state)s: deadlines and meetings") % {"state": item.state.local_name}
                if item.state
                else _("Personal calendar"),
                "field_id": f"feed-url-{item.pk}",
            }
        )
    state_choices = by_local_name(access.feed_states(user))
    live_states = {f.state_id for f in feeds}
    return render(
        request,
        "deadlines/user/my_calendars.html",
        {
            "rows": rows,
            "has_personal": None in live_states,
            "personal_covers": _personal_covers(user),
            "state_choices": state_choices,
            "one_state": state_choices[0] if len(state_choices) == 1 else None,
            "one_state_live": len(state_choices) == 1 and state_choices[0].pk in live_states,
            "pick_state": len(state_choices) > 1,
        },
    )


def _personal_covers(user: Any) -> str:
    state = access.focal_state(user)
    if state is not None:
        return _("%(state)s's deadlines and the Meetings of States Parties.") % {"state": state.local_name}
    if access.contributes(user):
        return _("The internal due dates of the forms given to you, and the Meetings of States Parties.")
    if access.follows_every_state(user):
        return _("Every State's report and obligation deadlines, and the Meetings of States Parties.")
    return _("The Meetings of States Parties.")


@require_POST
@login_required
def feed_create(request: HttpRequest) -> HttpResponse:
    iso3 = request.POST.get("state", "").strip().upper()
    state = get_object_or_404(State, iso3=iso3) if iso3 else None
    created = services.create_feed(user=request.user, state=state)  # PermissionDenied → 403
    if state is None:
        messages.success(
            request, _("Your personal calendar address is ready. Any address you had for it before no longer works.")
        )
    else:
        messages.success(
            request,
            _("The calendar address for %(state)s is ready. Any address you had for it before no longer works.")
            % {"state": state.local_name},
        )
    return redirect(f"{reverse('deadlines:my_calendars')}#feed-{created.pk}")


@require_POST
@login_required
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's feed is "not found", whatever its id: ids are not secrets, ownership is checked.
    item = get_object_or_404(CalendarFeed, pk=pk, user=request.user)
    services.revoke_feed(feed=item, user=request.user)
    messages.success(request, _("The calendar address was revoked: calendar apps using it will get no more updates."))
    return redirect("deadlines:my_calendars")


# --- My reminders -------------------------------------------------------------------------------
def _anchor(key: str) -> str:
    return "d-" + slugify(key.replace(":", "-"))


def _step_label(offset: int) -> str:
    if offset < 0:
        return ngettext("%(n)s day before", "%(n)s days before", -offset) % {"n": -offset}
    if offset == 0:
        return _("on the day")
    return ngettext("overdue %(n)s day", "overdue %(n)s days", offset) % {"n": offset}


def _step(reminder: Reminder) -> dict[str, Any]:
    """A reminder as the page lists it under its deadline: its day, step, status and badge."""
    return {
        "day": reminder.for_day,
        "step": _step_label(reminder.offset_days),
        "status": reminder.get_status_display(),
        "badge": STATUS_BADGES.get(reminder.status, "neutral"),
    }


@dataclass
class ReminderRow:
    deadline: Deadline
    anchor: str
    countdown: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    snoozed_until: dt.date | None = None
    form: SnoozeForm | None = None
    reminded: bool = True


def _reminders_page(request: HttpRequest, *, bound: SnoozeForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    today = clock.today()
    state = access.focal_state(user)
    if state is None:
        contributor = access.contributes(user)
        return render(
            request,
            "deadlines/user/my_reminders.html",
            {
                "state": None,
                "sees_all_states": access.follows_every_state(user),
                "contributor": contributor,
                "internal": _internal_rows(user, today) if contributor else [],
                "team_schedule": _team_schedule(ReminderSettings.current()) if contributor else "",
            },
            status=status,
        )
    rules = ReminderSettings.current()
    mine = state_reminders(user, state, today=today, rules=rules)
    snoozes = mine.snoozed_until
    steps = {key: [_step(reminder) for reminder in sent] for key, sent in mine.sent.items()}

    def row(deadline: Deadline) -> ReminderRow:
        anchor = _anchor(deadline.key)
        form = None
        if not deadline.met:
            if bound is not None and bound.data.get("deadline_key") == deadline.key:
                form = bound
            else:
                initial = {"deadline_key": deadline.key, "until": snoozes.get(deadline.key)}
                form = SnoozeForm(auto_id=f"{anchor}-%s", initial=initial, today=today)
        return ReminderRow(
            deadline=deadline,
            anchor=anchor,
            countdown=countdown(deadline.date, today),
            steps=steps.get(deadline.key, []),
            snoozed_until=snoozes.get(deadline.key),
            form=form,
            reminded=deadline.kind in rules.kinds,
        )

    return render(
        request,
        "deadlines/user/my_reminders.html",
        {
            "state": state,
            "today": today,
            "overdue": [row(d) for d in mine.overdue],
            "upcoming": [row(d) for d in mine.upcoming],
            "bound": bound,
            "schedule": _schedule(rules),
            "tracking_starts_on": rules.tracking_starts_on,
            "snooze_max_days": SNOOZE_MAX_DAYS,
        },
        status=status,
    )


def _internal_rows(user: Any, today: dt.date) -> list[dict[str, Any]]:
    """The open forms given to ``user``, a contributor, with the reminders sent to them about each (two queries)."""
    return [
        {
            "row": row,
            "countdown": countdown(row.assignment.due_on, today),
            "steps": [_step(reminder) for reminder in row.reminders],
        }
        for row in internal_reminders(user)
    ]


def _steps(days_before: list[int], overdue_every: int | None, before: str) -> list[str]:
    """A reminder schedule's steps in words: ``before`` says "%(days)s days before" what."""
    days = sorted((d for d in set(days_before) if d > 0), reverse=True)
    parts = []
    if days:
        parts.append(before % {"days": ", ".join(str(d) for d in days)})
    if 0 in days_before:
        parts.append(_("on the day itself"))
    if overdue_every:
        parts.append(
            ngettext(
                "then every day while it is overdue",
                "then every %(n)s days while it is overdue",
                overdue_every,
            )
            % {"n": overdue_every}
        )
    return parts


def _team_schedule(rules: ReminderSettings) -> str:
    """When a contributor is reminded of the forms given to them, in words."""
    parts = _steps(
        rules.team_days_before, rules.team_overdue_every_days, _("%(days)s days before the internal due date")
    )
    if not parts:
        return _("The ISU has turned these reminders off for now.")
    return _("You receive an e-mail %(when)s, until the form is marked ready.") % {"when": "; ".join(parts)}


def _schedule(rules: ReminderSettings) -> str:
    """When reminders go out, in words."""
    parts = _steps(rules.days_before, rules.overdue_every_days, _("%(days)s days before each deadline"))
    if not parts:
        return _("The ISU has turned reminders off for now.")
    return _("You receive an e-mail %(when)s, until the report is submitted or the obligation met.") % {
        "when": "; ".join(parts)
    }


@require_GET
@login_required
def my_reminders(request: HttpRequest) -> HttpResponse:
    return _reminders_page(request)


@require_POST
@login_required
def snooze(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    key = request.POST.get("deadline_key", "")
    form = SnoozeForm(request.POST, auto_id=f"{_anchor(key)}-%s", today=today)
    snoozed = submit(
        form,
        lambda: services.snooze(
            user=request.user,
            deadline_key=form.cleaned_data["deadline_key"],
            until=form.cleaned_data["until"],
            today=today,
        ),  # PermissionDenied (another State's deadline, not a focal point) → 403
    )
    if snoozed is None:
        return _reminders_page(request, bound=form, status=400)
    messages.success(
        request, _("No reminder for this deadline until %(date)s.") % {"date": long_date(form.cleaned_data["until"])}
    )
    return redirect(f"{reverse('deadlines:my_reminders')}#{_anchor(key)}")


@require_POST
@login_required
def unsnooze(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("deadline_key", "")
    services.unsnooze(user=request.user, deadline_key=key)
    messages.success(request, _("Reminders for this deadline are back on."))
    return redirect(f"{reverse('deadlines:my_reminders')}#{_anchor(key)}")
