"""Assistance pages: overview (to be written)."""

urlpatterns: list = []
