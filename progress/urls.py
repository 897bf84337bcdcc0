"""Progress to date URLs: each view module lists its own patterns (namespace ``progress``)."""

from progress.views import dashboard, exports

app_name = "progress"

# Exports first: the figure pages take any one-segment path under /progress/.
urlpatterns = [*exports.urlpatterns, *dashboard.urlpatterns]
