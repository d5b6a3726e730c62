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
