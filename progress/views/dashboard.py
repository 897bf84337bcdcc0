"""Progress pages: dashboard (to be written)."""

urlpatterns: list = []
