"""一带 · production lines: menu items and home shortcuts."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, register

register(
    Item("belt", _("Production lines"), "industry:lines", order=10, quick=True, icon="bi-gear-wide-connected"),
    Item("belt", _("Current alarms"), "industry:current_alarms", order=20, quick=True, icon="bi-bell"),
    Item("belt", _("Alarm history"), "industry:alarm_journal", order=30, icon="bi-clock-history"),
    Item("belt", _("Stops"), "industry:stops", order=40, icon="bi-pause-circle"),
)
