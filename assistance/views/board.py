"""Assistance pages: board (to be written)."""

urlpatterns: list = []
