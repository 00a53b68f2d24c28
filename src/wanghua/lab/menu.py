"""一带 · 智检中心: menu items and home shortcuts (each shown only to whoever passes its page's access rule)."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.access import has_perm_anywhere
from wanghua.core.menu import Item, Todo, register, register_todos

register(
    Item("belt", _("Lab orders"), "lab:orders", order=50, quick=True, icon="bi-clipboard-data"),
    Item("belt", _("Lab analysis"), "lab:analysis", order=60, icon="bi-graph-up"),
    # The reviewer's home list: heats waiting for 审核/批准.
    Item("belt", _("Heats awaiting review"), "lab:review_queue", perm="lab.approve_laborder", order=52, quick=True,
         icon="bi-clipboard-check"),
    Item("belt", _("Deliveries"), "lab:deliveries", perm="lab.view_delivery", order=54, icon="bi-truck"),
    Item("belt", _("Certificates"), "lab:certificates", perm="lab.view_certificate", order=56,
         icon="bi-patch-check"),
    Item("belt", _("Certificate settings"), "lab:settings", perm="lab.change_labprofile", order=58,
         icon="bi-gear"),
)



def _in_the_lab(user) -> bool:
    """The lab's counts are for the lab's staff: a production manager may do everything in the lab
    (`lab.*`), but their home counts the lines' work (industry/menu.py)."""
    return not has_perm_anywhere(user, "industry.change_alarmdefinition")


register_todos(
    Todo(_("Heats under test"), "lab:orders", "verdict=pending", perm="lab.add_testresult", order=30,
         when=_in_the_lab),
    Todo(_("Heats for a double retest"), "lab:orders", "verdict=retest", perm="lab.add_testresult", order=31,
         when=_in_the_lab),
    # 待审 for the inspector who sent them: decided, waiting for the second person.
    Todo(_("Heats sent for review"), "lab:orders", "review=awaiting", perm="lab.add_testresult", order=32,
         when=_in_the_lab),
    Todo(_("Heats awaiting review"), "lab:review_queue", perm="lab.approve_laborder", order=32, when=_in_the_lab),
    Todo(_("Heats sent back"), "lab:orders", "review=refused", perm="lab.add_testresult", order=33,
         when=_in_the_lab),
)
