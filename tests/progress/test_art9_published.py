"""Art. 9 figures say how much of the record they cover, and show the nearest published total beside the
computed one ("31 of 110 States Parties had adopted legislation", Human Rights Watch, 24 November 2020)."""

import pytest

pytestmark = pytest.mark.django_db


def art9(client, day: str) -> dict:
    figures = client.get("/progress/", {"as_of": day, "format": "json"}).json()["figures"]
    return next(f for f in figures if f["key"] == "art9-adopted")


def test_the_published_total_known_by_the_day_is_shown_beside_the_computed_one(client, reference_data):
    figure = art9(client, "2020-12-01")
    assert (figure["published"]["value"], figure["published"]["out_of"]) == (31, 110)
    coverage = figure["coverage"]
    # Computed from the record: the States Parties with an Art. 9 status in effect, and the rest with none.
    assert coverage["recorded"] + len(coverage["no_record"]) == coverage["of"] == figure["denominator"]
    assert figure["numerator"] < 31  # the record holds few States: most of the difference is coverage


def test_a_total_published_later_is_not_shown_before(client, reference_data):
    figure = art9(client, "2020-11-23")  # the 2020 total is dated 24 November 2020
    assert figure["published"]["value"] == 22  # August 2014: 22 of 84
    assert art9(client, "2014-07-31").get("published") is None
