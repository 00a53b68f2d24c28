"""一核一带三区 overview and 六望花: the zone pages under their sections, and the goals board."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, register

BOARD = "dashboard.view_indicatorvalue"  # who has a board (the zone pages are read from it too)

register(
    Item("core", _("Lei Feng culture core area"), "dashboard:zone", args=("core",), order=90, perm=BOARD),
    Item("belt", _("Industrial belt"), "dashboard:zone", args=("belt",), order=90, perm=BOARD),
    Item("zones", _("Economic development zone"), "dashboard:zone", args=("edz",), order=90, perm=BOARD),
    Item("zones", _("Western services cluster"), "dashboard:zone", args=("west",), order=91, perm=BOARD),
    Item("zones", _("Tayu agriculture zone"), "dashboard:zone", args=("tayu",), order=92, perm=BOARD),
    Item("goals", _("Six goals"), "dashboard:goals", order=10, quick=True, icon="bi-flower1", perm=BOARD),
)
