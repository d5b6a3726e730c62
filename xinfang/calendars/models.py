"""Holiday schedules loaded by administrators, overriding the chinesecalendar package."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HolidaySchedule(models.Model):
    """One year's official holiday arrangement (国务院办公厅通知)."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("依据"), max_length=200, help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知")
    )
    loaded_at = models.DateTimeField(_("载入时间"), default=timezone.now, db_index=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("载入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class CalendarDay(models.Model):
    """A listed day: a holiday (is_workday=False) or a make-up working day (True).

    Unlisted days of a loaded year default by weekday (Mon–Fri work).
    """

    schedule = models.ForeignKey(
        HolidaySchedule, verbose_name=_("节假日安排"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选表示调休上班日；不勾选表示放假"))
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("如：春节、调休上班"))

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'} {self.name}".rstrip()

    def clean(self) -> None:
        try:
            schedule = self.schedule
        except HolidaySchedule.DoesNotExist:
            schedule = None
        if schedule is not None and self.date and schedule.year and self.date.year != schedule.year:
            raise ValidationError({"date": f"日期 {self.date:%Y-%m-%d} 不在 {schedule.year} 年内。"})
        if self.date and self.is_workday and self.date.weekday() < 5:
            raise ValidationError(
                {"is_workday": f"{self.date:%Y-%m-%d} 是周一至周五，本来就是工作日，无需列为调休上班日。"}
            )
