"""Calling a service from a view and showing its refusal: one way, everywhere.

A service refuses with ``ValidationError`` (the report was taken into review meanwhile, the match was
closed); the view shows why, in the words the service gave, and keeps what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

T = TypeVar("T")


def refusal(error: ValidationError) -> str:
    """The service's reasons, as one sentence for a message or a JSON answer."""
    return " ".join(error.messages)


def show_refusal(request: HttpRequest, error: ValidationError) -> None:
    """The service's reasons as an error message on the next page."""
    messages.error(request, refusal(error))


def attempt(request: HttpRequest, write: Callable[[], T], success: str = "") -> T | None:
    """A step its button asked for (withdraw, accept, publish): ``write`` calls the service; the outcome is a
    message, ``success`` or why the service refused. Returns what the service returned, or None if it refused."""
    try:
        result = write()
    except ValidationError as error:
        show_refusal(request, error)
        return None
    if success:
        messages.success(request, success)
    return result


def submit(form: forms.Form, write: Callable[[], T]) -> T | None:
    """What ``write`` (the service) returns once ``form`` is valid, or None: then the service's refusal is on
    the form (a {"field": …} error next to its field, the rest above the form) and the form keeps what was
    typed."""
    if form.is_valid():
        try:
            return write()
        except ValidationError as error:
            form.add_error(None, error)
    return None
