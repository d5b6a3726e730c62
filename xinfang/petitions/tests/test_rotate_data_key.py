"""`xinfang rotate-data-key` re-encrypts personal data and rebuilds the lookup hashes."""

from io import StringIO

import pytest
from cryptography.exceptions import InvalidTag
from django.core.management import CommandError, call_command

from xinfang.lib import crypto
from xinfang.notifications.models import Notification
from xinfang.petitions.models import Petition, Petitioner, name_address_hash
from xinfang.petitions.personal import find_petitioners
from xinfang.testing import VALID_ID, make_petition

pytestmark = pytest.mark.django_db

OLD = "old-data-key-" + "o" * 40
NEW = "new-data-key-" + "n" * 40


def _rotate(monkeypatch, new=NEW, **kw) -> str:
    monkeypatch.setenv("XINFANG_NEW_DATA_KEY", new)
    out = StringIO()
    call_command("rotate-data-key", stdout=out, stderr=StringIO(), **kw)
    return out.getvalue()


def test_rotation_re_encrypts_and_lookups_still_find(world, settings, monkeypatch):
    settings.DATA_KEY = OLD
    petition = make_petition(world)
    code = petition.query_code  # its registration message (with the code) was queued with it
    person = Petitioner.objects.get()
    before = (person.id_number_enc, person.id_number_hash, person.phone_hash, person.name_address_hash)

    out = _rotate(monkeypatch)
    assert "petitions.Petitioner: 1" in out

    settings.DATA_KEY = NEW  # the operator switches the key and restarts
    person.refresh_from_db()
    assert person.id_number_enc != before[0] and person.id_number_hash != before[1]
    assert person._decrypt("id_number") == VALID_ID
    assert person._decrypt("phone") == "13812345678"
    assert person._decrypt("address") == "新海街道朝阳小区3栋"
    with pytest.raises(InvalidTag):
        crypto.decrypt(person.id_number_enc, master=OLD)
    # Lookups by the keyed hashes, computed with the new key, find the same person.
    assert list(find_petitioners(world.registrar, id_number=VALID_ID)) == [person]
    assert list(find_petitioners(world.registrar, phone="138-1234-5678")) == [person]
    assert (
        Petitioner.objects.filter(name_address_hash=name_address_hash("张三", "新海街道朝阳小区3栋")).get()
        == person
    )
    assert Petition.objects.get(pk=petition.pk).check_query_code(code)
    assert code in Notification.objects.get().body
    # A second run (old key given explicitly) finds nothing left to do: the command is resumable.
    monkeypatch.setenv("XINFANG_OLD_DATA_KEY", OLD)
    assert "petitions.Petitioner: 0" in _rotate(monkeypatch)


def test_rotation_refuses_a_wrong_old_key(world, settings, monkeypatch):
    settings.DATA_KEY = OLD
    make_petition(world)
    settings.DATA_KEY = "not-the-key-in-use-" + "x" * 30
    with pytest.raises(CommandError, match="旧密钥不正确"):
        _rotate(monkeypatch)
    settings.DATA_KEY = OLD
    assert Petitioner.objects.get()._decrypt("phone") == "13812345678"  # untouched
