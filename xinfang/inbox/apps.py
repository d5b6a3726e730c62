from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "xinfang.inbox"
    label = "inbox"
    verbose_name = _("工作台列表")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xinfang.petitions.models import Petition
        from xinfang.web.nav import NavItem, register

        from .signals import petition_saved

        register(NavItem(_("工作台"), "inbox:list", order=10))
        post_save.connect(petition_saved, sender=Petition, dispatch_uid="inbox-search-index")
