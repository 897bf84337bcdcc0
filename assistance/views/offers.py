"""Assistance pages: offers (to be written)."""

urlpatterns: list = []
