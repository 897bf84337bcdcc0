"""Progress pages: exports (to be written)."""

urlpatterns: list = []
