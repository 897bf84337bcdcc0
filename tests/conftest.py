from contextlib import ExitStack

import pytest
from django.core.management import call_command

from accounts.models import Role, ThematicArea
from ccm_portal.core import clock
from parties.models import State
from tests.factories import enrol_totp, make_user


def _ensure_reference_data() -> None:
    # Transactional tests (live server, real worker) empty the tables when they end,
    # including rows from data migrations; put them back for whoever comes next.
    if not ThematicArea.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("accounts.migrations.0002_thematic_areas").add_areas(apps, None)
    from reporting.models import FormatVersion

    if not FormatVersion.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("reporting.migrations.0002_format_2010").load(apps, None)
        import_module("reporting.migrations.0016_format_translations").load(apps, None)
    from deadlines.models import ReminderSettings
    from reporting.models import ReportingRules

    ReportingRules.objects.get_or_create(pk=1)
    ReminderSettings.objects.get_or_create(pk=1)
    if not State.objects.exists():
        call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real reference data once into the test database."""
    with django_db_blocker.unblock():
        _ensure_reference_data()


@pytest.fixture(autouse=True)
def _language_of_the_test():
    """Each test starts in the portal's default language: a request in another (LocaleMiddleware activates the
    reader's language in the thread and leaves it so) must not turn the next test's words into French."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference_data(db):
    _ensure_reference_data()


@pytest.fixture
def isu_staff(reference_data):
    """ISU staff with an authenticator app; as an actor passed to services, they act as in a session
    that gave the code (signed in through ``client_for``, the session records it as allauth would)."""
    from accounts import permissions

    user = make_user(Role.ISU_STAFF, email="isu@example.org")
    user.totp_secret = enrol_totp(user)
    permissions.mark_second_factor(user, verified=True)
    return user


@pytest.fixture
def isu_staff_without_2fa(reference_data):
    return make_user(Role.ISU_STAFF, email="new.isu@example.org")


@pytest.fixture
def focal_point(reference_data):
    return make_user(Role.FOCAL_POINT, iso3="LAO", email="fp.lao@example.org")


@pytest.fixture
def other_focal_point(reference_data):
    return make_user(Role.FOCAL_POINT, iso3="AUS", email="fp.aus@example.org")


@pytest.fixture
def mod(reference_data):
    """A national contributor of Lao PDR, at its ministry of defence (forms B–E)."""
    return make_user(Role.CONTRIBUTOR, iso3="LAO", organization="Ministry of Defence", email="mod@example.la")


@pytest.fixture
def nra(reference_data):
    """A national contributor of Lao PDR, at its mine action authority (Form F)."""
    return make_user(Role.CONTRIBUTOR, iso3="LAO", organization="NRA", email="nra@example.la")


@pytest.fixture
def coordinator(reference_data):
    return make_user(Role.COORDINATOR, areas=["clearance-rre"], email="coordinator@example.org")


@pytest.fixture
def donor(reference_data):
    return make_user(Role.DONOR, iso3="NOR", email="donor.nor@example.org")


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client signed in as ``user`` (``None`` for the public). A user
    with an authenticator app gets a session in which the code step is recorded, as after a real
    sign-in; ``second_factor=False`` signs them in with the password alone."""

    def sign_in(user, *, second_factor: bool = True):
        client.logout()
        if user is not None:
            client.force_login(user)
            if second_factor:
                from tests.helpers import record_second_factor

                record_second_factor(client, user)
        return client

    return sign_in


@pytest.fixture
def real_worker(transactional_db, reference_data):
    """A real Celery worker on Redis for the test (see tests.helpers.celery_worker)."""
    from tests.helpers import celery_worker

    with celery_worker() as app:
        yield app


@pytest.fixture
def set_today():
    """Set the portal's day (``ccm_portal.core.clock``) for the rest of the test: ``set_today(date)``;
    call it again to move on."""
    with ExitStack() as stack:
        yield lambda day: stack.enter_context(clock.frozen(day))
