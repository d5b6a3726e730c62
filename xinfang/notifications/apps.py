from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "xinfang.notifications"
    label = "notifications"
    verbose_name = _("信访人通知")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xinfang.petitions.models import PetitionEvent
        from xinfang.petitions.signals import petition_registered

        from .events import on_event_saved, queue_registration

        post_save.connect(on_event_saved, sender=PetitionEvent, dispatch_uid="notifications-petition-event")
        petition_registered.connect(queue_registration, dispatch_uid="notifications-petition-registered")
