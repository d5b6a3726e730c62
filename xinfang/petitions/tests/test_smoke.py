import pytest

from xinfang.petitions.choices import Stage, Status
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def test_full_path_to_final(world):
    petition = make_petition(world)
    assert petition.status == Status.REGISTERED
    assert petition.current_due is not None
    petition = advance(petition, world, to="final")
    assert petition.status == Status.CLOSED
    assert petition.is_final
    assert petition.stage == Stage.REREVIEW
    actions = list(petition.events.values_list("action", flat=True))
    assert actions[0] == "register"
    assert "request_rereview" in actions
