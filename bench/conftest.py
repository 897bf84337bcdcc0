from tests.conftest import *  # noqa: F403  (reference data, personas)
