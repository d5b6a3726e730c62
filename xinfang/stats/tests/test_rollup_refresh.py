"""The incremental rollup catches changes that write no event (the worker's triage flags)."""

import pytest
from django.utils import timezone

from xinfang.petitions.models import Petition
from xinfang.stats import rollup
from xinfang.stats.models import DailyStat
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_flags_set_by_triage_after_a_pass_reach_the_rollup(world):
    petition = make_petition(world)
    assert rollup.refresh() > 0
    # The worker's triage flags the petition as a repeat visit: an update, no event.
    Petition.objects.filter(pk=petition.pk).update(is_repeat=True)
    assert rollup.refresh() == 0  # no new events ...
    today = timezone.localdate()
    assert sum(DailyStat.objects.filter(date=today).values_list("repeat", flat=True)) == 1  # ... recounted
