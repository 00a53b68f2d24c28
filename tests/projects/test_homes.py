"""The steward's and the unit's homes: reports due, returned, to review — each count opens the list it counts,
and the list shows what the count says; the headline figures' period is chosen on the page."""

from datetime import date, timedelta
from decimal import Decimal

from django.test import RequestFactory
from django.utils import timezone

from tests.projects.test_projects import new_project
from wanghua.core.menu import todos_for
from wanghua.projects import queries, services
from wanghua.projects.models import Project, Stage

DUE, RETURNED, TO_REVIEW = "待报送月报", "被退回的月报", "待审核月报"


def counts(user) -> dict[str, tuple[int, str]]:
    request = RequestFactory().get("/")
    request.user = user
    return {str(c.label): (c.count, c.url) for c in todos_for(request) if "月报" in str(c.label)}


def opened(client_for, user) -> dict[str, int]:
    """Each count's list, as the user opens it: how many records it shows."""
    client = client_for(user)
    shown = {}
    for label, (_count, url) in counts(user).items():
        page = client.get(url)
        assert page.status_code == 200, url
        shown[label] = page.context["paginator"].count
    return shown


def test_reports_due_returned_and_to_review_on_each_home(desk, world, client_for):
    project = new_project(desk, world, code="H1")
    started = timezone.localdate().replace(day=1) - timedelta(days=40)
    for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
        services.advance_stage(desk["unit"], project.pk, stage, on=started)
    steward, unit = desk["steward"], desk["unit"]
    assert counts(steward) == {DUE: (1, "/projects/list/?report_due=true"),
                               RETURNED: (0, "/projects/reports/?status=returned")}
    assert counts(unit) == {TO_REVIEW: (0, "/projects/reports/?status=submitted")}  # the unit reviews, not reports
    assert opened(client_for, steward) == {DUE: 1, RETURNED: 0}

    report = services.submit_report(steward, project.pk, month=queries.month_to_report(), fai=Decimal("300"),
                                    progress="主体施工")
    assert counts(steward)[DUE][0] == 0 and counts(unit)[TO_REVIEW][0] == 1
    assert opened(client_for, unit) == {TO_REVIEW: 1}
    services.review_report(unit, report.pk, approve=False, comment="缺监理签字")
    assert counts(steward)[RETURNED][0] == 1 and counts(unit)[TO_REVIEW][0] == 0
    assert opened(client_for, steward) == {DUE: 0, RETURNED: 1}
    returned_list = client_for(steward).get("/projects/reports/?status=returned").content.decode()
    assert f"/projects/reports/{report.pk}/" in returned_list and "缺监理签字" in returned_list
    services.correct_report(steward, report.pk, progress="主体施工（补签字）")
    assert counts(steward)[RETURNED][0] == 0 and counts(unit)[TO_REVIEW][0] == 1


def test_the_report_due_filter_is_the_reminders_query(desk, world):
    project = new_project(desk, world, code="H2")
    for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
        services.advance_stage(desk["unit"], project.pk, stage, on=date(2026, 1, 10))
    from wanghua.projects.filters import ProjectFilter

    due = ProjectFilter({"report_due": "true"}, queryset=Project.objects.all()).qs
    not_due = ProjectFilter({"report_due": "false"}, queryset=Project.objects.all()).qs
    reminded = [r.project.pk for r in queries.report_reminders(Project.objects.all())]
    assert list(due.values_list("pk", flat=True)) == reminded == [project.pk] and not not_due.exists()


def test_a_bad_month_in_the_report_list_is_a_clear_400(desk, client_for):
    page = client_for(desk["unit"]).get("/projects/reports/?month=2026-13")
    assert page.status_code == 400


def test_the_headline_period_is_picked_on_the_page(desk, world, client_for):
    year = timezone.localdate().year
    page = client_for(desk["unit"]).get(f"/projects/?year={year}&month=6")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="period-picker"' in html
    assert '<option value="6" selected>1–6月</option>' in html
    assert f'<option value="{year}" selected>{year}</option>' in html
    assert "data-submit-on-change" in html
