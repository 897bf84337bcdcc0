"""reporting.diff: what changed between two versions, form by form (pure functions, no database)."""

import copy

import pytest

from reporting import diff
from reporting.formats import Choice, FormatDefinition, load_file


@pytest.fixture(scope="module")
def spec():
    return FormatDefinition.from_dict(load_file("ccm-2010.json"))


def content(spec, **forms):
    document = spec.empty_content()
    for form in document["forms"].values():
        form.update(choice=Choice.NOT_APPLICABLE, na_statement="Not applicable.")
    for code, data in forms.items():
        document["forms"][code].update(choice=Choice.CHANGED, na_statement="", **data)
    return document


def stock(*rows):
    return {"tables": {"stockpile": [dict(row) for row in rows], "destroyed": [], "discovered": []}}


def form(diffs, code):
    return next(d for d in diffs if d.code == code)


BLU = {"_id": "s1", "type": "BLU-26", "munitions": 10, "submunitions": 3000, "qualifier": "exact", "lot_numbers": ""}
M77 = {"_id": "s2", "type": "M77", "munitions": 4, "submunitions": 800, "qualifier": None, "lot_numbers": "L-7"}


def test_identical_documents_have_no_changed_form(spec):
    document = content(spec, B=stock(BLU, M77))
    diffs = diff.diff_versions(spec, document, copy.deepcopy(document))
    assert [d.code for d in diffs] == list("ABCDEFGHIJ")
    assert not any(d.changed for d in diffs)
    b = form(diffs, "B")
    assert b.compared and not b.choice_changed
    assert [row.status for row in b.tables[0].rows] == [diff.UNCHANGED, diff.UNCHANGED]
    assert all(row.matched_by == "id" for row in b.tables[0].rows)


def test_added_removed_and_changed_rows(spec):
    before = content(spec, B=stock(BLU, M77))
    m77_less = {**M77, "munitions": 3, "lot_numbers": "L-7, L-8"}
    new = {"_id": "s3", "type": "Mk-20", "munitions": 1, "submunitions": 247}
    after = content(spec, B=stock(m77_less, new))
    b = form(diff.diff_versions(spec, before, after), "B")
    table = b.tables[0]
    assert b.changed and b.content_changed
    assert [(r.status, r.row_id) for r in table.rows] == [
        (diff.CHANGED, "s2"),
        (diff.ADDED, "s3"),
        (diff.REMOVED, "s1"),
    ]
    changed = table.changed_rows[0]
    assert [(c.key, c.before, c.after) for c in changed.changed_cells] == [
        ("munitions", "4", "3"),
        ("lot_numbers", "L-7", "L-7, L-8"),
    ]
    assert [c.after for c in table.added[0].cells][:3] == ["Mk-20", "1", "247"]
    assert [c.before for c in table.removed[0].cells][:2] == ["BLU-26", "10"]
    assert table.unchanged == []
    # The other tables of the form are empty on both sides: no change there.
    assert not b.tables[1].changed and b.tables[1].rows == []


def test_rows_typed_afresh_are_matched_by_their_row_key(spec):
    """A report typed afresh gives every row a new id; the stockpile ``type`` still pairs them."""
    before = content(spec, B=stock(BLU, M77))
    after = content(
        spec,
        B=stock({**M77, "_id": "new-1"}, {**BLU, "_id": "new-2", "type": "  blu-26 ", "munitions": 8}),
    )
    table = form(diff.diff_versions(spec, before, after), "B").tables[0]
    assert [(r.status, r.matched_by, r.row_id, r.previous_id) for r in table.rows] == [
        (diff.UNCHANGED, "key", "new-1", "s2"),
        (diff.CHANGED, "key", "new-2", "s1"),
    ]
    # The key matched whatever its case and spacing; the new spelling still shows as a change.
    assert [(c.key, c.before, c.after) for c in table.rows[1].changed_cells] == [
        ("type", "BLU-26", "blu-26"),
        ("munitions", "10", "8"),
    ]


