"""Who may see which version of the progress figures: the only module of this app that decides it.

The public dashboard, figures, exports and PDF are open to everyone. The ISU's version (with the
restricted figures) is for ISU staff only, whose session gave its second factor (``permissions.is_isu``);
signed-in others get 403 (staff pages are known to exist), visitors the sign-in page, and the ISU's
PDF is 404 to anyone else (they may not know it exists).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import permissions
from progress.models import Audience, DashboardPdf


def sees_isu_version(user: Any) -> bool:
    """Whether ``user`` may see the ISU's version of the figures."""
    return permissions.is_isu(user)


def isu_required(view):
    """The ISU's version of a page: signed-in ISU users; others get 403, the public the sign-in page."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not sees_isu_version(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def get_pdf(user: Any, pk: int) -> DashboardPdf:
    """The dashboard PDF ``pk`` if ``user`` may see what it shows: the public version for everyone,
    the ISU's for the ISU only; else 404 (others may not know it exists)."""
    pdf = DashboardPdf.objects.filter(pk=pk).first()
    if pdf is None or (pdf.audience == Audience.ISU and not sees_isu_version(user)):
        raise Http404
    return pdf
