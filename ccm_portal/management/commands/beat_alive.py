"""``manage.py beat_alive``: the beat container's healthcheck. Exit 0 when beat's heartbeat task ran less than
``CCM_BEAT_MAX_AGE`` seconds ago (``--max-age`` to ask another age), 1 otherwise, with one line saying why.

The heartbeat (``ccm_portal.tasks.beat_heartbeat``, every minute) is run by a worker: a recent one proves that
beat sends its schedule and a worker runs it. Right after a start, the container's ``start_period`` gives beat
its first minute; this command has no grace of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ccm_portal.operations import health


class Command(BaseCommand):
    help = "Exit 0 if Celery beat's heartbeat is recent (CCM_BEAT_MAX_AGE seconds), 1 otherwise."
    # A healthcheck runs every minute: no system checks, no database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age",
            type=int,
            default=None,
            help="Seconds a heartbeat stays recent (default: CCM_BEAT_MAX_AGE).",
        )

    def handle(self, *args, **options):
        max_age = options["max_age"] if options["max_age"] is not None else settings.CCM_BEAT_MAX_AGE
        try:
            last = health.last_heartbeat()
        except Exception as error:
            raise CommandError(f"beat: unknown, the cache is unreachable ({type(error).__name__})") from error
        if last is None:
            raise CommandError("beat: no heartbeat recorded")
        age = health.age_of(last)
        if age > max_age:
            raise CommandError(f"beat: late, last heartbeat {age} s ago (more than {max_age} s)")
        self.stdout.write(f"beat: alive, last heartbeat {age} s ago")
