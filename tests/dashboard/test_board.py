"""The 六望花 board: status against targets (hand-computed), scope, drill-down, Excel and the monthly PDF."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from wanghua.core import indicators
from wanghua.dashboard import queries, refresh, services
from wanghua.dashboard.models import IndicatorTarget

PLAIN = indicators.Indicator("t.plain", "plain", indicators.Goal.STRENGTH, "x", lambda region=None: 0)
YTD = indicators.Indicator("t.ytd", "ytd", indicators.Goal.STRENGTH, "x", lambda region=None: 0, accumulates=True)
LOWER = indicators.Indicator("t.low", "low", indicators.Goal.STRENGTH, "x", lambda region=None: 0,
                             lower_is_better=True)


def test_status_against_targets_by_hand():
    assert queries.status(PLAIN, Decimal(95), Decimal(100)) == "amber"  # 95 % ≥ 90 %
    assert queries.status(PLAIN, Decimal(89), Decimal(100)) == "red"
    assert queries.status(PLAIN, Decimal(100), Decimal(100)) == "green"
    assert queries.status(PLAIN, None, Decimal(100)) == queries.status(PLAIN, Decimal(1), None) == "none"
    assert queries.status(LOWER, Decimal("0.05"), Decimal("0.05")) == "green"
    assert queries.status(LOWER, Decimal("0.055"), Decimal("0.05")) == "amber"  # 0.05 / 0.055 = 0.909
    assert queries.status(LOWER, Decimal("0.356"), Decimal("0.05")) == "red"
    assert queries.attainment(LOWER, Decimal("0.1"), Decimal("0.05")) == Decimal("50.0")
    assert queries.attainment(PLAIN, Decimal(150), Decimal(100)) == Decimal("100")  # capped


def test_year_to_date_targets_are_prorated():
    # June 2026 has ended: 181 of 365 days; 9,000 a year expects 4,463.01 by then.
    assert queries.year_fraction(date(2026, 6, 1), today=date(2026, 11, 29)) == Decimal(181) / Decimal(365)
    assert queries.expected(YTD, Decimal(9000), date(2026, 6, 1)) == Decimal("4463.01")
    assert queries.expected(PLAIN, Decimal(90), date(2026, 6, 1)) == Decimal(90)


def test_scope_of_each_viewer(world, make_user):
    assert queries.board_scope(make_user("leader", "leader", region=world.district)).key == "district"
    assert queries.board_scope(make_user("st", "street", region=world.street1)).key == f"r{world.street1.pk}"
    assert queries.board_scope(make_user("d", "department", unit=world.dept)).key == f"u{world.dept.pk}"
    assert queries.board_scope(make_user("g", "grid", region=world.grid1)) is None  # grids have no board
    assert queries.board_scope(make_user("nobody")) is None


def _row(board, key):
    return next(r for goal in board for r in goal.rows if r.key == key)


def test_monthly_report_without_values_says_so(world, make_user, client_for):
    client = client_for(make_user("leader", "leader", region=world.district))
    response = client.get("/reports/monthly/", follow=True)
    assert "尚无" in response.content.decode()


def test_targets_only_for_the_district_board(world, make_user):
    leader = make_user("leader", "leader", region=world.district)
    services.set_targets(leader, 2026, {"org.communities": Decimal(90)})
    assert queries.targets_for(refresh.DISTRICT, 2026) == {"org.communities": Decimal(90)}
    assert queries.targets_for(refresh.region_scope(world.street1), 2026) == {}
    assert IndicatorTarget.objects.count() == 1


def test_the_screen_shows_lines_only_to_those_who_may_see_them(world, make_user):
    from wanghua.industry.models import LiveSnapshot, ProductionLine

    line = ProductionLine.objects.create(code="L1", name="一号线", enterprise=world.enterprise1)
    LiveSnapshot.objects.create(line=line, status="running")
    services.refresh_indicators()
    leader = queries.board_scope(make_user("leader", "leader", region=world.district))
    command = queries.board_scope(make_user("cmd", "command", region=world.district))
    assert [row["name"] for row in queries.screen_data(leader)["lines"]] == ["一号线"]
    assert queries.screen_data(command)["lines"] == []  # a district-wide grant without the lines' permission


@pytest.mark.usefixtures("refreshed_board")
class TestOnARefreshedBoard:
    """The board after one refresh of the module's world (shared by the class, rolled back after it)."""

    def test_a_street_cannot_open_another_streets_board(self, world, make_user, client_for):
        street = make_user("st", "street", region=world.street1)
        page = client_for(street).get(f"/goals/?scope=r{world.street2.pk}")
        assert page.context["scope"].key == f"r{world.street1.pk}"
        leader = client_for(make_user("leader", "leader", region=world.district))
        assert leader.get(f"/goals/?scope=r{world.street2.pk}").context["scope"].key == f"r{world.street2.pk}"
        text = client_for(street).get("/goals/").content.decode()
        assert 'data-indicator="org.communities"' in text and "headlines" not in text  # the article is the district's

    def test_board_rows_drill_down_to_the_records(self, world, make_user, client_for):
        leader = make_user("leader", "leader", region=world.district)
        services.set_targets(leader, date.today().year, {"org.communities": Decimal(4)})
        client = client_for(leader)
        board = queries.goal_board(queries.board_scope(leader))
        row = _row(board, "org.communities")
        assert (row.value, row.target, row.status) == (3, 4, "red")  # 3 of 4 = 75 %
        listed = client.get(row.url)
        assert listed.status_code == 200 and all(f">{name}</a>" in listed.content.decode()
                                                 for name in ("甲社区", "乙社区", "丙社区"))
        street_row = _row(queries.goal_board(refresh.region_scope(world.street2)), "org.communities")
        street_list = client.get(street_row.url).content.decode()
        assert street_row.value == 1 and ">丙社区</a>" in street_list and ">甲社区</a>" not in street_list
        page = client.get("/goals/").content.decode()
        assert row.url.replace("&", "&amp;") in page

    def test_board_excel_and_monthly_pdf(self, world, make_user, client_for):
        client = client_for(make_user("leader", "leader", region=world.district))
        sheet = load_workbook(BytesIO(client.get("/goals/?format=xlsx").content)).active
        rows = {r[1]: r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
        assert rows["村（社区）"] == 3
        response = client.get("/reports/monthly/")
        assert response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
        assert "月度报告" in text and "村（社区）" in text and "创新望花" in text

    @pytest.mark.parametrize("month", ["2026-13", "junk", ""])
    def test_bad_months_fall_back_to_the_latest(self, world, make_user, client_for, month):
        client = client_for(make_user("leader", "leader", region=world.district))
        page = client.get(f"/goals/?month={month}")
        assert page.status_code == 200 and page.context["period"] == queries.latest_period(refresh.DISTRICT)

    def test_every_indicator_opens_its_records(self, world, make_user, client_for):
        """The board's promise: a click from any number to the records behind it, for the district, a street and a
        department alike."""
        client = client_for(make_user("leader", "leader", region=world.district))
        scopes = [refresh.DISTRICT, refresh.region_scope(world.street1), refresh.unit_scope(world.dept)]
        missing = [key for key, indicator in indicators.REGISTRY.items() if indicator.drill is None]
        assert missing == []
        for scope in scopes:
            for goal in queries.goal_board(scope):
                for row in goal.rows:
                    assert row.url, row.key
                    assert client.get(row.url).status_code == 200, (scope.key, row.key, row.url)

    def test_stored_values_are_read_through_the_access_rules(self, world, make_user):
        """Even a scope built by hand for another street yields nothing to a street's staff: the store is read
        through visible_to, like any record."""
        street1 = make_user("st1", "street", region=world.street1)
        own = queries.board_scope(street1)
        assert queries.values_at(own, queries.latest_period(own))["org.communities"] == 2
        foreign = refresh.region_scope(world.street2, street1)
        assert queries.latest_period(foreign) is None and queries.goal_board(foreign)[0].rows == []
        district = refresh.Scope("district", viewer=street1)
        assert queries.latest_period(district) is None
        assert {row.value for row in queries.headline_figures(district)} == {None}
        volunteer = make_user("v", "volunteer", region=world.community1)
        assert queries.board_scope(volunteer) is None  # no board among a volunteer's permissions
