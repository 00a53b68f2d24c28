"""The system administrator on 定时任务: runs a job now and sees the run, pauses and resumes it, reads the log."""

import pytest

from wanghua.core.models import JobRun

from .conftest import login

pytestmark = pytest.mark.browser


def test_sysadmin_runs_a_job_now_and_sees_the_run(live_world, live_server, page, make_user):
    make_user("sa", "sysadmin", region=live_world.district)
    login(page, live_server.url, "sa")
    page.get_by_role("button", name="系统").click()
    page.get_by_role("link", name="定时任务").click()
    page.wait_for_url("**/system/jobs/")
    row = page.locator("#job-supervise_cases")
    assert "超期案件督办" in row.inner_text() and "每 15 分钟" in row.inner_text()
    assert "从未执行" in row.inner_text()
    row.get_by_role("button", name="立即执行").click()
    page.wait_for_url("**/system/jobs/")
    assert "已加入队列" in page.locator(".alert").first.inner_text()
    row = page.locator("#job-supervise_cases")
    assert "成功" in row.inner_text() and "是否成功" not in row.inner_text() and "督办 0 件案件" in row.inner_text()
    assert JobRun.objects.get().trigger == "demand"

    row.get_by_role("button", name="暂停").click()
    row = page.locator("#job-supervise_cases")
    assert "已暂停" in row.inner_text()
    row.get_by_role("button", name="恢复").click()
    assert page.locator("#job-supervise_cases").get_by_role("button", name="暂停").is_visible()

    page.get_by_role("link", name="调度日志").click()
    page.wait_for_url("**/system/jobs/log/")
    table = page.locator("table.wh-table").inner_text()
    assert "超期案件督办" in table and "立即执行" in table and "成功" in table
