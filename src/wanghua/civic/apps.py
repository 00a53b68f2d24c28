from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivicConfig(AppConfig):
    name = "wanghua.civic"
    label = "civic"
    verbose_name = _("Livelihood and civility")
