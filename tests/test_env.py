"""Configuration comes from the environment; a bad value stops start-up and names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ccm_portal.env import env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parents[1]


def test_helpers_read_good_values():
    env = {"B": "yes", "I": " 42 ", "L": "a, b,,c", "U": "redis://r:6379/0", "S": "x"}
    assert env_bool("B", False, environ=env) is True
    assert env_int("I", 0, environ=env) == 42
    assert env_list("L", [], environ=env) == ["a", "b", "c"]
    assert env_url("U", None, schemes=("redis",), environ=env) == "redis://r:6379/0"
    assert env_str("S", environ=env) == "x"
    assert env_int("MISSING", 7, environ=env) == 7


@pytest.mark.parametrize(
    ("call", "variable"),
    [
        (lambda e: env_bool("DJANGO_DEBUG", False, environ=e), "DJANGO_DEBUG"),
        (lambda e: env_int("EMAIL_PORT", 25, minimum=1, environ=e), "EMAIL_PORT"),
        (lambda e: env_url("CELERY_BROKER_URL", None, schemes=("redis",), environ=e), "CELERY_BROKER_URL"),
        (lambda e: env_str("DJANGO_SECRET_KEY", environ=e), "DJANGO_SECRET_KEY"),
    ],
)
def test_bad_values_name_the_variable(call, variable):
    env = {"DJANGO_DEBUG": "maybe", "EMAIL_PORT": "0", "CELERY_BROKER_URL": "amqp://guest@localhost//"}
    with pytest.raises(ImproperlyConfigured, match=variable):
        call(env)


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/ccm"}, "DATABASE_URL"),
        ({"DJANGO_DEBUG": "perhaps"}, "DJANGO_DEBUG"),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY"),
        ({"CELERY_BROKER_URL": "localhost:6379"}, "CELERY_BROKER_URL"),
    ],
)
def test_the_portal_refuses_to_start_with_a_bad_environment(overrides, variable, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env |= {"DJANGO_SETTINGS_MODULE": "ccm_portal.settings", "CCM_VAR_DIR": str(tmp_path), "DJANGO_DEBUG": "1"}
    env |= overrides
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert variable in result.stderr


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "0"),
        ({"DJANGO_BEHIND_TLS_PROXY": "1"}, "1"),
        ({"DJANGO_BEHIND_TLS_PROXY": "1", "CCM_TRUSTED_PROXY_COUNT": "2"}, "2"),
    ],
)
def test_behind_the_proxy_rate_limits_count_the_address_the_proxy_forwards(overrides, expected, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env |= {"DJANGO_SETTINGS_MODULE": "ccm_portal.settings", "CCM_VAR_DIR": str(tmp_path), "DJANGO_DEBUG": "1"}
    env |= overrides
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = subprocess.run(  # noqa: S603 (a fixed command)
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1:] == [expected], result.stderr
