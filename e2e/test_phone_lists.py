"""On a phone, a list's rows read as cards with each value under its column's name, and nothing runs off the
right edge of the screen."""

import pytest

from tests.stations.conftest import build_desk

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_list_on_a_phone_reads_as_cards(live_world, live_server, phone, make_user):
    build_desk(live_world, make_user)
    login(phone, live_server.url, "agent1")
    phone.goto(f"{live_server.url}/services/residents/")
    first_cell = phone.locator("table.wh-cards-on-phone tbody tr td").first
    label = first_cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    header = phone.locator("table.wh-cards-on-phone thead th").first.inner_text()
    assert label.strip('"') == header.strip() and header.strip()
    assert phone.locator("table.wh-cards-on-phone thead").is_hidden()
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page runs {overflow}px past the screen's edge"
