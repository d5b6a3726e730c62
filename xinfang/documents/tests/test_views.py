"""Downloads go through the access rules; rights-card prints are audited."""

import pytest

from xinfang.audit.models import AuditLog
from xinfang.documents.models import IssuedDocument
from xinfang.testing import PASSWORD, advance, make_petition

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_transfer_notice_downloads_as_pdf_and_docx_for_the_unit(client, world):
    petition = advance(make_petition(world), world, to="handling")
    document = IssuedDocument.objects.filter(petition=petition, kind="acceptance_notice").get()
    login(client, world.handler_a)
    pdf = client.get(f"/documents/{document.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/documents/{document.pk}.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


def test_documents_hidden_from_units_that_cannot_see_the_matter(client, world):
    petition = advance(make_petition(world), world, to="handling")
    document = IssuedDocument.objects.filter(petition=petition).first()
    login(client, world.handler_b)
    assert client.get(f"/documents/{document.pk}.pdf").status_code == 404
    client.logout()
    assert client.get(f"/documents/{document.pk}.pdf").status_code == 302


def test_accusation_notice_hidden_from_the_accused_unit(client, world):
    from xinfang.petitions import actions as a

    petition = make_petition(world, petition_class="accusation", respondent_unit_id=world.town_a.pk)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.discipline)
    document = IssuedDocument.objects.filter(petition=petition).get()
    login(client, world.leader_a)
    assert client.get(f"/documents/{document.pk}.pdf").status_code == 404


def test_rights_card_print_is_audited_each_time(client, world):
    petition = make_petition(world)
    login(client, world.registrar)
    for layout in ("card", "a4", "card"):
        response = client.get(f"/documents/rights-card/{petition.pk}.pdf?layout={layout}")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action="reprint_rights_card", object_id=str(petition.pk)).count() == 3
    assert client.get(f"/documents/rights-card/{petition.pk}.pdf?layout=poster").status_code == 404