def test_a_row_keeping_its_id_but_renamed_is_changed_not_added(spec):
    before = content(spec, B=stock(BLU))
    after = content(spec, B=stock({**BLU, "type": "BLU-26/B"}))
    row = form(diff.diff_versions(spec, before, after), "B").tables[0].rows[0]
    assert (row.status, row.matched_by) == (diff.CHANGED, "id")
    assert [(c.before, c.after) for c in row.changed_cells] == [("BLU-26", "BLU-26/B")]


def test_an_id_reused_for_another_row_does_not_hide_the_real_match(spec):
    """Both reports typed afresh with ids r1, r2… in a different order: rows pair by type."""
    before = content(spec, B=stock({**BLU, "_id": "r1"}, {**M77, "_id": "r2"}))
    after = content(spec, B=stock({**M77, "_id": "r1"}, {**BLU, "_id": "r2"}))
    table = form(diff.diff_versions(spec, before, after), "B").tables[0]
    assert [(r.status, r.matched_by) for r in table.rows] == [(diff.UNCHANGED, "key"), (diff.UNCHANGED, "key")]
    assert not table.changed


def test_duplicate_keys_pair_in_order(spec):
    before = content(spec, B=stock({**BLU, "_id": "a"}, {**BLU, "_id": "b", "munitions": 2}))
    after = content(spec, B=stock({**BLU, "_id": "x"}, {**BLU, "_id": "y", "munitions": 5}))
    rows = form(diff.diff_versions(spec, before, after), "B").tables[0].rows
    assert [(r.status, r.previous_id) for r in rows] == [(diff.UNCHANGED, "a"), (diff.CHANGED, "b")]


def test_numbers_compare_by_value_and_blanks_are_equal(spec):
    before = content(spec, B=stock({**BLU, "munitions": "10", "lot_numbers": None}))
    after = content(spec, B=stock({**BLU, "munitions": 10, "lot_numbers": ""}))
    assert not form(diff.diff_versions(spec, before, after), "B").changed


def test_values_are_shown_with_their_labels(spec):
    area = {"_id": "f1", "location": "Xieng Khouang", "area": "15000", "status": "confirmed", "mixed_hazard": True}
    before = content(spec, F={"tables": {"areas": [area], "cleared": []}})
    after = content(spec, F={"tables": {"areas": [{**area, "status": "suspected", "mixed_hazard": False}]}})
    row = form(diff.diff_versions(spec, before, after), "F").tables[0].rows[0]
    cells = {c.key: c for c in row.cells}
    assert (cells["status"].before, cells["status"].after) == ("Confirmed hazardous area", "Suspected hazardous area")
    assert (cells["mixed_hazard"].before, cells["mixed_hazard"].after) == ("Yes", "No")
    assert cells["area"].after == "15,000 m²" and not cells["area"].changed


def test_large_numbers_are_grouped_and_years_are_not(spec):
    victims = {"_id": "v1", "year": 2021, "killed": 12, "injured": 31}
    before = content(spec, H={"tables": {"victims": [victims]}}, B=stock(BLU))
    after = content(
        spec, H={"tables": {"victims": [{**victims, "injured": 32}]}}, B=stock({**BLU, "submunitions": 24000})
    )
    diffs = diff.diff_versions(spec, before, after)
    year, _killed, injured, _q = form(diffs, "H").tables[0].rows[0].cells
    assert (year.after, injured.before, injured.after) == ("2021", "31", "32")
    submunitions = form(diffs, "B").tables[0].rows[0].cells[2]
    assert (submunitions.before, submunitions.after) == ("3000", "24,000")


