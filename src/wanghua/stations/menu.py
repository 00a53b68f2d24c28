"""一核 · 党员家庭代办站: menu items and home shortcuts."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, Todo, register, register_todos
from wanghua.core.mine import Mine, register_mine

from .queries import my_errands

register(
    Item("core", _("Today's errands"), "services:today", order=10, quick=True, icon="bi-list-check"),
    Item("core", _("Errands"), "services:errands", order=20, icon="bi-card-list"),
    Item("core", _("Work diary"), "services:diary", order=30, quick=True, icon="bi-journal-text"),
    Item("core", _("Errand statistics"), "services:statistics", order=40, icon="bi-bar-chart"),
    Item("core", _("Residents"), "services:residents", order=50, icon="bi-people"),
    Item("core", _("Proxy service stations"), "services:stations", order=60, icon="bi-house-heart"),
    Item("core", _("Station coverage"), "services:coverage", order=70, icon="bi-map"),
    Item("core", _("Station map"), "services:station_map", order=75, icon="bi-geo-alt"),
    Item("core", _("Cash report"), "services:cash", order=80, icon="bi-cash-coin"),
)

# 今日代办 for an agent (their station's errands), and the same counts over a community or a street for those
# who run its stations, with the area's month and reach after them.
register_todos(
    Todo(_("Errands accepted, not started"), "services:errands", "status=accepted", order=10),
    Todo(_("Errands in progress"), "services:errands", "status=in_progress", order=11),
    Todo(_("Overdue errands"), "services:errands", "overdue=true", order=12),
    Todo(_("Errands to follow up (待回访)"), "services:errands", "status=done", order=13),
    Todo(_("Errands accepted this month"), "services:errands", "this_month=true", perm="services.add_station",
         order=14),
    Todo(_("Residents served by the stations"), "services:residents", perm="services.add_station", order=15),
    Todo(_("Stations open"), "services:stations", "active=true", perm="services.add_station", order=16),
)

register_mine(
    Mine("errands", _("My errands"), "services.view_errand", my_errands,
         empty=_("No errands yet: call your station and an agent runs it for you."), order=10),
)
