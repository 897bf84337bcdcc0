"""Row ids in working copies that the editor cannot use as input names (issue 12: the old demo seed
wrote ``demo-f1``; the admin or an import may have stored others, duplicates or none) are rewritten to
valid, unique ids, deterministically: the id with every other character made ``_`` (``demo_f1``), a
number added when it is taken, ``row<n>`` when nothing is left. Only what is not submitted changes:
``Report.draft`` and workbook uploads waiting for confirmation. Submitted versions never change; the
version pages, the diff, the archive and the workbook read any stored id as it is.

Each report changed gets an audit entry naming every id from → to.
"""

import re

from django.db import migrations

ROW_ID = re.compile(r"^[A-Za-z0-9_]{1,40}$")


def valid_row_ids(rows):
    """(rows with usable ids, {index: [old id, new id]}) for one table; rows that are not objects
    are left alone."""
    if not isinstance(rows, list):
        return rows, {}
    taken = {r["_id"] for r in rows if isinstance(r, dict) and isinstance(r.get("_id"), str) and ROW_ID.match(r["_id"])}
    seen = set()
    out, renamed = [], {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            out.append(row)
            continue
        row_id = row.get("_id")
        if isinstance(row_id, str) and ROW_ID.match(row_id) and row_id not in seen:
            seen.add(row_id)
            out.append(row)
            continue
        text = "" if row_id is None else str(row_id)
        base = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:32] or f"row{index + 1}"
        candidate, n = base, 1
        while candidate in taken or candidate in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate)
        out.append({**row, "_id": candidate})
        renamed[index] = [row_id, candidate]
    return out, renamed


def valid_content(content):
    """(content with usable row ids in every table, {path: [old, new]})."""
    changes = {}
    if not isinstance(content, dict) or not isinstance(content.get("forms"), dict):
        return content, changes
    for code, form in content["forms"].items():
        if not isinstance(form, dict) or not isinstance(form.get("tables"), dict):
            continue
        for key, rows in form["tables"].items():
            fixed, renamed = valid_row_ids(rows)
            if renamed:
                form["tables"][key] = fixed
                changes.update({f"forms.{code}.tables.{key}.{i}._id": ids for i, ids in renamed.items()})
    return content, changes


def rewrite_row_ids(apps, schema_editor):
    Report = apps.get_model("reporting", "Report")
    WorkbookUpload = apps.get_model("reporting", "WorkbookUpload")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for report in Report.objects.only("pk", "draft", "kind", "period_year").iterator():
        draft, changes = valid_content(report.draft)
        if not changes:
            continue
        Report.objects.filter(pk=report.pk).update(draft=draft)
        AuditEntry.objects.create(
            actor=None,
            action="reporting.report.row_ids_rewritten",
            object_type="reporting.report",
            object_id=str(report.pk),
            object_repr=f"Report {report.pk}",
            changes=changes,
            context={"migration": "reporting.0010_valid_row_ids"},
        )
    for upload in WorkbookUpload.objects.filter(status="previewed").only("pk", "content").iterator():
        content, changes = valid_content(upload.content)
        if changes:
            WorkbookUpload.objects.filter(pk=upload.pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("reporting", "0009_format_2010_contact_consent"),
    ]
    operations = [migrations.RunPython(rewrite_row_ids, migrations.RunPython.noop)]
