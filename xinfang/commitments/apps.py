from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "xinfang.commitments"
    label = "commitments"
    verbose_name = _("践诺问责与跟踪问效")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xinfang.petitions.models import PetitionEvent
        from xinfang.web.nav import NavItem, register

        from .followups import on_event_saved

        post_save.connect(on_event_saved, sender=PetitionEvent, dispatch_uid="commitments-schedule-followups")
        register(NavItem(_("践诺事项"), "commitments:list", order=47))
        register(NavItem(_("回访"), "commitments:followups", order=48, bureau_only=True))
        register(NavItem(_("践诺问责"), "commitments:accountability", order=49, bureau_only=True))
