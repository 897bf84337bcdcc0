"""Report content in the current format, valid as a submission would have left it: a pool of rows for each
table is written and cleaned once by the format's own validation (``reporting.formats.validate``), and every
version takes a run of rows from each pool (``rows`` in all, spread over the tables). The working copy keeps
the rows as typed, the version as cleaned, as after a real submission."""

from __future__ import annotations

import copy
import math
import random
from dataclasses import dataclass
from typing import Any

from django.core.management.base import CommandError

from reporting import formats
from reporting.formats import Choice, Column, FormatDefinition

# What a focal point types in each kind of cell; ``n`` numbers the row.
SAMPLE = {
    "text": "Province {n}",
    "longtext": "Paragraph {n}.",
    "email": "contact{n}@example.org",
    "integer": "{n}",
    "area": "{n}.5 ha",
    "money": "{n}000.00",
    "currency": "EUR",
    "date": "2023-05-{day:02d}",
    "boolean": True,
}
NARRATIVE = "Work continued as planned in the provinces listed. The figures are invented for measuring the portal."


def sample_cell(column: Column, n: int, *, years: int = 10) -> Any:
    """What a focal point might type in ``column`` on row ``n``: a choice in turn, a year among ``years`` from the
    column's first, or the kind's sample numbered by the row (tests' builders write with the same samples)."""
    if column.type in ("choice", "qualifier"):
        return column.choices[n % len(column.choices)][0]
    if column.type == "integer" and column.min is not None and column.min > 1000:
        return str(column.min + n % years)
    sample = SAMPLE[column.type]
    return sample.format(n=n, day=n % 28 + 1) if isinstance(sample, str) else sample


@dataclass
class Pools:
    """The rows each table draws from, typed and cleaned, and what every version shares."""

    spec: FormatDefinition
    counts: dict[tuple[str, str], int]  # rows each table gets in one version
    typed: dict[tuple[str, str], list[dict[str, Any]]]
    cleaned: dict[tuple[str, str], list[dict[str, Any]]]
    cover_typed: dict[str, Any]
    cover_cleaned: dict[str, Any]


def pools(spec: FormatDefinition, *, rows: int, year: int) -> Pools:
    """Every table's pool, cleaned once; refuses if the format finds anything wrong with them."""
    tables = [(form.code, table) for form in spec.forms for table in form.tables]
    counts = {
        (code, table.key): rows // len(tables) + (i < rows % len(tables)) for i, (code, table) in enumerate(tables)
    }
    size = max(16, 4 * math.ceil(rows / len(tables)))
    typed = {
        (code, table.key): [
            {"_id": f"{code}{table.key}{n}", **{c.key: sample_cell(c, n) for c in table.columns}} for n in range(size)
        ]
        for code, table in tables
    }
    draft = spec.empty_content()
    draft["cover"] = {c.key: sample_cell(c, 1) for c in spec.cover}
    for form in spec.forms:
        data = draft["forms"][form.code]
        data["choice"] = Choice.CHANGED
        data["narratives"] = {n.key: NARRATIVE for n in form.narratives}
        for table in form.tables:
            data["tables"][table.key] = typed[(form.code, table.key)]
    validation = formats.validate(spec, draft, initial=False, period_year=year)
    if not validation.complete:
        raise CommandError(f"The volume's sample content is not valid in format {spec.code}: {validation.errors}")
    cleaned = {(code, table.key): validation.cleaned["forms"][code]["tables"][table.key] for code, table in tables}
    return Pools(spec, counts, typed, cleaned, draft["cover"], validation.cleaned["cover"])


def version_content(pool: Pools, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """A full report: (the working copy as typed, the version as cleaned), every form changed."""
    typed: dict[str, Any] = {"cover": pool.cover_typed, "forms": {}}
    cleaned: dict[str, Any] = {"cover": pool.cover_cleaned, "forms": {}}
    for form in pool.spec.forms:
        narratives = {n.key: NARRATIVE for n in form.narratives}
        typed_tables, cleaned_tables = {}, {}
        for table in form.tables:
            key = (form.code, table.key)
            size, start = len(pool.typed[key]), rng.randrange(len(pool.typed[key]))
            picked = [(start + i) % size for i in range(pool.counts[key])]
            typed_tables[table.key] = [pool.typed[key][i] for i in picked]
            cleaned_tables[table.key] = [pool.cleaned[key][i] for i in picked]
        base = {"choice": Choice.CHANGED, "unchanged_since": None, "na_statement": "", "narratives": narratives}
        typed["forms"][form.code] = {**base, "tables": typed_tables}
        cleaned["forms"][form.code] = {**base, "tables": cleaned_tables}
    return typed, cleaned


def nil_content(pool: Pools, *, since: int) -> dict[str, Any]:
    """A nil report (``reporting.services.drafts.make_nil_report``): every form that may be "not applicable"
    with its standard statement, the others unchanged since ``since``."""
    content = copy.deepcopy(pool.spec.empty_content())
    content["cover"] = pool.cover_cleaned
    for form in pool.spec.forms:
        data = content["forms"][form.code]
        if form.allows_not_applicable:
            data.update(choice=Choice.NOT_APPLICABLE, na_statement=form.nil_statement)
        else:
            data.update(choice=Choice.UNCHANGED, unchanged_since=since)
    return content
