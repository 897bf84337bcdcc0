"""Currency codes carry CLDR's name in the reader's language: the request form's list of codes and the
funding figures of a request."""

import re

import pytest
from django.urls import reverse

from tests.assistance.test_board import make_request

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_currency_list_of_the_request_form_names_each_currency_in_french(client_for, focal_point):
    client = client_for(focal_point)
    page = text(client.get(reverse("assistance:request_new"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<option value="USD" label="USD — dollar des États-Unis">' in page
    assert '<option value="EUR" label="EUR — euro">' in page


def test_the_same_list_in_english(client_for, focal_point):
    page = text(client_for(focal_point).get(reverse("assistance:request_new")))
    assert '<option value="USD" label="USD — US Dollar">' in page


def test_an_amount_on_the_board_names_its_currency_in_french(client_for, isu_staff, focal_point):
    request = make_request(focal_point, currency="USD")
    page = text(
        client_for(isu_staff).get(reverse("assistance:board_request", args=[request.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    )
    assert '<abbr class="currency" title="dollar des États-Unis">USD</abbr>' in page


def test_an_amount_in_arabic_names_its_currency_in_arabic(client_for, isu_staff, focal_point):
    request = make_request(focal_point, currency="EUR")
    page = text(
        client_for(isu_staff).get(reverse("assistance:board_request", args=[request.pk]), HTTP_ACCEPT_LANGUAGE="ar")
    )
    assert '<abbr class="currency" title="يورو">EUR</abbr>' in page
