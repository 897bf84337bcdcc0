from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    """Every State's obligation calendar, calendar feeds, and reminders sent once."""

    name = "deadlines"
    verbose_name = _("Deadlines and reminders")

    def ready(self) -> None:
        from deadlines.state_page import calendar_rows, state_calendar
        from parties import state_page

        # The State page shows the obligation calendar around the day it shows.
        state_page.register("calendar", state_calendar, show=calendar_rows)

        from accounts import home_page
        from deadlines.home_page import STYLESHEET, TEMPLATE, due_next_context

        # The user's home page (/me/) shows what is due next.
        home_page.register("due_next", due_next_context, template=TEMPLATE, stylesheet=STYLESHEET)
