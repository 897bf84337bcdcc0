import pytest
from django.db import connection
from django.template import Template
from django.test.utils import CaptureQueriesContext

from tests.conftest import *  # noqa: F403  (reference data, personas)
from tests.conftest import _empty_cache  # noqa: F401  (autouse: each benchmark starts with an empty cache; a star

# import leaves out names that start with an underscore, and a test's writes never commit, so the data's version
# would not move from one benchmark to the next)
from tests.progress.builders import data_committed


@pytest.fixture(autouse=True)
def production_rendering():
    """Time templates as production renders them: without the test client's instrumentation,
    which copies every template context so tests can inspect it."""
    from django.test import utils

    instrumented = Template._render
    Template._render = utils._TestState.saved_data.template_render  # saved by setup_test_environment()
    yield
    Template._render = instrumented


def counted_get(client, url, params, queries, *, first=False):
    """GET ``url`` and hold its number of queries: as the first reader after a change of the data (``first``),
    or as a later one (after one request that fills what is kept). The bench renders templates as production
    does (no ``response.context``), so assertions read the page."""
    if first:
        data_committed()
    else:
        client.get(url, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(ctx.captured_queries) == queries, len(ctx.captured_queries)
    return response
