"""一带 · 智检中心: menu items and home shortcuts (each shown only to whoever passes its page's access rule)."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, register

register(
    Item("belt", _("Lab orders"), "lab:orders", order=50, quick=True, icon="bi-clipboard-data"),
    Item("belt", _("Lab analysis"), "lab:analysis", order=60, icon="bi-graph-up"),
)
