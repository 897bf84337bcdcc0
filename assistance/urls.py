"""Assistance (Art. 6) URLs: each view module lists its own patterns; the names live in the
``assistance`` namespace."""

from assistance.views import board, coalitions, offers, overview, requests

app_name = "assistance"

urlpatterns = [
    *overview.urlpatterns,
    *requests.urlpatterns,
    *offers.urlpatterns,
    *board.urlpatterns,
    *coalitions.urlpatterns,
]
