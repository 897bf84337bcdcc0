"""The API tested against its own OpenAPI document by schemathesis: every operation, with parameters generated
from the schema (valid ones, and invalid ones that must be refused with 4xx), never answers 500 and always
answers as the schema says (status codes, headers, content type, body). Run on the demo's world (real States,
published reports, public assistance), so that generated ids meet real data as well as unknown ones.

Bounded for CI: a fixed number of examples per operation, derandomized (the same examples every run).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.specs.openapi import checks

from api.v1 import api

EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo's data for this module only: rolled back when its tests end."""
    with django_db_blocker.unblock(), transaction.atomic():
        for command in ("seed_demo", "seed_demo_reports", "seed_demo_assistance"):
            call_command(command, force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


def _app(environ, start_response):
    """The portal's WSGI application, with the address a real request has (the rate limit counts by it)."""
    from ccm_portal.wsgi import application

    environ.setdefault("REMOTE_ADDR", "127.0.0.1")
    return application(environ, start_response)


# The document as the portal serves it (the same object writes /api/v1/openapi.json), called in-process.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder)))
schema.app = _app


@pytest.fixture
def in_the_test_transaction(demo_world, db, settings, tmp_path):
    """As Django's test client does: requests keep the test's database connection (no
    ``close_old_connections`` when one starts or finishes), so they read the demo world. The open-data package
    a request builds goes to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_schema_says(case, in_the_test_transaction):
    # Every check but "valid data is accepted": a day the schema admits (any ISO date) may lie outside the record
    # (before the Convention opened for signature, a year-end series into the future), and is refused with 422
    # and the reason, which the other checks hold to the schema.
    case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
