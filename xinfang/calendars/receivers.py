"""Drop this process's cached calendar whenever a schedule or a day changes.

Other processes notice through the version stamp in service.get_calendar(); a
change to a single day touches its schedule's loaded_at so the stamp moves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import CalendarDay, HolidaySchedule
from .service import invalidate_calendar


@receiver([post_save, post_delete], sender=HolidaySchedule, dispatch_uid="calendars_schedule_changed")
def schedule_changed(sender, **kwargs) -> None:
    invalidate_calendar()


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="calendars_day_changed")
def day_changed(sender, instance: CalendarDay, **kwargs) -> None:
    HolidaySchedule.objects.filter(pk=instance.schedule_id).update(loaded_at=timezone.now())
    invalidate_calendar()
