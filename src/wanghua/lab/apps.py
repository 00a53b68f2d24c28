from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    name = "wanghua.lab"
    label = "lab"
    verbose_name = _("Test lab")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .standards import sync_standards

        post_migrate.connect(sync_standards, sender=self)
