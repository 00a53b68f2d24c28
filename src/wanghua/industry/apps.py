from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustryConfig(AppConfig):
    name = "wanghua.industry"
    label = "industry"
    verbose_name = _("Production lines")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .standards import sync_standards

        post_migrate.connect(sync_standards, sender=self)
