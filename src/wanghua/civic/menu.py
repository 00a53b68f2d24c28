"""民生·创城: menu items and home shortcuts."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.access import has_perm_anywhere
from wanghua.core.menu import Item, Todo, register, register_todos

from .models import COMMAND, VERIFY


def on_site(user) -> bool:
    """The grid inspector's counts: whoever verifies without commanding (the command centre has its own)."""
    return not has_perm_anywhere(user, COMMAND)


register(
    Item("civic", _("livelihood commitments (民生清单)"), "civic:commitments", order=10, icon="bi-card-checklist"),
    Item("civic", _("campaign actions (十项创城攻坚行动)"), "civic:actions", order=20),
    Item("civic", _("city-management cases"), "civic:cases", order=30, quick=True, icon="bi-inboxes"),
    Item("civic", _("Report a case"), "civic:case_report", order=40, quick=True, icon="bi-camera"),
    Item("civic", _("Cases to verify on site (核查)"), "civic:verify_tasks", order=45, quick=True,
         icon="bi-clipboard-check", when=on_site),
    Item("civic", _("Case KPIs"), "civic:case_board", order=50, icon="bi-speedometer2"),
    Item("civic", _("Case map"), "civic:case_map", order=60, icon="bi-geo-alt"),
    Item("civic", _("case categories"), "civic:categories", order=70),
    Item("civic", _("volunteer activities"), "civic:activities", order=80, icon="bi-heart"),
    Item("civic", _("My volunteer record"), "civic:my_record", order=90, quick=True, icon="bi-person-heart"),
)

register_todos(
    Todo(_("Cases to accept (待立案)"), "civic:cases", "status=reported", perm=COMMAND, order=50),
    Todo(_("Cases to dispatch (待派遣)"), "civic:cases", "status=accepted", perm=COMMAND, order=51),
    Todo(_("Cases being handled"), "civic:cases", "status=dispatched", perm="civic.handle_case", order=52),
    Todo(_("Cases to verify (待核查)"), "civic:cases", "status=handled", perm=COMMAND, order=53),
    Todo(_("Overdue cases"), "civic:cases", "overdue=true", perm=COMMAND, order=54),
    # The grid inspector's phone: what was newly reported in the grid, and what waits for 核查 on site.
    Todo(_("New cases in my area"), "civic:cases", "status=reported", perm=VERIFY, when=on_site, order=48),
    Todo(_("Cases to verify on site (核查)"), "civic:verify_tasks", perm=VERIFY, when=on_site, order=49),
)
