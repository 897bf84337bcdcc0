"""Cross-checks: warnings a reviewer would otherwise work out by hand."""

from decimal import Decimal

import pytest

from assistance import checks as assistance_checks
from reporting import checks, services
from reporting.formats import Choice
from reporting.models import ReportKind
from tests.reporting.conftest import fill_minimal
from tests.reporting.test_services import submit_complete

pytestmark = pytest.mark.django_db


def content(**tables):
    forms = {}
    for path, rows in tables.items():
        form, table = path.split("_", 1)
        forms.setdefault(form, {"tables": {}})["tables"][table] = rows
    return {"forms": forms}


def test_stockpile_balance_holds_per_type():
    previous = content(B_stockpile=[{"type": "BLU-26", "munitions": 10, "submunitions": 3000}])
    current = content(
        B_stockpile=[{"type": "blu-26 ", "munitions": 4, "submunitions": 1200}],
        B_destroyed=[{"type": "BLU-26", "munitions": 5, "submunitions": 1500}],
        D_transferred=[{"type": "BLU-26", "munitions": 1, "submunitions": 300}],
    )
    assert checks.stockpile_balance(previous, current) == []


def test_stockpile_imbalance_names_the_type_and_the_arithmetic():
    previous = content(B_stockpile=[{"type": "M26", "munitions": 10, "submunitions": 6440}])
    current = content(
        B_stockpile=[{"type": "M26", "munitions": 8, "submunitions": 6440}],
        B_destroyed=[{"type": "M26", "munitions": 1, "submunitions": 0}],
    )
    findings = checks.stockpile_balance(previous, current)
    assert len(findings) == 1
    assert findings[0].form_code == "B"
    assert "M26" in findings[0].message and "= 9" in findings[0].message and "is 8" in findings[0].message


def test_newly_discovered_stock_is_added():
    previous = content(B_stockpile=[])
    current = content(
        B_stockpile=[{"type": "RBK-250", "munitions": 2, "submunitions": 60}],
        B_discovered=[{"type": "RBK-250", "munitions": 2, "submunitions": 60}],
    )
    assert checks.stockpile_balance(previous, current) == []


def test_cleared_area_larger_than_contaminated_warns():
    previous = content(F_areas=[{"location": "Xieng Khouang", "area": "1000000"}])
    current = content(F_cleared=[{"location": "Xieng Khouang", "area": "1500000"}])
    findings = checks.cleared_within_contaminated(previous, current)
    assert {f.code for f in findings} == {"cleared_exceeds_contaminated"}
    assert "1,500,000" in findings[0].message


def test_year_on_year_change_beyond_the_threshold_warns():
    previous = content(F_areas=[{"location": "A", "area": "1000"}])
    assert checks.year_on_year(previous, content(F_areas=[{"location": "A", "area": "1200"}]), Decimal(25)) == []
    findings = checks.year_on_year(previous, content(F_areas=[{"location": "A", "area": "1300"}]), Decimal(25))
    assert findings and "+30.0%" in findings[0].message


def test_retention_while_article_3_is_open_warns(reference_data):
    from parties.models import State
    from tests.factories import make_user

    peru = State.objects.get(iso3="PER")  # Art. 3 extended to 1 April 2024, completion not recorded
    fp = make_user("focal_point", iso3="PER", email="fp.per@example.org")
    report = services.start_report(state=peru, kind=ReportKind.ANNUAL, period_year=2022, actor=fp)
    current = content(D_retained=[{"type": "CB-250K", "munitions": 5, "submunitions": 0}])
    findings = checks.retained_while_stockpile_open(report, current)
    assert [f.code for f in findings] == ["retained_while_art3_open"]
    croatia = make_user("focal_point", iso3="HRV", email="fp.hrv@example.org")
    done = services.start_report(
        state=State.objects.get(iso3="HRV"), kind=ReportKind.ANNUAL, period_year=2022, actor=croatia
    )
    assert checks.retained_while_stockpile_open(done, current) == []


