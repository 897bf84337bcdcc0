"""Assistance pages: coalitions (to be written)."""

urlpatterns: list = []
