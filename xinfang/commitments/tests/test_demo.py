import random

import pytest

from xinfang.commitments import demo as commitments_demo
from xinfang.commitments.models import Commitment
from xinfang.ownership import demo as ownership_demo
from xinfang.ownership.models import BacklogCase, CaseOwnership
from xinfang.petitions.models import Petition
from xinfang.reception import demo as reception_demo
from xinfang.reception.models import JointHandling, JointReceptionSession, LeaderReceptionSlot
from xinfang.reception.tests.helpers import concluded_petition, handling_petition
from xinfang.testing import make_petition


@pytest.mark.django_db
def test_demo_populate_creates_rows_for_every_mechanism(world, client):
    for _ in range(6):
        handling_petition(world)
    for _ in range(3):
        make_petition(world)
        concluded_petition(world)
    users = {
        "registrar": [world.registrar],
        "bureau_leader": [world.bureau_leader],
        "unit_leader": [world.leader_a, world.leader_b, world.housing_leader],
        "handler": [world.handler_a, world.handler_b, world.housing_handler],
    }
    units = [world.town_a, world.town_b, world.housing, world.bureau, world.district]
    rng = random.Random(7)
    for module in (reception_demo, ownership_demo, commitments_demo):
        module.populate(rng, Petition.objects.all(), users, units)
    assert JointReceptionSession.objects.count() == 16
    assert JointHandling.objects.count() >= 3
    assert all(j.participants.count() == 3 for j in JointHandling.objects.all())
    assert (
        LeaderReceptionSlot.objects.exists()
        and CaseOwnership.objects.exists()
        and BacklogCase.objects.exists()
    )
    assert Commitment.objects.exists()
    client.force_login(world.registrar)
    for url in [
        "/reception/",
        "/reception/joint/",
        "/ownership/",
        "/ownership/backlog/",
        "/commitments/",
        "/commitments/accountability/",
        "/commitments/followups/?state=done",
        "/reception/leader/?past=1",
    ]:
        assert client.get(url).status_code == 200, url
    for joint in JointHandling.objects.all():
        assert client.get(f"/reception/joint/{joint.pk}/").status_code == 200
