"""Large, realistic report content for query-count tests and benchmarks."""

from __future__ import annotations

import itertools

from ccm_portal.management.volume.content import sample_cell
from reporting.formats import Choice, FormatDefinition


def _cell(column, n: int):
    # The volume's samples (ccm_portal.management.volume.content), with years spread over fifty.
    return sample_cell(column, n, years=50)


def full_content(spec: FormatDefinition, *, rows: int = 500) -> dict:
    """Every form "changed", every narrative written, ``rows`` rows spread over all tables."""
    content = spec.empty_content()
    content["cover"] = {c.key: _cell(c, 1) for c in spec.cover}
    tables = [(form, table) for form in spec.forms for table in form.tables]
    counts = dict.fromkeys(((f.code, t.key) for f, t in tables), 0)
    for _i, (form, table) in zip(range(rows), itertools.cycle(tables), strict=False):
        counts[(form.code, table.key)] += 1
    for form in spec.forms:
        data = content["forms"][form.code]
        data["choice"] = Choice.CHANGED
        data["narratives"] = {n.key: "A paragraph of narrative text. " * 20 for n in form.narratives}
        for table in form.tables:
            data["tables"][table.key] = [
                {"_id": f"{form.code}{table.key}{n}", **{c.key: _cell(c, n) for c in table.columns}}
                for n in range(counts[(form.code, table.key)])
            ]
    return content
