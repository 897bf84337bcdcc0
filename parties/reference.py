"""The reference data files ``manage.py load_reference_data`` loads, in order.

The registry lives here, in the lowest app, and each app adds the files its own models hold from its
``AppConfig.ready`` (Article 7 reporting records in ``reporting``, country coalitions in ``assistance``), so
that this app never imports the apps above it. A file is loaded through a django-import-export resource,
all or nothing: any bad cell stops the whole load and is named by file, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ReferenceFile:
    order: int  # files a later one refers to come first (States before obligations before extensions)
    name: str  # the file name in the reference data folder (``fixtures/`` by default)
    resource: str  # dotted path of its import-export resource class
    description: str = ""

    def resource_class(self):
        return import_string(self.resource)


_FILES: dict[tuple[str, str], ReferenceFile] = {}


def register(order: int, name: str, resource: str, description: str = "") -> None:
    """Add a file (a file whose rows feed two models is registered once per resource)."""
    _FILES[(name, resource)] = ReferenceFile(order=order, name=name, resource=resource, description=description)


def files() -> list[ReferenceFile]:
    return sorted(_FILES.values(), key=lambda f: (f.order, f.name))


register(
    10, "states.csv", "parties.resources.StateResource", "Every State that signed or joined (UN Treaty Collection)."
)
register(20, "meetings.csv", "parties.resources.MeetingResource", "Meetings of States Parties and Review Conferences.")
register(30, "obligations.csv", "parties.resources.ObligationResource", "Art. 3 and Art. 4 obligations.")
register(
    40,
    "extensions.csv",
    "parties.record_resources.ExtensionFileResource",
    "Extension requests (Art. 3(3)-(5), 4(5)-(6)) with their meeting and decision.",
)
register(50, "art3_completions.csv", "parties.record_resources.StockpileCompletionResource", "Art. 3 completions.")
register(50, "art4_completions.csv", "parties.record_resources.ClearanceCompletionResource", "Art. 4 completions.")
register(55, "national_measures.csv", "parties.record_resources.MeasuresFileResource", "Art. 9 status by State.")
register(56, "national_measures.csv", "parties.record_resources.MeasuresTotalResource", "Published Art. 9 totals.")
