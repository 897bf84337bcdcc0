import pytest
from django.template import Template

from tests.conftest import *  # noqa: F403  (reference data, personas)


@pytest.fixture(autouse=True)
def production_rendering():
    """Time templates as production renders them: without the test client's instrumentation,
    which copies every template context so tests can inspect it."""
    from django.test import utils

    instrumented = Template._render
    Template._render = utils._TestState.saved_data.template_render  # saved by setup_test_environment()
    yield
    Template._render = instrumented
