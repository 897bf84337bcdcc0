"""The 2010 format as data, and the validation of what focal points type."""

from decimal import Decimal

import pytest

from reporting.formats import Choice, FormatDefinition, load_file, parse_area, parse_number, validate

SPEC = FormatDefinition.from_dict(load_file("ccm-2010.json"))


def test_the_2010_format_has_the_cover_page_and_forms_a_to_j():
    assert [f.code for f in SPEC.forms] == list("ABCDEFGHIJ")
    assert not SPEC.form("A").allows_not_applicable
    covered = {item for form in SPEC.forms for item in form.items} | {"l"}
    assert covered == set("abcdefghijklmn")  # every Art. 7(1) item has a home


@pytest.mark.parametrize(
    ("text", "m2"),
    [
        ("1500", "1500"),
        ("1,500,000", "1500000"),
        ("1 500 000 m2", "1500000"),
        ("30 ha", "300000"),
        ("2.5 km2", "2500000"),
        ("2,5 km²", "2500000"),
        ("0.25 ha", "2500"),
    ],
)
def test_areas_are_stored_in_square_metres_whatever_unit_was_typed(text, m2):
    assert parse_area(text) == Decimal(m2)


@pytest.mark.parametrize("text", ["", "km2", "12 acres", "-5", "1.2.3"])
def test_bad_areas_are_refused(text):
    with pytest.raises(ValueError):
        parse_area(text)


def test_numbers_accept_thousands_separators():
    assert parse_number("4,800,000") == Decimal(4800000)
    assert parse_number("12,5") == Decimal("12.5")


def doc(**forms):
    content = SPEC.empty_content()
    for code, data in forms.items():
        content["forms"][code].update(data)
    return content


def test_form_a_cannot_be_not_applicable():
    result = validate(
        SPEC, doc(A={"choice": Choice.NOT_APPLICABLE, "na_statement": "n/a"}), initial=False, period_year=2024
    )
    assert "always applies" in result.errors["forms.A.choice"]


def test_not_applicable_needs_a_one_line_statement():
    result = validate(SPEC, doc(B={"choice": Choice.NOT_APPLICABLE}), initial=False, period_year=2024)
    assert "forms.B.na_statement" in result.errors
    result = validate(
        SPEC,
        doc(B={"choice": Choice.NOT_APPLICABLE, "na_statement": "line one\nline two"}),
        initial=False,
        period_year=2024,
    )
    assert "one line" in result.errors["forms.B.na_statement"]


def test_unchanged_is_for_annual_updates_and_needs_a_year():
    result = validate(
        SPEC, doc(G={"choice": Choice.UNCHANGED, "unchanged_since": 2020}), initial=True, period_year=None
    )
    assert "initial report" in result.errors["forms.G.choice"]
    result = validate(SPEC, doc(G={"choice": Choice.UNCHANGED}), initial=False, period_year=2024)
    assert "forms.G.unchanged_since" in result.errors
    result = validate(
        SPEC, doc(G={"choice": Choice.UNCHANGED, "unchanged_since": 2030}), initial=False, period_year=2024
    )
    assert "forms.G.unchanged_since" in result.errors


def test_typed_cells_keep_the_typed_value_and_name_the_error():
    rows = [{"_id": "r1", "type": "BLU-26", "munitions": "twelve", "submunitions": "-3"}]
    result = validate(
        SPEC, doc(B={"choice": Choice.CHANGED, "tables": {"stockpile": rows}}), initial=False, period_year=2024
    )
    assert result.errors["forms.B.tables.stockpile.r1.munitions"] == "Enter a number."
    assert "at least 0" in result.errors["forms.B.tables.stockpile.r1.submunitions"]
    assert result.cleaned["forms"]["B"]["tables"]["stockpile"][0]["munitions"] == "twelve"


def test_money_needs_a_known_currency_and_is_never_negative():
    rows = [
        {
            "_id": "a",
            "direction": "given",
            "counterpart": "GICHD",
            "kind": "financial",
            "amount": "1000.50",
            "currency": "CHF",
        },
        {
            "_id": "b",
            "direction": "given",
            "counterpart": "Lao PDR",
            "kind": "financial",
            "amount": "-1",
            "currency": "EUR",
        },
        {
            "_id": "c",
            "direction": "received",
            "counterpart": "UNMAS",
            "kind": "financial",
            "amount": "10",
            "currency": "XYZ",
        },
        {
            "_id": "d",
            "direction": "received",
            "counterpart": "ICRC",
            "kind": "financial",
            "amount": "10",
            "currency": "",
        },
    ]
    result = validate(
        SPEC, doc(I={"choice": Choice.CHANGED, "tables": {"international": rows}}), initial=False, period_year=2024
    )
    assert "forms.I.tables.international.a.amount" not in result.errors
    assert "negative" in result.errors["forms.I.tables.international.b.amount"]
    assert "ISO 4217" in result.errors["forms.I.tables.international.c.currency"]
    assert "currency" in result.errors["forms.I.tables.international.d.currency"]


def test_blank_rows_are_dropped_and_completeness_is_per_form():
    content = doc(
        A={
            "choice": Choice.CHANGED,
            "narratives": {"summary": ""},
            "tables": {"measures": [{"_id": "x", "kind": "", "title": ""}]},
        }
    )
    result = validate(SPEC, content, initial=True, period_year=None)
    assert result.cleaned["forms"]["A"]["tables"]["measures"] == []
    assert not result.form_complete("A")
    assert result.missing["A"]
    assert not result.form_complete("J")  # nothing said yet
