"""一核 · 雷锋文化核心区: menu items and home shortcuts."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, Todo, register, register_todos

register(
    Item("core", _("Heritage sites"), "culture:sites", order=110, icon="bi-bank"),
    Item("core", _("Study routes"), "culture:routes", order=115, icon="bi-signpost-split"),
    Item("core", _("Lei Feng culture map"), "culture:map", order=117, icon="bi-geo"),
    Item("core", _("Role-model nominations"), "culture:nominations", order=120, icon="bi-award"),
    Item("core", _("Nominate a role model"), "culture:nominate", order=125, icon="bi-award"),
    Item("core", _("Points accounts"), "culture:accounts", order=130, icon="bi-coin"),
    Item("core", _("Points shop goods"), "culture:goods", order=135, icon="bi-shop"),
    Item("core", _("Redemptions"), "culture:redemptions", order=137),
    Item("core", _("Points rule"), "culture:rule", order=140, perm="culture.add_pointsrule"),
    Item("core", _("My points"), "culture:my_points", order=145, quick=True, icon="bi-coin"),
    Item("core", _("Good people (好人榜)"), "culture:honour_roll", order=150, icon="bi-stars"),
)

register_todos(
    Todo(_("Nominations to review (community)"), "culture:nominations", "status=submitted",
         perm="culture.review_nomination", order=60),
    Todo(_("Nominations to review (street)"), "culture:nominations", "status=community_passed",
         perm="culture.endorse_nomination", order=61),
    Todo(_("Nominations to review (civilisation office)"), "culture:nominations", "status=street_passed",
         perm="culture.approve_nomination", order=62),
    Todo(_("Nominations on public notice"), "culture:nominations", "status=publicity",
         perm="culture.approve_nomination", order=63),
)
