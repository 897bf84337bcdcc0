import io

import pytest
from django.core.management import call_command

from assistance.models import AssistanceRequest, Coalition, Match, MatchStatus
from assistance.selectors import funding

pytestmark = pytest.mark.django_db


def test_demo_assistance_is_created_once_with_a_committed_match(reference_data):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo_assistance", force=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo_assistance", force=True, stdout=out)
    assert "already exists" in out.getvalue()
    requests = list(AssistanceRequest.objects.filter(state__iso3="LAO"))
    assert len(requests) == 2
    match = Match.objects.get()
    assert match.status == MatchStatus.COMMITTED
    gap = funding(requests)[match.request_id]
    assert (gap.needed, gap.committed, gap.gap) == (1_200_000, 500_000, 700_000)
    assert Coalition.objects.get().partners.get().state.iso3 == "NOR"


def test_demo_assistance_refuses_to_run_outside_debug(reference_data):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo_assistance", stdout=io.StringIO())
