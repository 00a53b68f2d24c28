"""三区 · project construction: menu items and home shortcuts."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.access import has_perm_anywhere
from wanghua.core.menu import Item, Todo, register, register_todos

REVIEW = "projects.review_monthlyreport"


def reporting(user) -> bool:
    """The steward's counts (due and returned): whoever reports without reviewing (the unit has its own)."""
    return not has_perm_anywhere(user, REVIEW)


register(
    Item("zones", _("Project construction"), "projects:headline", order=10, quick=True, icon="bi-building"),
    Item("zones", _("Projects"), "projects:projects", order=20, icon="bi-list-ul"),
    Item("zones", _("Project map"), "projects:project_map", order=25, icon="bi-geo-alt"),
    Item("zones", _("issue list"), "projects:issues", order=30, icon="bi-exclamation-diamond"),
    Item("zones", _("monthly reports"), "projects:reports", order=35, icon="bi-journal-text"),
    Item("zones", _("Won from higher levels (向上争取)"), "projects:applications", order=40),
    Item("zones", _("Investment attraction (招商引资)"), "projects:leads", order=50),
    Item("zones", _("Dual assessment"), "projects:assessment", order=60, icon="bi-trophy"),
    # The page refuses whoever may not add projects (a steward reports, a unit keeps its projects).
    Item("zones", _("Import the project ledger"), "projects:ledger_import", order=70, icon="bi-upload",
         perm="projects.add_project"),
)

register_todos(
    Todo(_("Open project issues"), "projects:issues", "status=open", order=40),
    Todo(_("Monthly reports due (待报送)"), "projects:projects", "report_due=true", perm="projects.add_monthlyreport",
         when=reporting, order=41),
    Todo(_("Returned monthly reports (被退回)"), "projects:reports", "status=returned",
         perm="projects.change_monthlyreport", when=reporting, order=42),
    Todo(_("Monthly reports to review (待审核)"), "projects:reports", "status=submitted", perm=REVIEW, order=43),
)
