from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wanghua.core"
    label = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_migrate
        from django.utils.module_loading import autodiscover_modules

        from . import choices, signals  # noqa: F401  (kept choices' and login log receivers)
        from .audit import record_m2m
        from .reference import sync_builtin_dicts
        from .roles import sync_builtin_roles

        autodiscover_modules("indicators")
        autodiscover_modules("menu")  # each app's menu items (core/menu.py is the registry)
        autodiscover_modules("jobs")  # each app's scheduled jobs (core/jobs.py is the registry)
        post_migrate.connect(sync_builtin_roles, sender=self)
        post_migrate.connect(sync_builtin_dicts, sender=self)
        m2m_changed.connect(record_m2m, dispatch_uid="wanghua.audit.m2m")  # links are part of a record's history
