"""Report pages: archive (to be written)."""

urlpatterns: list = []
