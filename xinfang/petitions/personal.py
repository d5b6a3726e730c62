"""Reading personal data: every decryption of an ID number, phone or address
for a person writes an audit row first."""

from __future__ import annotations

from django.db.models import Q

from xinfang.audit.models import AuditAction, audit
from xinfang.lib.crypto import lookup_hash
from xinfang.units import bureaus

from .access import visible_petitions
from .errors import Forbidden
from .models import Petitioner

FIELDS = {
    "id_number": AuditAction.VIEW_ID_NUMBER,
    "phone": AuditAction.VIEW_PHONE,
    "address": AuditAction.VIEW_ADDRESS,
}


def can_view_petitioner(user, petitioner: Petitioner) -> bool:
    """Staff may see a petitioner who appears on at least one petition they may see."""
    return visible_petitions(user).filter(petitioner_links__petitioner=petitioner).exists()


def reveal(user, petitioner: Petitioner, field: str, request=None) -> str:
    """The decrypted value of `field` for `user`, audited; Forbidden when the
    user may not see this petitioner."""
    if field not in FIELDS:
        raise ValueError(field)
    if not can_view_petitioner(user, petitioner):
        raise Forbidden("您无权查看该信访人的个人信息")
    audit(user=user, action=FIELDS[field], obj=petitioner, request=request)
    return petitioner._decrypt(field)


def find_petitioners(user, *, id_number: str = "", phone: str = "", request=None):
    """Exact lookup by ID number or phone through the keyed hashes (audited).
    Staff of the top bureau see any match (they must check history at the window); a lower bureau's
    staff see the people on the petitions of their area (never those known only to a sibling
    bureau) and people on no petition yet; others only petitioners on petitions they may see."""
    qs = Petitioner.objects.none()
    if id_number:
        qs = Petitioner.objects.filter(id_number_hash=lookup_hash(id_number, purpose="id"))
    elif phone:
        qs = Petitioner.objects.filter(phone_hash=lookup_hash(phone, purpose="phone"))
    if not user.is_bureau_staff:
        qs = qs.filter(petition_links__petition__in=visible_petitions(user)).distinct()
    elif not bureaus.sees_everything(user):
        qs = qs.filter(
            Q(petition_links__petition__in=visible_petitions(user).values("pk"))
            | Q(petition_links__isnull=True)
        ).distinct()
    results = list(qs[:20])
    for petitioner in results:
        audit(
            user=user,
            action=AuditAction.LOOKUP,
            obj=petitioner,
            detail="id" if id_number else "phone",
            request=request,
        )
    return results
