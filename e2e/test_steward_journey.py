"""The 项目管家's monthly cycle in a real browser: the steward reports, the unit reviews, the headline figures
and the dual-assessment ranking show it, with the calculation behind the score."""

from decimal import Decimal

import pytest
from django.utils import timezone

from wanghua.org.models import Person
from wanghua.projects import services
from wanghua.projects.models import Stage

from .conftest import login

pytestmark = pytest.mark.browser


def _started_project(world, unit_staff, steward, leader):
    project = services.create_project(
        unit_staff, code="J1", name="光伏发电项目", project_list="planned", zone=world.zone, industry="新能源",
        sponsor="某光伏公司", total_investment=Decimal("120000"), annual_plan=Decimal("12000"), steward=steward,
        competent_unit=world.dept, leader=leader, town=world.street1, planned_start=timezone.localdate().replace(day=1))
    for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
        services.advance_stage(unit_staff, project.pk, stage)
    return project


def test_report_review_figures_ranking(live_world, live_server, page, make_user):
    w = live_world
    unit_staff = make_user("drc", "department", unit=w.dept)
    steward_user = make_user("guanjia", "steward", unit=w.dept)
    steward = Person.objects.create(name="孙管家", region=w.street1, unit=w.dept, user=steward_user)
    project = _started_project(w, unit_staff, steward, Person.objects.create(name="王区长", region=w.district))
    month = timezone.localdate().strftime("%Y-%m")

    login(page, live_server.url, "guanjia")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator("input[name=month]").fill(month)
    page.locator("input[name=fai]").fill("1000")
    page.locator("textarea[name=progress]").fill("组件支架安装")
    page.locator("#submit-report").click()
    row = page.locator("#reports tbody tr").first
    assert "1000" in row.inner_text() and "已报送" in row.inner_text()
    assert page.locator("button[name=decision]").count() == 0  # the steward does not review

    page.context.clear_cookies()
    login(page, live_server.url, "drc")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator("button[name=decision][value=approve]").click()
    assert "已审核" in page.locator("#reports tbody tr").first.inner_text()

    page.goto(f"{live_server.url}/projects/?month={timezone.localdate().month}")
    assert page.locator("#fai").inner_text() == "1000.00"
    assert page.locator("#started").inner_text() == "1"
    page.wait_for_selector("#chart-zone[data-chart-ready='1']")

    page.goto(f"{live_server.url}/projects/assessment/?period={month}")
    page.wait_for_selector("#chart-ranking[data-chart-ready='1']")
    first = page.locator("#ranking tbody tr[data-subject]").first
    assert first.get_attribute("data-subject") == str(w.dept.pk) and first.locator("td").first.inner_text() == "1"
    page.locator("#ranking details summary").first.click()
    # a month's share of the 12,000 万元 annual plan is 1,000: the report meets it in full
    assert page.get_by_text("min(1, 1,000.00 ÷ 1,000.00) × 100 = 100.0").is_visible()


def test_returned_report_is_corrected_and_approved(live_world, live_server, page, make_user):
    w = live_world
    unit_staff = make_user("drc", "department", unit=w.dept)
    steward_user = make_user("guanjia", "steward", unit=w.dept)
    steward = Person.objects.create(name="孙管家", region=w.street1, unit=w.dept, user=steward_user)
    project = _started_project(w, unit_staff, steward, Person.objects.create(name="王区长", region=w.district))
    report = services.submit_report(steward_user, project.pk, month=timezone.localdate().replace(day=1),
                                    fai=Decimal("1500"), progress="组件支架安装")

    login(page, live_server.url, "drc")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator(f"#report-{report.pk} input[name=comment]").fill("投资额与监理报告不符")
    page.locator(f"#report-{report.pk} button[name=decision][value=return]").click()
    assert "已退回" in page.locator(f"#report-{report.pk}").inner_text()

    page.context.clear_cookies()
    login(page, live_server.url, "guanjia")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator(f"#report-{report.pk} a.correct-report").click()
    page.locator("input[name=fai]").fill("1000")
    page.locator("form.wh-form button[type=submit]").click()
    row = page.locator(f"#report-{report.pk}")
    assert "1000" in row.inner_text() and "已报送" in row.inner_text()
    assert row.locator("a.correct-report").count() == 0

    page.context.clear_cookies()
    login(page, live_server.url, "drc")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.locator(f"#report-{report.pk} button[name=decision][value=approve]").click()
    assert "已审核" in page.locator(f"#report-{report.pk}").inner_text()


def test_the_loop_from_each_home_and_the_period_picker(live_world, live_server, page, make_user):
    """Each step starts from the home count that says it waits: 待审核 for the unit, 被退回 for the steward."""
    w = live_world
    unit_staff = make_user("drc", "department", unit=w.dept)
    steward_user = make_user("guanjia", "steward", unit=w.dept)
    steward = Person.objects.create(name="孙管家", region=w.street1, unit=w.dept, user=steward_user)
    project = _started_project(w, unit_staff, steward, Person.objects.create(name="王区长", region=w.district))
    report = services.submit_report(steward_user, project.pk, month=timezone.localdate().replace(day=1),
                                    fai=Decimal("1500"), progress="组件支架安装")
    base = live_server.url

    def from_home(username: str, count_url: str) -> None:
        page.context.clear_cookies()
        login(page, base, username)
        card = page.locator(f"#todos a[href='{count_url}']")
        assert card.locator(".h4").inner_text() == "1"
        card.click()
        page.locator(f"a[href='/projects/reports/{report.pk}/']").click()
        page.wait_for_selector(f"#report-{report.pk}")

    from_home("drc", "/projects/reports/?status=submitted")
    page.locator(f"#report-{report.pk} input[name=comment]").fill("投资额与监理报告不符")
    page.locator(f"#report-{report.pk} button[name=decision][value=return]").click()
    assert "已退回" in page.locator(f"#report-{report.pk}").inner_text()

    from_home("guanjia", "/projects/reports/?status=returned")
    page.locator(f"#report-{report.pk} a.correct-report").click()
    page.locator("input[name=fai]").fill("1000")
    page.locator("form.wh-form button[type=submit]").click()
    assert "已报送" in page.locator(f"#report-{report.pk}").inner_text()

    from_home("drc", "/projects/reports/?status=submitted")
    page.locator(f"#report-{report.pk} button[name=decision][value=approve]").click()
    assert "已审核" in page.locator(f"#report-{report.pk}").inner_text()

    page.goto(f"{base}/projects/")
    today = timezone.localdate()
    if today.month > 1:  # through last month: this month's report is not counted yet
        page.locator("#period-picker select[name=month]").select_option(str(today.month - 1))
        page.wait_for_url(f"**/projects/?year={today.year}&month={today.month - 1}")
        assert page.locator("#fai").inner_text() == "0.00"
    page.locator("#period-picker select[name=month]").select_option(str(today.month))
    page.wait_for_url(f"**/projects/?year={today.year}&month={today.month}")
    assert page.locator("#fai").inner_text() == "1000.00"
