from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "xinfang.notifications"
    label = "notifications"
    verbose_name = _("信访人通知")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xinfang.petitions.models import PetitionEvent

        from .events import on_event_saved

        post_save.connect(on_event_saved, sender=PetitionEvent, dispatch_uid="notifications-petition-event")
