"""Statistics tables: the daily rollup, its watermark and the monthly pick (每月一题).
(The alert follow-up rows, in-app notices and Art. 25 reports up, are alerts.models.)

`DailyStat` holds one row per (date, unit) with every count; `DailyVolume`
the petitions received per (date, unit, dimension, key) for the breakdowns by
category, town, channel, class and respondent (unit NULL = the whole bureau).
`xinfang.stats.rollup` explains how each count is attributed to a date and a
unit, and how the tables are kept current."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The count columns of DailyStat, in display order; rates.py defines what they mean.
MEASURES = (
    "received",
    "repeat",
    "skip_level",
    "collective",
    "urgent",
    "notify_due",
    "notify_on_time",
    "concluded",
    "concluded_on_time",
    "evaluated",
    "satisfied",
    "satisfied_strict",
    "resolved",
    "transferred",
    "assigned",
)


class DailyStat(models.Model):
    """Counts of one day for one unit (rollup.py says which day and unit each count belongs to)."""

    date = models.DateField()
    unit = models.ForeignKey(
        "units.Unit", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    received = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    skip_level = models.PositiveIntegerField(default=0)
    collective = models.PositiveIntegerField(default=0)
    urgent = models.PositiveIntegerField(default=0)
    notify_due = models.PositiveIntegerField(default=0)
    notify_on_time = models.PositiveIntegerField(default=0)
    concluded = models.PositiveIntegerField(default=0)
    concluded_on_time = models.PositiveIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    satisfied_strict = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0)
    assigned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        indexes = [models.Index(fields=["date", "unit"]), models.Index(fields=["unit", "date"])]
        # One row per day and unit: a second writer fails instead of doubling a day (rollup.store).
        constraints = [
            models.UniqueConstraint(
                fields=["date", "unit"],
                condition=models.Q(unit__isnull=False),
                name="dailystat_date_unit_uniq",
            ),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(unit__isnull=True), name="dailystat_date_nounit_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.unit_id} {self.received}"


class VolumeDim(models.TextChoices):
    CATEGORY = "category", _("类别")
    TOWN = "town", _("属地")
    CHANNEL = "channel", _("渠道")
    CLASS = "class", _("性质")
    RESPONDENT = "respondent", _("被反映单位")


class DailyVolume(models.Model):
    """Petitions received on one day, by one dimension (category = top level).
    `unit` NULL holds the whole bureau's figures, so a district dashboard reads
    one small set of rows; otherwise the unit the matter counts at (rollup.py)."""

    date = models.DateField()
    unit = models.ForeignKey(
        "units.Unit", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dim = models.CharField(max_length=12, choices=VolumeDim.choices)
    key = models.CharField(max_length=40, blank=True)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("每日分维度收件量")
        verbose_name_plural = _("每日分维度收件量")
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "unit", "dim", "key"],
                condition=models.Q(unit__isnull=False),
                name="dailyvolume_key_uniq",
            ),
            models.UniqueConstraint(
                fields=["date", "dim", "key"],
                condition=models.Q(unit__isnull=True),
                name="dailyvolume_bureau_key_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.unit_id} {self.dim}={self.key}: {self.received}"


class RollupState(models.Model):
    """The watermark of the incremental rollup (one row, name="daily")."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("汇总状态")
        verbose_name_plural = _("汇总状态")

    def __str__(self) -> str:
        return self.name


class HotTopic(models.Model):
    """One matter many petitions are about (a hot-spot group), kept by the worker
    (stats.topics): petitions are assigned once, so every period is a GROUP BY."""

    label = models.CharField(_("问题"), max_length=200)
    keywords = models.JSONField(default=list, blank=True)
    places = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("热点问题")
        verbose_name_plural = _("热点问题")

    def __str__(self) -> str:
        return self.label


def _copied_unit() -> models.ForeignKey:
    """A unit copied from the petition by the triggers: no constraint or index of its own (the
    covering indexes hold it), nothing to cascade."""
    return models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class HotTopicMember(models.Model):
    """A petition's hot-spot group; topic None: grouped with no other petition yet."""

    petition = models.OneToOneField(
        "petitions.Petition", primary_key=True, on_delete=models.CASCADE, related_name="hot_topic"
    )
    topic = models.ForeignKey(
        HotTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # The petition's receipt time, copied so that a period's counts read this table's index alone.
    received_at = models.DateTimeField()
    # What a hot-spot summary counts of the petition, copied and kept in step by the database
    # itself (stats/member_sync.py: triggers on both tables), so that the hot spots of any period
    # read this table alone: the unit the matter counts at (stats.areas.attributed_unit), its
    # town, the repeat flag and the place's address.
    unit = _copied_unit()
    town = _copied_unit()
    is_repeat = models.BooleanField(default=False)
    place_address = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [
            # A period's counts per topic, and per topic within an area (the unit column).
            models.Index(fields=["received_at", "topic"], include=["unit"], name="stats_hottopic_period"),
            # The summary of a few topics over a period: one range per topic, the index alone.
            models.Index(
                fields=["topic", "received_at"],
                include=["petition", "unit", "town", "is_repeat", "place_address"],
                name="stats_hottopic_summary",
            ),
        ]


class MonthlyPickQuerySet(models.QuerySet):
    def of_bureau(self, bureau):
        """The picks of `bureau` (each bureau chooses its own); the top bureau also keeps the picks
        made before bureaus chose separately (bureau empty)."""
        from xinfang.units.bureaus import covers_everything

        if bureau is None:
            return self.none()
        mine = models.Q(bureau=bureau)
        if covers_everything(bureau):
            mine |= models.Q(bureau__isnull=True)
        return self.filter(mine)


class MonthlyPick(models.Model):
    """每月一题: the recurring problem a bureau chose for a systemic fix, among its area's."""

    bureau = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("信访部门"),
    )
    month = models.DateField(_("月份"), help_text="该月第一天")
    label = models.CharField(_("问题"), max_length=200)
    keywords = models.JSONField(default=list, blank=True)
    petition_count = models.PositiveIntegerField(_("件数"), default=0)
    town_count = models.PositiveIntegerField(_("涉及属地数"), default=0)
    repeat_share = models.FloatField(_("重复访占比"), default=0)
    score = models.FloatField(default=0)
    petition_ids = models.JSONField(default=list, blank=True)
    is_chosen = models.BooleanField(_("已选定"), default=False)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("整改说明"), blank=True)

    objects = MonthlyPickQuerySet.as_manager()

    class Meta:
        verbose_name = _("每月一题")
        verbose_name_plural = _("每月一题")
        ordering = ["-month", "-score"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.label}"
