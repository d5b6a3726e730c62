"""Triage results and the rows that keep models and the similar-matter index in step with the database.

- ``TriageRecord``: one per petition, computed once at registration (suggestions, flags with their
  evidence, similar matters); the petition page reads it instead of recomputing.
- ``Correction``: the registrar accepted or corrected a suggestion; corrected labels become training data.
- ``ModelVersion``: one trained model set on disk; every process reloads when a newer one appears.
- ``TriageIndexChange``: change log of petition texts (edits, deletions) replayed by every server's
  similar-matter index beyond its watermark (see index_sync.py).
- ``CollectiveGroup``: petitions of many people about one shared matter (集体访), shown together.
- ``TriageJob``: compare-and-set claims so only one worker retrains or writes a snapshot at a time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    created_at = models.DateTimeField(default=timezone.now)
    path = models.CharField(max_length=200, help_text="相对于 TRIAGE_MODEL_DIR 的目录")
    source = models.CharField(max_length=20, default="database")  # database / csv
    n_train = models.JSONField(default=dict, blank=True)  # target → rows
    n_corrections = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("研判模型版本")
        verbose_name_plural = _("研判模型版本")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.created_at:%Y-%m-%d %H:%M}"


class CollectiveGroup(models.Model):
    """Many petitioners, one shared matter, within a time window (集体访苗头)."""

    created_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now, db_index=True)
    title = models.CharField(max_length=200)
    first_petition = models.ForeignKey(
        "petitions.Petition", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    people = models.PositiveIntegerField(default=0)
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("集体访分组")
        verbose_name_plural = _("集体访分组")

    def __str__(self) -> str:
        return self.title

    @property
    def petition_ids(self) -> list[int]:
        return list(self.records.order_by("petition_id").values_list("petition_id", flat=True))


class TriageRecord(models.Model):
    petition = models.OneToOneField("petitions.Petition", on_delete=models.CASCADE, related_name="triage")
    computed_at = models.DateTimeField(default=timezone.now)
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL)
    suggestions = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    similar = models.JSONField(default=list, blank=True)  # [{id, score, reason}]
    history = models.JSONField(default=list, blank=True)  # earlier petition ids of the same people
    is_repeat = models.BooleanField(default=False)
    is_collective = models.BooleanField(default=False)
    is_skip_level = models.BooleanField(default=False)
    group = models.ForeignKey(
        CollectiveGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    elapsed_ms = models.FloatField(default=0)

    class Meta:
        verbose_name = _("研判结果")
        verbose_name_plural = _("研判结果")


class Correction(models.Model):
    """The registrar's answer to one suggestion: accepted (same value) or corrected."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=20)  # category / petition_class / claim_route / unit
    suggested = models.CharField(max_length=40, blank=True)
    chosen = models.CharField(max_length=40)
    accepted = models.BooleanField(default=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("研判纠正")
        verbose_name_plural = _("研判纠正")
        indexes = [models.Index(fields=["field", "at"])]


class IndexOp(models.TextChoices):
    EDIT = "edit", _("修改")
    DELETE = "delete", _("删除")


class TriageIndexChange(models.Model):
    """Written in the same transaction as the change; the auto id is the replay watermark."""

    petition_id = models.BigIntegerField()
    op = models.CharField(max_length=8, choices=IndexOp.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("研判索引变更")
        verbose_name_plural = _("研判索引变更")


class TriageJob(models.Model):
    name = models.CharField(max_length=40, unique=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("研判任务")
        verbose_name_plural = _("研判任务")


class TriagePending(models.Model):
    """A registered petition whose triage has not run yet: written in the registration's own
    transaction (signals.py), claimed by one worker with a conditional update on ``claimed_until``
    and deleted in the transaction that stores the ``TriageRecord`` (queue.py)."""

    petition = models.OneToOneField(
        "petitions.Petition", primary_key=True, on_delete=models.CASCADE, related_name="triage_pending"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    # Free when NULL or past: a worker killed mid-triage lets its claim run out and another retries.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("待研判")
        verbose_name_plural = _("待研判")
        indexes = [models.Index(fields=["claimed_until", "queued_at"])]
