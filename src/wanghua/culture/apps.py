from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultureConfig(AppConfig):
    name = "wanghua.culture"
    label = "culture"
    verbose_name = _("Lei Feng culture")