def test_narrative_changes_are_marked_word_by_word_and_escaped(spec):
    before = content(spec, A={"narratives": {"summary": "Law No. 12 prohibits cluster munitions.\nPenalties apply."}})
    after = content(
        spec,
        A={"narratives": {"summary": "Law No. 12 of 2012 prohibits <b>all</b> munitions.\nPenalties apply."}},
    )
    narrative = form(diff.diff_versions(spec, before, after), "A").narratives[0]
    assert narrative.changed
    assert narrative.before.startswith("Law No. 12 prohibits")
    html = str(narrative.html)
    assert '<ins><span class="visually-hidden">[inserted:] </span>of 2012 </ins>' in html
    assert '<del><span class="visually-hidden">[deleted:] </span>cluster</del>' in html
    assert "&lt;b&gt;all&lt;/b&gt;" in html and "<b>" not in html  # the State's text is escaped
    assert html.endswith("\nPenalties apply.")  # the unchanged line is kept once, unmarked
    assert narrative.html.__html__() == html  # safe to insert as is


def test_narrative_lines_added_and_removed(spec):
    html = str(diff.inline_diff("One.\nTwo.\nThree.", "One.\nThree.\nFour & five."))
    assert html == (
        'One.\n<del><span class="visually-hidden">[deleted:] </span>Two.\n</del>Three.\n'
        '<ins><span class="visually-hidden">[inserted:] </span>Four &amp; five.</ins>'
    )


def test_unchanged_narrative_has_no_marks(spec):
    html = str(diff.inline_diff("Same <text>.", "Same <text>."))
    assert html == "Same &lt;text&gt;."


def test_form_choice_changes(spec):
    before = content(spec)  # every form not applicable
    after = content(spec, C={"tables": {"types": [{"_id": "t1", "type": "BLU-26", "currently_held": True}]}})
    c = form(diff.diff_versions(spec, before, after), "C")
    assert c.choice_changed and c.changed
    assert (c.choice_before, c.choice_after) == (Choice.NOT_APPLICABLE, Choice.CHANGED)
    assert (c.choice_label_before, c.choice_label_after) == ("Not applicable", "Information provided")
    assert (c.na_before, c.na_after) == ("Not applicable.", "")
    assert [r.status for r in c.tables[0].rows] == [diff.ADDED]


def test_unchanged_since_with_the_same_content_is_not_a_change(spec):
    """A form carried over from last year as "unchanged since" is folded away."""
    before = content(spec, B=stock(BLU))
    after = copy.deepcopy(before)
    after["forms"]["B"].update(choice=Choice.UNCHANGED, unchanged_since=2020)
    b = form(diff.diff_versions(spec, before, after), "B")
    assert b.choice_changed and not b.changed
    assert b.choice_label_after == "Unchanged since the report for 2020"
    assert not b.marked_unchanged_but_differs


def test_marked_unchanged_but_content_differs_is_flagged(spec):
    before = content(spec, B=stock(BLU))
    after = content(spec, B=stock({**BLU, "munitions": 9}))
    after["forms"]["B"].update(choice=Choice.UNCHANGED, unchanged_since=2020)
    b = form(diff.diff_versions(spec, before, after), "B")
    assert b.changed and b.marked_unchanged_but_differs


def test_statement_of_a_not_applicable_form_changes(spec):
    before = content(spec)
    after = content(spec)
    after["forms"]["E"]["na_statement"] = "The State never produced cluster munitions."
    e = form(diff.diff_versions(spec, before, after), "E")
    assert e.changed and not e.choice_changed


def test_without_previous_content_nothing_is_compared(spec):
    diffs = diff.diff_versions(spec, None, content(spec, B=stock(BLU)))
    assert not any(d.compared for d in diffs)
    assert [r.status for r in form(diffs, "B").tables[0].rows] == [diff.ADDED]


def test_cover_page_changes(spec):
    before = content(spec)
    after = content(spec)
    before["cover"].update(contact_name="A. Person", contact_email="a@example.org")
    after["cover"].update(contact_name="B. Person", contact_email="a@example.org")
    document = diff.diff_document(spec, before, after)
    assert document.cover_changed
    assert [(c.key, c.before, c.after) for c in document.cover if c.changed] == [
        ("contact_name", "A. Person", "B. Person")
    ]
    assert document.changed_forms == []


def test_anchor_parts_are_safe_html_ids():
    assert diff.anchor_part("abc123") == "abc123"
    assert diff.anchor_part('x" onclick="y') == "x--onclick--y"
    assert diff.anchor_part("") == "-"