def test_check_report_compares_with_the_last_accepted_report(focal_point, isu_staff, lao):
    first = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2020, actor=focal_point)
    v = submit_complete(
        first, focal_point, form_b_stock=[{"_id": "s1", "type": "BLU-26", "munitions": "10", "submunitions": "3000"}]
    )
    services.start_review(report=v.report, actor=isu_staff)
    services.accept_report(report=v.report, actor=isu_staff)
    nxt = services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2021, actor=focal_point, from_last_year=True
    )
    draft = nxt.draft
    draft["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = "7"
    nxt = services.save_draft(report=nxt, content=draft, base_revision=nxt.revision, actor=focal_point)
    codes = [f.code for f in checks.check_report(nxt)]
    assert "stockpile_balance" in codes
    assert "year_on_year_change" in codes  # 10 → 7 is −30 %
    draft = nxt.draft
    draft["forms"]["B"]["tables"]["destroyed"] = [
        {"_id": "d1", "type": "BLU-26", "munitions": "3", "submunitions": "0"}
    ]
    nxt = services.save_draft(
        report=nxt, content=fill_minimal(nxt) | {"forms": draft["forms"]}, base_revision=nxt.revision, actor=focal_point
    )
    assert [
        f for f in checks.check_report(nxt) if f.code == "stockpile_balance" and "cluster munitions" in f.message
    ] == []


# --- Contradictions between forms (issue 12, finding 4): warnings naming both places, never blocking ---
NA = Choice.NOT_APPLICABLE


def forms(**data):
    """Content with each form given as ``X=(choice, {table: rows})`` or ``X=choice``."""
    out = {}
    for code, value in data.items():
        choice, tables = value if isinstance(value, tuple) else (value, {})
        out[code] = {"choice": choice, "na_statement": "Does not apply." if choice == NA else "", "tables": tables}
    return {"forms": out}


M26 = {"_id": "s1", "type": "M26", "munitions": 120, "submunitions": 77280}


def places(finding):
    return [(place.form_code, place.path) for place in finding.places]


def test_stock_held_in_form_b_while_form_c_says_no_type_warns_naming_both_places():
    (finding,) = checks.stocks_against_types(forms(B=(Choice.CHANGED, {"stockpile": [M26]}), C=NA))
    assert finding.code == "b_stock_while_c_none"
    assert "120" in finding.message and "M26" in finding.message and "Form C" in finding.message
    assert places(finding) == [("B", "forms.B.tables.stockpile.s1"), ("C", "forms.C.choice")]
    assert finding.concerns("B") and finding.concerns("C") and not finding.concerns("D")
    assert finding.places[0].anchor == "row-s1" and finding.places[1].anchor == "f-C-choice"


def test_stock_and_types_that_agree_are_silent():
    m26_type = {"_id": "t1", "type": "m26 ", "currently_held": True}
    assert (
        checks.stocks_against_types(
            forms(B=(Choice.CHANGED, {"stockpile": [M26]}), C=(Choice.CHANGED, {"types": [m26_type]}))
        )
        == []
    )
    assert checks.stocks_against_types(forms(B=NA, C=NA)) == []
    assert (
        checks.stocks_against_types(
            forms(B=(Choice.CHANGED, {"stockpile": [M26 | {"munitions": 0, "submunitions": 0}]}), C=NA)
        )
        == []
    )


def test_a_type_held_in_b_but_missing_from_c_and_a_type_held_in_c_while_b_holds_none_warn():
    other = {"_id": "t1", "type": "BLU-63", "currently_held": True}
    codes = {
        f.code
        for f in checks.stocks_against_types(
            forms(B=(Choice.CHANGED, {"stockpile": [M26]}), C=(Choice.CHANGED, {"types": [other]}))
        )
    }
    assert codes == {"b_type_missing_in_c", "c_held_missing_in_b"}
    (finding,) = checks.stocks_against_types(forms(B=NA, C=(Choice.CHANGED, {"types": [other]})))
    assert finding.code == "c_held_while_b_none"
    assert places(finding) == [("C", "forms.C.tables.types.t1"), ("B", "forms.B.choice")]


def test_retention_in_form_d_while_form_b_holds_none_warns_and_is_silent_otherwise():
    retained = {"_id": "r1", "type": "M26", "munitions": 4, "submunitions": 0}
    (finding,) = checks.retention_against_stocks(forms(B=NA, D=(Choice.CHANGED, {"retained": [retained]})))
    assert finding.code == "d_retained_while_b_none"
    assert places(finding) == [("D", "forms.D.tables.retained.r1"), ("B", "forms.B.choice")]
    assert (
        checks.retention_against_stocks(
            forms(B=(Choice.CHANGED, {"stockpile": [M26]}), D=(Choice.CHANGED, {"retained": [retained]}))
        )
        == []
    )
    assert checks.retention_against_stocks(forms(B=NA, D=NA)) == []


def test_contaminated_areas_while_g_and_h_say_none_known_warn():
    area = {"_id": "a1", "location": "Xieng Khouang", "area": "87000000000"}
    findings = checks.contamination_against_education_and_victims(
        forms(F=(Choice.CHANGED, {"areas": [area]}), G=NA, H=NA)
    )
    assert [f.code for f in findings] == ["f_areas_while_g_none", "f_areas_while_h_none"]
    assert places(findings[0]) == [("F", "forms.F.tables.areas"), ("G", "forms.G.choice")]
    assert places(findings[1]) == [("F", "forms.F.tables.areas"), ("H", "forms.H.choice")]
    assert (
        checks.contamination_against_education_and_victims(
            forms(F=(Choice.CHANGED, {"areas": [area]}), G=Choice.CHANGED, H=Choice.CHANGED)
        )
        == []
    )
    assert checks.contamination_against_education_and_victims(forms(F=NA, G=NA, H=NA)) == []
    (reverse,) = checks.contamination_against_education_and_victims(forms(F=NA, G=Choice.CHANGED, H=NA))
    assert reverse.code == "g_education_while_f_none"


@pytest.fixture
def lao_2024(focal_point, lao, settings):
    from django.utils import timezone

    from reporting.models import FormatVersion, Report

    # An annual update for 2024 (made directly: the dates owed depend on today).
    return Report.objects.create(
        state=lao,
        kind=ReportKind.ANNUAL,
        period_year=2024,
        format_version=FormatVersion.objects.get(is_current=True),
        draft=FormatVersion.objects.get(is_current=True).spec.empty_content(),
        created_by=focal_point,
        updated_by=focal_point,
        status_changed_at=timezone.now(),
    )


def form_i_rows(*rows):
    return forms(I=(Choice.CHANGED, {"international": list(rows)}))


def test_form_i_is_checked_against_the_deliveries_recorded_in_the_portal(lao_2024):
    import datetime as dt

    from tests.assistance.test_overview import make_request
    from tests.assistance.test_reconciliation import deliver

    request = make_request(amount="500000")
    match = deliver(request, "NOR", "25000", on=dt.date(2024, 6, 1))
    deliver(request, "NOR", "1000", on=dt.date(2025, 2, 1))  # another year: not this report's
    (finding,) = assistance_checks.assistance_against_registry(lao_2024, forms(I=NA))
    assert finding.code == "i_missing_registry_delivery"
    assert "25,000" in finding.message and "Norway" in finding.message and "USD" in finding.message
    assert finding.places[0].form_code == "I" and finding.places[0].path == "forms.I.tables.international"
    assert finding.places[1].url == f"/assistance/matches/{match.pk}/"
    received = {"_id": "i1", "direction": "received", "counterpart": "Norway", "amount": "25000", "currency": "USD"}
    assert assistance_checks.assistance_against_registry(lao_2024, form_i_rows(received)) == []
    (finding,) = assistance_checks.assistance_against_registry(lao_2024, form_i_rows(received | {"amount": "20000"}))
    assert finding.code == "i_differs_from_registry"
    assert places(finding)[0] == ("I", "forms.I.tables.international.i1")


def test_cross_form_warnings_never_block_submission_and_the_report_page_links_both_places(
    client_for, focal_point, isu_staff, initial_report
):
    import html as html_lib
    import re

    from django.urls import reverse

    content = fill_minimal(
        initial_report, form_b_stock=[{"_id": "s1", "type": "M26", "munitions": "120", "submunitions": "77280"}]
    )
    content["forms"]["F"].update(choice=Choice.CHANGED, na_statement="")
    content["forms"]["F"]["tables"]["areas"] = [
        {"_id": "a1", "location": "Xieng Khouang", "area": "87,000 km²", "status": "confirmed"}
    ]
    report = services.save_draft(report=initial_report, content=content, base_revision=0, actor=focal_point)
    codes = {f.code for f in checks.check_report(report)}
    assert {"b_stock_while_c_none", "f_areas_while_g_none", "f_areas_while_h_none"} <= codes
    page = client_for(focal_point).get(report.get_absolute_url()).content.decode()
    text = html_lib.unescape(re.sub(r"\s+", " ", page))
    assert "Form B declares 120 cluster munitions" in text
    form_c = reverse("reporting:report_form", args=[report.pk, "C"])
    assert f'href="{form_c}#f-C-choice"' in page
    assert f'href="{reverse("reporting:report_form", args=[report.pk, "B"])}#row-s1"' in page
    # The form pages on both sides show the warning.
    assert "Form B declares 120" in html_lib.unescape(client_for(focal_point).get(form_c).content.decode())
    services.set_visibility(report=report, visibility="public", actor=focal_point)
    version = services.submit_report(report=report, actor=focal_point)  # warnings never block
    assert version.number == 1
    services.start_review(report=report, actor=isu_staff)
    review = html_lib.unescape(
        client_for(isu_staff).get(reverse("reporting:review_detail", args=[report.pk])).content.decode()
    )
    assert "Form B declares 120 cluster munitions" in review and 'href="#form-C"' in review


def test_a_form_marked_unchanged_that_differs_from_the_report_started_from_warns_on_the_report(
    focal_point, isu_staff, lao
):
    """The focal point's choice is kept (never flipped), so a form left "unchanged since" after its
    rows were edited is a contradiction the report page and the reviewer must see."""
    first = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2020, actor=focal_point)
    v = submit_complete(
        first, focal_point, form_b_stock=[{"_id": "s1", "type": "BLU-26", "munitions": "10", "submunitions": "3000"}]
    )
    services.start_review(report=v.report, actor=isu_staff)
    services.accept_report(report=v.report, actor=isu_staff)
    nxt = services.start_report(
        state=lao, kind=ReportKind.ANNUAL, period_year=2021, actor=focal_point, from_last_year=True
    )
    assert [f for f in checks.check_report(nxt) if f.code == "unchanged_but_differs"] == []

    draft = nxt.draft
    assert draft["forms"]["B"]["choice"] == Choice.UNCHANGED
    draft["forms"]["B"]["tables"]["stockpile"][0]["munitions"] = "7"
    nxt = services.save_draft(report=nxt, content=draft, base_revision=nxt.revision, actor=focal_point)
    assert nxt.draft["forms"]["B"]["choice"] == Choice.UNCHANGED  # kept as chosen
    (warning,) = [f for f in checks.check_report(nxt) if f.code == "unchanged_but_differs"]
    assert warning.form_code == "B"
    assert "Form B" in warning.message and "2020" in warning.message
    assert warning.places[0].path == "forms.B.choice"
    assert warning.places[1].url == f"/reporting/{v.report.pk}/v{v.number}/#form-B"


