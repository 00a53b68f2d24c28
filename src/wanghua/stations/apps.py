from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "wanghua.stations"
    label = "services"
    verbose_name = _("Proxy service stations")
