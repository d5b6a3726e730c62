"""Receivers: triage after registration, and the change log that keeps every server's index in step.

- A petition created through the ORM (``petition_register``) is queued for triage in the same
  transaction (``TRIAGE_ON_REGISTER``, default on); the worker triages it (queue.py), so the
  request answers without it and a crash cannot lose it.
- A change of title or content writes a ``TriageIndexChange`` row in the same transaction; a deletion
  writes a ``delete`` row. Bulk ``QuerySet.update()`` bypasses this: call ``index_sync.record_change``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from xinfang.petitions.models import Petition
from xinfang.units.models import Category, Unit

from .models import IndexOp, TriageIndexChange

log = logging.getLogger("xinfang.triage")
TEXT_FIELDS = ("title", "content")


def _text(instance) -> tuple:
    return tuple(instance.__dict__.get(f) for f in TEXT_FIELDS)


@receiver(post_init, sender=Petition, dispatch_uid="triage-remember-text")
def remember_text(sender, instance, **kwargs) -> None:
    # __dict__ only: touching a deferred field here would cost a query per loaded row.
    instance._triage_text = _text(instance)


@receiver(post_save, sender=Petition, dispatch_uid="triage-after-save")
def after_save(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw:
        return
    if created:
        instance._triage_text = _text(instance)
        if getattr(settings, "TRIAGE_ON_REGISTER", True):
            # Queued in the registration's transaction; the worker triages it (queue.py).
            from .queue import enqueue

            enqueue(instance.pk)
        return
    if update_fields is not None and not set(update_fields) & set(TEXT_FIELDS):
        return
    if _text(instance) != getattr(instance, "_triage_text", None):
        TriageIndexChange.objects.create(petition_id=instance.pk, op=IndexOp.EDIT)
        instance._triage_text = _text(instance)


@receiver(post_delete, sender=Petition, dispatch_uid="triage-after-delete")
def after_delete(sender, instance, **kwargs) -> None:
    TriageIndexChange.objects.create(petition_id=instance.pk, op=IndexOp.DELETE)


@receiver(post_save, sender=Unit, dispatch_uid="triage-units-changed")
@receiver(post_save, sender=Category, dispatch_uid="triage-categories-changed")
def reference_changed(sender, **kwargs) -> None:
    from .catalogue import invalidate
    from .suggest import invalidate_labels

    invalidate()
    invalidate_labels()
