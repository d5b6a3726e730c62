"""Saved inbox views and the search token table (see search.py for the design)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedViewQuerySet(models.QuerySet):
    def for_user(self, user) -> SavedViewQuerySet:
        """The user's own views and those shared with the user's unit."""
        mine = Q(owner=user)
        if user.unit_id:
            mine |= Q(shared=True, unit_id=user.unit_id)
        return self.filter(mine)


class SavedView(models.Model):
    """A named set of inbox filters (the query string, without the page cursor)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_views")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)
    shared = models.BooleanField(_("本单位共享"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["unit", "shared"])]

    def __str__(self) -> str:
        return self.name


class PetitionSearch(models.Model):
    """Search tokens of one petition: jieba words + character bigrams, space-separated."""

    petition = models.OneToOneField(
        "petitions.Petition", primary_key=True, on_delete=models.CASCADE, related_name="search_row"
    )
    tokens = models.TextField(blank=True)

    class Meta:
        verbose_name = _("检索索引")
        verbose_name_plural = _("检索索引")

    def __str__(self) -> str:
        return f"#{self.petition_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportJobQuerySet(models.QuerySet):
    def of(self, user) -> ExportJobQuerySet:
        """Only the requesting user's jobs: an export is never handed to anyone else."""
        return self.filter(owner=user)

    def due(self, now) -> ExportJobQuerySet:
        """Jobs a worker may claim: queued and not backing off, or running under a claim that
        ran out (the worker died)."""
        waiting = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        return self.filter(waiting, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])


class ExportJob(models.Model):
    """An inbox export too large to write during the request (jobs.py writes it in the worker).

    ``query`` is the inbox filter string (view, filters, sort); the rows are chosen again
    from it, as ``owner``, when the worker writes the file."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)
    view_label = models.CharField(_("视图"), max_length=40)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    expected_rows = models.PositiveIntegerField(_("预计行数"), default=0)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小"), null=True, blank=True)
    file = models.CharField(max_length=200, blank=True)  # relative to MEDIA_ROOT
    error = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "claimed_until"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.view_label} #{self.pk}"

    @property
    def ready(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file)
