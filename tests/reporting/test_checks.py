"""Cross-checks: warnings a reviewer would otherwise work out by hand."""

from decimal import Decimal

import pytest

from reporting import checks, services
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
