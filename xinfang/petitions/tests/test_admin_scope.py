"""Issue 13 §9: the Django admin applies the access rules to every petition-linked model."""

import pytest
from django.contrib import admin

from xinfang.documents.models import IssuedDocument
from xinfang.petitions.admin_scope import PetitionScopedAdmin
from xinfang.petitions.models import Petition, Recusal
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def _forward_relations(model):
    return [
        f
        for f in model._meta.get_fields()
        if f.is_relation and not f.auto_created and (f.many_to_one or f.one_to_one or f.many_to_many)
    ]


def _links_to_petition(model) -> bool:
    """A relation to Petition, directly or through one model that has one (a hearing, a notice)."""
    for f in _forward_relations(model):
        if f.related_model is Petition:
            return True
        if any(g.related_model is Petition for g in _forward_relations(f.related_model)):
            return True
    return False


def test_every_petition_linked_model_admin_is_scoped():
    linked = [m for m in admin.site._registry if _links_to_petition(m)]
    assert len(linked) >= 13  # documents, hearings, ownership, commitments, alerts, … (guard the walk)
    unscoped = [m._meta.label for m in linked if not isinstance(admin.site._registry[m], PetitionScopedAdmin)]
    assert unscoped == []


def test_recused_admin_cannot_read_the_notice_in_the_admin(world, client):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    petition = advance(make_petition(world, title="管理员回避的事项"), world, to="handling")
    document = IssuedDocument.objects.filter(petition=petition).first()
    change = f"/admin/documents/issueddocument/{document.pk}/change/"
    client.force_login(world.admin)
    assert client.get(change).status_code == 200
    assert document.number in client.get(change).content.decode()
    assert document.number in client.get("/admin/documents/issueddocument/").content.decode()

    Recusal.objects.create(
        petition=petition, user=world.admin, reason="利害关系", created_by=world.bureau_leader
    )
    response = client.get(change)
    assert response.status_code in (302, 404)  # the admin's "does not exist" answer
    assert document.number not in client.get(change, follow=True).content.decode()
    assert document.number not in client.get("/admin/documents/issueddocument/").content.decode()
