"""一带 · production lines: menu items and home shortcuts.

Homes: the operator sees their lines and the alarms open on them; the production manager also the alarms
standing for over a day, those shelved or out of service (each with its way back on the list it opens), and
the stops nobody has attributed yet (the Pareto's "—")."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, Todo, register, register_todos

register(
    Item("belt", _("Production lines"), "industry:lines", order=10, quick=True, icon="bi-gear-wide-connected"),
    Item("belt", _("Current alarms"), "industry:current_alarms", order=20, quick=True, icon="bi-bell"),
    Item("belt", _("Alarm history"), "industry:alarm_journal", order=30, icon="bi-clock-history"),
    Item("belt", _("Stops"), "industry:stops", order=40, icon="bi-pause-circle"),
)

_OPERATES = "industry.add_alarmevent"  # operators and production managers, not the boards' readers
_MANAGES = "industry.change_alarmdefinition"  # production managers

register_todos(
    Todo(_("My production lines"), "industry:lines", perm=_OPERATES, order=18),
    Todo(_("Current alarms"), "industry:current_alarms", perm=_OPERATES, order=19),
    Todo(_("Unacknowledged alarms"), "industry:current_alarms", "unacknowledged=true", order=20),
    Todo(_("Standing alarms (over 24 h)"), "industry:current_alarms", "stale=true", perm=_MANAGES, order=21),
    Todo(_("Shelved alarms"), "industry:current_alarms", "set_aside=shelved", perm=_MANAGES, order=22),
    Todo(_("Alarms out of service"), "industry:current_alarms", "set_aside=oos", perm=_MANAGES, order=23),
    Todo(_("Stops without a reason or location"), "industry:stops", "unattributed=true", perm="industry.change_stop",
         order=24),
)
