"""The Excel export writes the public's text as text (issue 13, findings 5 and 6)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from xinfang.petitions.actions import PetitionerInput
from xinfang.petitions.models import Petition, Petitioner
from xinfang.testing import VALID_ID, make_petition

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://example.invalid/x","点击")'


def _cells(response):
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [cell for row in workbook.active.iter_rows() for cell in row]


@pytest.mark.parametrize("title", [HYPERLINK, "\t=1+2", "  +1+2", "-2+3", "@SUM(A1:A2)", "\r=1"])
def test_a_formula_title_is_exported_as_text(world, client, title):
    petition = make_petition(world)
    Petition.objects.filter(pk=petition.pk).update(title=title)
    client.force_login(world.registrar)
    cells = _cells(client.get("/inbox/export.xlsx?view=all"))
    assert not [c for c in cells if c.data_type == "f"]
    (cell,) = [c for c in cells if c.row == 2 and c.column == 2]
    assert cell.data_type == "s" and cell.value.startswith("'")
    assert cell.value[1:].strip() == title.strip()


def test_a_petitioner_named_like_a_formula_is_not_a_formula(world, client):
    person = PetitionerInput(name="=1+2", id_number=VALID_ID, phone="13812345678")
    make_petition(world, petitioners=[person])
    assert Petitioner.objects.filter(name="=1+2").exists()
    client.force_login(world.registrar)
    cells = _cells(client.get("/inbox/export.xlsx?view=all"))
    assert not [c for c in cells if c.data_type == "f"]
    assert "'=***" in [c.value for c in cells]


def test_control_characters_stored_before_cleaning_do_not_break_the_export(world, client):
    petition = make_petition(world)
    Petition.objects.filter(pk=petition.pk).update(title="路灯\x07不亮\x1b[0m")
    client.force_login(world.registrar)
    values = [c.value for c in _cells(client.get("/inbox/export.xlsx"))]
    assert "路灯不亮[0m" in values