def test_a_warnings_places_name_tables_by_their_label_in_the_readers_language_and_set_apart_what_the_state_typed(
    focal_point, initial_report
):
    """The places read "Form B, <the table's label>, row 1 (M26)" in the reader's language (they named the table by
    its key, "stockpile", in every language), and what the State typed (the type, the not-applicable statement) is
    isolated, so an English statement quoted in an Arabic warning keeps its punctuation at its own end."""
    from django.utils import translation

    content = fill_minimal(
        initial_report, form_b_stock=[{"_id": "s1", "type": "M26", "munitions": "120", "submunitions": "77280"}]
    )
    report = services.save_draft(report=initial_report, content=content, base_revision=0, actor=focal_point)
    statement = report.draft["forms"]["C"]["na_statement"]
    with translation.override("fr"):
        (finding,) = [f for f in checks.check_report(report) if f.code == "b_stock_while_c_none"]
    row, choice = finding.places
    assert row.label.startswith("Formulaire B, Armes à sous-munitions détenues à la fin de la période")
    assert "stockpile" not in row.label and row.label.endswith("(\u2068M26\u2069)")
    assert f"\u2068{statement}\u2069" in choice.label
    assert "\u2068M26\u2069" in finding.message
    # Checked on their own (no report), the places name the table by its key.
    (alone,) = checks.stocks_against_types(report.draft)
    assert alone.places[0].label.startswith("Form B, stockpile, row 1")
