"""Every list of the API in one shape: ``{count, next, previous, results}``, ``next`` and ``previous`` absolute
links to the neighbouring pages (``null`` at either end), the page chosen with ``page`` and ``page_size``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Page(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="The page, from 1.")
        page_size: int = Field(
            settings.CCM_API_PAGE_SIZE,
            ge=1,
            le=settings.CCM_API_MAX_PAGE_SIZE,
            description="How many results per page.",
        )

    class Output(Schema):
        count: int = Field(description="How many results in all pages.")
        next: str | None = Field(description="The next page's absolute URL; null on the last page.")
        previous: str | None = Field(description="The previous page's absolute URL; null on the first page.")
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any) -> Any:
        count = self._items_count(queryset)
        start = (pagination.page - 1) * pagination.page_size
        results = list(queryset[start : start + pagination.page_size])
        return {
            "count": count,
            "next": page_link(request, pagination.page + 1) if start + pagination.page_size < count else None,
            "previous": page_link(request, pagination.page - 1) if pagination.page > 1 else None,
            "results": results,
        }


def page_link(request: HttpRequest, page: int) -> str:
    """The absolute URL of this request with ``page`` replaced (the other parameters kept)."""
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
