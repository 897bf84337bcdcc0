"""State names in the reader's language: the treaty record's name in English, the UN's short name the ISU set
(``State.names``) or CLDR's name in the other languages; set in the admin and audited; the API's names."""

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import AuditEntry
from parties.models import State
from parties.names import sort_key

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", response.content.decode()))


def h1(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", text(response)).group(1).strip()


def test_the_state_page_speaks_the_readers_language(client, reference_data):
    assert h1(client.get("/states/LAO/")) == "Lao People's Democratic Republic"  # the treaty record's name
    assert h1(client.get("/states/LAO/", HTTP_ACCEPT_LANGUAGE="fr")) == "République démocratique populaire lao"
    assert h1(client.get("/states/DEU/", HTTP_ACCEPT_LANGUAGE="fr")) == "Allemagne"  # CLDR's
    assert h1(client.get("/states/DEU/", HTTP_ACCEPT_LANGUAGE="ar")) == "ألمانيا"
    assert h1(client.get("/states/DEU/", HTTP_ACCEPT_LANGUAGE="zh-hans")) == "德国"


def test_cldr_names_unlike_the_uns_are_replaced_by_the_seeded_names(reference_data):
    with translation.override("fr"):
        assert State.objects.get(iso3="COG").local_name == "Congo"  # CLDR: "Congo-Brazzaville"
        assert State.objects.get(iso3="VAT").local_name == "Saint-Siège"  # CLDR: "État de la Cité du Vatican"
        assert State.objects.get(iso3="PSE").local_name == "État de Palestine"  # CLDR: "Territoires palestiniens"
    with translation.override("en"):
        assert str(State.objects.get(iso3="PSE")) == "State of Palestine"


def test_the_list_of_states_in_french_is_in_french_order(client, reference_data):
    page = text(client.get("/states/", HTTP_ACCEPT_LANGUAGE="fr"))
    names = re.findall(r'<th scope="row"><a href="/states/[A-Z]{3}/">([^<]+)</a></th>', page)
    assert len(names) == State.objects.exclude(signature_date=None, deposit_date=None).count()
    assert "Allemagne" in names and "Germany" not in names
    assert names == sorted(names, key=sort_key)
    assert names.index("Afrique du Sud") < names.index("Allemagne") < names.index("Équateur") < names.index("Espagne")


def test_the_list_of_states_costs_the_same_queries_in_every_language(client, reference_data):
    counts = []
    for language in ("en", "fr", "ar"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/states/?q=a&lang={language}", HTTP_ACCEPT_LANGUAGE=language).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1


def test_an_override_set_in_the_admin_shows_and_is_audited(client_for, client, isu_staff):
    state = State.objects.get(iso3="DEU")
    admin = client_for(isu_staff)
    page = admin.get(f"/admin/parties/state/{state.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"name_fr": "  République   fédérale d'Allemagne ", "obligations-TOTAL_FORMS": "0"}
    data |= {"obligations-INITIAL_FORMS": "0", "obligations-MIN_NUM_FORMS": "0", "obligations-MAX_NUM_FORMS": "1000"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = admin.post(f"/admin/parties/state/{state.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    state.refresh_from_db()
    assert state.names == {"fr": "République fédérale d'Allemagne"}
    entry = AuditEntry.objects.filter(action="parties.state.changed").latest("pk")
    assert entry.changes["names"] == [{}, {"fr": "République fédérale d'Allemagne"}]
    assert h1(client.get("/states/DEU/", HTTP_ACCEPT_LANGUAGE="fr")) == "République fédérale d'Allemagne"
    assert h1(client.get("/states/DEU/")) == "Germany"


def test_a_name_for_an_unknown_language_is_refused(reference_data):
    from django.core.exceptions import ValidationError

    state = State.objects.get(iso3="DEU")
    state.names = {"de": "Deutschland"}
    with pytest.raises(ValidationError) as caught:
        state.full_clean()
    assert "names" in caught.value.message_dict


def _api_names(client, language: str) -> dict[str, str]:
    names = {}
    for code in ("DEU", "LAO"):
        body = client.get(f"/api/v1/states?q={code}", HTTP_ACCEPT_LANGUAGE=language).json()
        rows = next(value for value in body.values() if isinstance(value, list))
        names |= {row["iso3"]: row["name"] for row in rows}
    return names


def test_the_api_gives_names_in_the_requested_language(client, reference_data):
    assert _api_names(client, "fr") == {"DEU": "Allemagne", "LAO": "République démocratique populaire lao"}
    assert _api_names(client, "ru")["DEU"] == "Германия"
    assert _api_names(client, "en") == {"DEU": "Germany", "LAO": "Lao People's Democratic Republic"}


def test_the_universalization_overview_names_every_state_in_the_readers_language(reference_data):
    """The overview loads States with .only(): without their own names the State of Palestine read « Territoires
    palestiniens » (CLDR's territory), and UN members outside the Convention kept the M49 file's English names."""
    import datetime as dt

    from parties import universalization

    with translation.override("fr"):
        names = universalization.overview(dt.date(2026, 1, 1)).names
    assert names["PSE"] == "État de Palestine"
    assert names["USA"] == "États-Unis" and names["RUS"] == "Russie"
    assert universalization.overview(dt.date(2026, 1, 1)).names["PSE"] == "State of Palestine"
