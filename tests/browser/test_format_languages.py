"""The reporting format in the reader's language, in a real browser: a focal point who reads the portal in French
sees Form B's title and column headings in French in the editor (the format's own translations, stored with the
format version), and none of the English headings."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from parties.models import State
from reporting import services
from reporting.models import FormatVersion, ReportKind
from tests.helpers import record_second_factor
from tests.reporting.conftest import fill_minimal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = ["Type", "Cluster munitions", "Submunitions", "Qualifier", "Lot numbers"]


def test_a_focal_point_reading_french_sees_form_b_in_french(page, focal_point):
    lao = State.objects.get(iso3="LAO")
    report = services.start_report(state=lao, kind=ReportKind.ANNUAL, period_year=2024, actor=focal_point)
    stock = [{"_id": "s1", "type": "BLU-26", "munitions": "10", "submunitions": "5"}]
    services.save_draft(
        report=report,
        content=fill_minimal(report, form_b_stock=stock),
        base_revision=report.revision,
        actor=focal_point,
    )
    focal_point.language = "fr"
    focal_point.save(update_fields=["language"])
    french = FormatVersion.objects.get(is_current=True).translations["fr"]

    page.goto("/healthz")  # an origin for the cookies
    client = Client()
    client.force_login(focal_point)
    record_second_factor(client, focal_point)
    origin = page.evaluate("location.origin")
    cookies = {
        settings.LANGUAGE_COOKIE_NAME: "fr",
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
    }
    page.context.add_cookies([{"name": name, "value": value, "url": origin} for name, value in cookies.items()])

    response = page.goto(f"/reporting/{report.pk}/forms/B/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Stocks et destruction" in page.locator("h1").inner_text()
    stockpile = page.locator("table", has=page.locator("input[name*='stockpile'], select[name*='stockpile']")).first
    headings = [" ".join(text.replace("*", "").split()) for text in stockpile.locator("thead th").all_text_contents()]
    for english in HEADINGS:
        assert any(heading.startswith(french[english]) for heading in headings), (french[english], headings)
    assert not any(heading.startswith(("Cluster munitions", "Submunitions", "Lot numbers")) for heading in headings)
    assert page.get_by_text("Armes à sous-munitions détenues à la fin de la période", exact=False).count() >= 1
