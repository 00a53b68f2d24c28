from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "wanghua.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .services import seed_default_weights

        post_migrate.connect(seed_default_weights, sender=self)
