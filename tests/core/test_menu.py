"""Menus from the registry: each role is shown only what it may open, and base.html names no app URL."""

import re
from pathlib import Path

import pytest

import wanghua
from wanghua.core.menu import REGISTRY, link_for, menu_for, url_allowed
from wanghua.core.models import User

BASE = Path(wanghua.__file__).parent / "templates" / "base.html"
MENU_LINK = re.compile(r'class="(?:dropdown-item|nav-link)" href="(/[^"]*)"')


def test_base_template_lists_no_app_url():
    named = set(re.findall(r"{%\s*url\s+'([^']+)'", BASE.read_text()))
    assert named <= {"core:logout", "set_language"}


def test_every_registered_item_resolves_to_a_declared_page():
    admin = User(username="probe", is_superuser=True, is_staff=True, is_active=True)
    for item in REGISTRY:
        if not item.raw_url:
            assert url_allowed(admin, item.url_for(User(pk=1, is_superuser=True))), item


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "operator", "plant_manager", "grid", "resident", "volunteer", "secretary",
                                  "street", "department", "steward", "lab", "command", "leader", "sysadmin"])
def test_each_role_opens_every_link_of_its_menu(role, world, make_user, client_for, roles):
    from wanghua.org.models import Zone

    for code, kind in (("belt", Zone.Kind.BELT), ("edz", Zone.Kind.AREA), ("west", Zone.Kind.AREA),
                       ("tayu", Zone.Kind.AREA)):
        Zone.objects.create(code=code, name=code, kind=kind)
    user = make_user(f"menu-{role}", role, region=world.district)
    client = client_for(user)
    home = client.get("/")
    assert home.status_code == 200
    links = sorted({href for href in MENU_LINK.findall(home.content.decode()) if href != "#"})
    assert links, f"{role} has an empty menu"
    answered = {href: client.get(href).status_code for href in links}
    refused = {href: status for href, status in answered.items() if status in (403, 404) or status >= 500}
    assert refused == {}


@pytest.mark.django_db
def test_a_role_without_a_module_does_not_see_it(world, make_user):
    agent = make_user("menu-agent", "agent", region=world.community1)
    sections = {entry.section.key for entry in menu_for(agent)}
    assert "system" not in sections and "org" not in sections
    assert link_for(agent, "/system/audit/") == ""
    assert link_for(agent, "/services/") == "/services/"


@pytest.mark.django_db
def test_home_counts_agree_with_the_lists_they_open(world, make_user, client_for):
    """The home's to-do counts are each list page's own queryset: the number on the card is the number of rows
    the card opens, for the reader's scope only."""
    import re

    from wanghua.civic.services.cases import report_case

    command = make_user("todo-command", "command", region=world.district)
    agent = make_user("todo-agent", "agent", region=world.community1)
    category = _case_category()
    numbers = [report_case(None, source="resident", category=category, description=f"占道经营{n}",
                           community=world.community1).number for n in range(2)]
    html = client_for(command).get("/").content.decode()
    card = r'href="(/civic/cases/\?[^"]+)"><div class="card-body py-2"><div class="h4 mb-0[^"]*">(\d+)'
    cards = dict(re.findall(card, html))
    assert cards["/civic/cases/?status=reported"] == "2" and cards["/civic/cases/?status=accepted"] == "0"
    listing = client_for(command).get("/civic/cases/?status=reported").content.decode()
    assert all(number in listing for number in numbers)
    agent_home = client_for(agent).get("/").content.decode()
    assert "/services/errands/?status=accepted" in agent_home and "/civic/cases/?status=reported" not in agent_home


def _case_category():
    from wanghua.civic.models import CaseCategory

    parent = CaseCategory.objects.create(code="t1", name="市容环境", kind="event")
    return CaseCategory.objects.create(code="t101", name="占道经营", kind="event", parent=parent)


@pytest.mark.django_db
def test_a_menu_is_built_once_per_grants_and_follows_a_new_grant_at_once(world, make_user, client_for, roles,
                                                                          monkeypatch):
    """The built menu is kept in the process by the user and their grants: the next page reuses it, and a grant
    given in between (read afresh on every request) shows its items on the very next page."""
    from wanghua.core import menu
    from wanghua.org.models import RoleAssignment

    menu._BUILT_MENUS.clear()  # earlier tests' users may have had this one's id and grants
    builds = []
    real = menu._build_menu
    monkeypatch.setattr(menu, "_build_menu", lambda user: builds.append(user.pk) or real(user))
    user = make_user("menu-growing", "resident", region=world.community1)
    client = client_for(user)
    first = MENU_LINK.findall(client.get("/").content.decode())
    second = MENU_LINK.findall(client.get("/").content.decode())
    assert first == second and builds == [user.pk]
    assert "/civic/cases/board/" not in first
    RoleAssignment.objects.create(user=user, role=roles["command"], region=world.district)
    grown = MENU_LINK.findall(client.get("/").content.decode())
    assert "/civic/cases/board/" in grown and builds == [user.pk, user.pk]


@pytest.mark.django_db
def test_the_menu_html_is_rendered_once_per_menu_and_language(world, make_user, client_for, monkeypatch):
    from wanghua.core import menu

    menu._RENDERED_MENUS.clear()  # earlier tests' users may have had this one's id and grants
    rendered = []
    real = menu.render_to_string
    monkeypatch.setattr(menu, "render_to_string", lambda name, context: rendered.append(name) or real(name, context))
    client = client_for(make_user("menu-rendered", "command", region=world.district))
    first = client.get("/").content.decode()
    second = client.get("/").content.decode()
    assert sorted(rendered) == sorted(menu.MENU_PARTS.values())  # each part once, for both pages
    assert MENU_LINK.findall(first) == MENU_LINK.findall(second) and "/civic/cases/board/" in first
    assert "城市管理案件" in first
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert len(rendered) == 2 * len(menu.MENU_PARTS)  # the English menu is rendered once too
    assert "city-management cases" in english.lower() and "城市管理案件" not in english.split("</nav>")[0]
