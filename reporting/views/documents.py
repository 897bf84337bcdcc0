"""Report pages: documents (to be written)."""

urlpatterns: list = []
