"""Strict readers for configuration taken from the environment.

Each helper raises ``ImproperlyConfigured`` naming the variable when a value
is present but malformed, so a bad deployment stops at start-up instead of
running with a silently wrong default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MISSING = object()


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    return (os.environ if environ is None else environ).get(name)


def env_str(name: str, default: object = _MISSING, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        # A blank line in an env file means "not set", never "off": security flags keep their default.
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be a boolean (one of 1/0, true/false, yes/no, on/off), got {value!r}."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"The environment variable {name} must be an integer, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"The environment variable {name} must be at least {minimum}, got {number}.")
    return number


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(
    name: str,
    default: str | None,
    *,
    schemes: tuple[str, ...],
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """A URL whose scheme must be one of ``schemes``; ``None`` when unset and no default."""
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in schemes or not rest:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a URL starting with {allowed}, got {value!r}."
        )
    return value


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"The environment variable {name} must be a number, got {value!r}.") from None
    if number != number or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a number from {minimum} to {maximum}, got {value!r}."
        )
    return number


def env_choice(name: str, default: str, *, choices: tuple[str, ...], environ: Mapping[str, str] | None = None) -> str:
    """One of ``choices`` (case-insensitive, given back in lower case)."""
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered not in choices:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be one of {', '.join(choices)}, got {value!r}."
        )
    return lowered


_NAMED_ADDRESS = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+)>")


def env_addresses(name: str, *, environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """People to write to, as Django's ``ADMINS``: ``"Name <a@b.org>, Other <c@d.org>"`` (or bare
    ``a@b.org``) gives ``[("Name", "a@b.org"), ("Other", "c@d.org")]``; unset or blank gives ``[]``.
    A name may not hold a comma (it separates the people). Anything else, or an address Django would
    not send to, stops start-up naming the variable and the item."""
    value = _raw(name, environ)
    if value is None:
        return []
    people = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        match = _NAMED_ADDRESS.fullmatch(item)
        person, address = (match["name"], match["address"]) if match else ("", item)
        try:
            validate_email(address)
        except ValidationError:
            raise ImproperlyConfigured(
                f"The environment variable {name} must list people as 'Name <address>' separated by commas, "
                f"got {item!r}."
            ) from None
        people.append((person or address, address))
    return people


def env_networks(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    """Comma-separated IP addresses or networks (``127.0.0.1``, ``::1``, ``10.0.0.0/8``), given back as
    networks (``127.0.0.1/32``); blank items are dropped, anything else stops start-up naming the item."""
    networks = []
    for item in env_list(name, default, environ=environ):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"The environment variable {name} must list IP addresses or networks separated by commas, got {item!r}."
            ) from None
    return networks
