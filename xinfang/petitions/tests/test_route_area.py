"""Issue 14 (found while building the desk's routing picker): the transfer action
itself should keep a bureau's 转送/交办 inside its area.  The pages offer only the
area's units (web/forms.route_field_setup), but the API reaches the action directly."""

import pytest

from xinfang.petitions import actions as a
from xinfang.petitions.errors import ActionError
from xinfang.testing import make_city, make_petition

pytestmark = pytest.mark.django_db


def test_a_district_bureau_cannot_transfer_to_a_sibling_districts_unit(world):
    city = make_city(world)
    petition = make_petition(world, actor=city.lianyun_registrar)
    with pytest.raises(ActionError):
        a.petition_transfer(actor=city.lianyun_registrar, petition=petition, unit=world.town_a)
