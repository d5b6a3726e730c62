import random

import pytest

from xinfang.hearings import demo as hearings_demo
from xinfang.hearings.models import Hearing, HearingMember, PublishedHearingOpinion
from xinfang.petitions.models import Petition
from xinfang.supervision import demo as supervision_demo
from xinfang.supervision.models import AccountabilityProposal, SupervisionNotice
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def test_demo_populates_hearings_and_supervision(world):
    for _ in range(4):
        advance(make_petition(world), world, to="rereview")
    for _ in range(3):
        advance(make_petition(world), world, to="handling")
    users = {
        "bureau_leader": [world.bureau_leader],
        "supervisor": [world.supervisor],
        "registrar": [world.registrar],
        "hearing_member": [world.hearing_member],
    }
    units = [world.town_a, world.town_b, world.housing]
    rng = random.Random(7)
    hearings_demo.populate(rng, Petition.objects.all(), users, units)
    supervision_demo.populate(rng, Petition.objects.all(), users, units)
    assert HearingMember.objects.count() == 12
    assert set(Hearing.objects.values_list("status", flat=True)) == {"concluded", "held", "scheduled"}
    assert PublishedHearingOpinion.objects.count() == 1
    assert SupervisionNotice.objects.filter(flagged=True).exists()
    assert SupervisionNotice.objects.filter(replied_at__isnull=False).exists()
    assert AccountabilityProposal.objects.exclude(adoption="pending").exists()
