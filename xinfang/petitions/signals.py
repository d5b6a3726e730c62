"""Keep provisional due dates in step with the holiday calendar."""

from django.dispatch import receiver

from xinfang.calendars.signals import schedule_loaded

from .deadlines import recompute_provisional


@receiver(schedule_loaded, dispatch_uid="petitions-recompute-provisional")
def recompute_after_schedule(sender, **kwargs) -> None:
    recompute_provisional()
