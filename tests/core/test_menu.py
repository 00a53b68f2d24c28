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
