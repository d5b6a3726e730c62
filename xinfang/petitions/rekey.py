"""Re-encrypt personal data under a new data key and rebuild the lookup hashes
(``xinfang rotate-data-key``).

Every column encrypted with lib/crypto, and every keyed hash derived from one, is listed in
``FIELDS`` — a new encrypted column must be added here.  Rows are rewritten in batches, one
transaction each.  A ciphertext that the new key already opens is left as it is, so the command
can be stopped and run again (resumable), and run once more after the restart to catch rows a
straggling process wrote under the old key.  Hashes are always recomputed from the plaintext.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.db import transaction

from xinfang.lib import crypto

from .models import name_address_hash, query_code_hash

BATCH = 500


@dataclass(frozen=True)
class Encrypted:
    model: str  # "app_label.Model"
    columns: tuple[str, ...]  # *_enc columns
    # Hash columns recomputed from the row's plaintexts: column → f(plain: dict, row, master).
    hashes: dict[str, Callable] = field(default_factory=dict)


def _phone(plain, row, master):
    return crypto.lookup_hash(plain["phone_enc"], purpose="phone", master=master)


FIELDS = (
    Encrypted(
        "petitions.Petitioner",
        ("id_number_enc", "phone_enc", "address_enc"),
        {
            "id_number_hash": lambda p, row, m: crypto.lookup_hash(
                p["id_number_enc"], purpose="id", master=m
            ),
            "phone_hash": _phone,
            "name_address_hash": lambda p, row, m: name_address_hash(row.name, p["address_enc"], master=m),
        },
    ),
    Encrypted(
        "petitions.Petition",
        ("query_code_enc",),
        {"query_code_hash": lambda p, row, m: query_code_hash(p["query_code_enc"], master=m)},
    ),
    Encrypted("notifications.Notification", ("recipient_enc", "body_enc")),
    Encrypted("hearings.HearingMember", ("phone_enc",)),
    Encrypted("reception.LeaderBooking", ("phone_enc",), {"phone_hash": _phone}),
)


class WrongKey(Exception):
    """A ciphertext neither key opens: the old key given is not the one in use."""


def _open(token: str, old: str, new: str) -> tuple[str, bool]:
    """(plaintext, already under the new key)."""
    if not token:
        return "", True
    try:
        return crypto.decrypt(token, master=new), True
    except InvalidTag:
        pass
    try:
        return crypto.decrypt(token, master=old), False
    except InvalidTag:
        raise WrongKey("个人信息密文无法用旧密钥或新密钥解密：旧密钥不正确") from None


def rotate(*, old: str, new: str, progress=None) -> dict[str, int]:
    """Rewrite every encrypted column and keyed hash under ``new``; returns rows changed per model."""
    if not old or not new or old == new:
        raise ValueError("旧密钥和新密钥都必须提供，且不能相同")
    changed: dict[str, int] = {}
    for spec in FIELDS:
        model = apps.get_model(spec.model)
        only = ["pk", *spec.columns, *spec.hashes, *(["name"] if "name_address_hash" in spec.hashes else [])]
        last_pk = 0
        changed[spec.model] = 0
        while True:
            with transaction.atomic():
                rows = list(model.objects.filter(pk__gt=last_pk).order_by("pk").only(*only)[:BATCH])
                if not rows:
                    break
                dirty = []
                for row in rows:
                    plain, fresh = {}, True
                    for column in spec.columns:
                        plain[column], done = _open(getattr(row, column), old, new)
                        fresh = fresh and done
                        if not done:
                            setattr(row, column, crypto.encrypt(plain[column], master=new))
                    hashes = {column: fn(plain, row, new) for column, fn in spec.hashes.items()}
                    if not fresh or any(getattr(row, c) != v for c, v in hashes.items()):
                        for column, value in hashes.items():
                            setattr(row, column, value)
                        dirty.append(row)
                if dirty:
                    model.objects.bulk_update(dirty, [*spec.columns, *spec.hashes])
                changed[spec.model] += len(dirty)
                last_pk = rows[-1].pk
            if progress:
                progress(spec.model, last_pk, changed[spec.model])
    return changed
