"""Report pages: workbook (to be written)."""

urlpatterns: list = []
