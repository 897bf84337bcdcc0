"""Progress to date URLs: each view module lists its own patterns (namespace ``progress``)."""

from progress.views import dashboard, exports

app_name = "progress"

urlpatterns = [*dashboard.urlpatterns, *exports.urlpatterns]
