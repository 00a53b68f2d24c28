"""一带 · production lines: menu items and home shortcuts."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, Todo, register, register_todos

register(
    Item("belt", _("Production lines"), "industry:lines", order=10, quick=True, icon="bi-gear-wide-connected"),
    Item("belt", _("Current alarms"), "industry:current_alarms", order=20, quick=True, icon="bi-bell"),
    Item("belt", _("Alarm history"), "industry:alarm_journal", order=30, icon="bi-clock-history"),
    Item("belt", _("Stops"), "industry:stops", order=40, icon="bi-pause-circle"),
)

register_todos(
    Todo(_("Unacknowledged alarms"), "industry:current_alarms", "unacknowledged=true", order=20),
    Todo(_("Stops without a reason"), "industry:stops", "unexplained=true", perm="industry.change_stop", order=21),
)
