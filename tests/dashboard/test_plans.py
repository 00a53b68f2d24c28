"""What district leaders enter: yearly targets and external statistics, checked and audited."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from wanghua.core.models import AuditEntry
from wanghua.dashboard import queries, services
from wanghua.dashboard.models import ExternalStatistic, IndicatorTarget, RefreshRun


@pytest.fixture
def leader(world, make_user):
    return make_user("leader", "leader", region=world.district)


def test_targets_are_set_changed_cleared_and_audited(leader):
    assert services.set_targets(leader, 2026, {"org.communities": Decimal(90), "services.stations": Decimal(361)}) == 2
    assert services.set_targets(leader, 2026, {"org.communities": Decimal(90)}) == 0  # unchanged: nothing written
    assert services.set_targets(leader, 2026, {"org.communities": Decimal(91), "services.stations": None}) == 2
    assert dict(IndicatorTarget.objects.values_list("key", "value")) == {"org.communities": Decimal(91)}
    actions = sorted(AuditEntry.objects.filter(content_type__model="indicatortarget").values_list("action", flat=True))
    assert actions == ["create", "create", "delete", "update"]


@pytest.mark.parametrize("year, values, refusal", [  # each guard's own message (issue 22: guard_mutants.py)
    (1999, {"org.communities": Decimal(1)}, {"year": ["请选择2000至2100之间的年份。"]}),
    (2101, {"org.communities": Decimal(1)}, {"year": ["请选择2000至2100之间的年份。"]}),
    (2026, {"no.such": Decimal(1)}, {"__all__": ["未知指标：no.such"]}),
    (2026, {"org.communities": Decimal(-1)}, {"org.communities": ["目标值不能为负数。"]}),
])
def test_bad_targets_are_refused(leader, year, values, refusal):
    with pytest.raises(ValidationError) as refused:
        services.set_targets(leader, year, values)
    assert (refused.value.message_dict if hasattr(refused.value, "error_dict")
            else {"__all__": refused.value.messages}) == refusal
    assert not IndicatorTarget.objects.exists()


def test_street_staff_cannot_set_targets(world, make_user):
    street = make_user("st", "street", region=world.street1)
    with pytest.raises(PermissionDenied):
        services.set_targets(street, 2026, {"org.communities": Decimal(1)})


def test_targets_page_keeps_the_form_on_a_bad_number(leader, client_for):
    client = client_for(leader)
    refused = client.post("/indicators/targets/", {"year": 2026, "target-org.communities": "九十",
                                                   "target-services.stations": "361"})
    assert refused.status_code == 400
    assert 'name="target-org.communities" value="九十" class="form-control form-control-sm is-invalid"' in \
        refused.content.decode()
    assert "数字" in refused.content.decode()
    assert not IndicatorTarget.objects.exists()
    saved = client.post("/indicators/targets/", {"year": 2026, "target-org.communities": "90"})
    assert saved.status_code == 302 and IndicatorTarget.objects.get().value == 90


def statistic(**extra) -> dict:
    year = timezone.localdate().year
    return {"key": "gdp_growth", "name": "地区生产总值增速", "goal": "strength", "unit": "%",
            "period": date(year, 1, 15), "value": Decimal("6.5"), "source": "区统计局",
            "published_on": date(year, 2, 20)} | extra


def test_a_statistic_keeps_its_source_and_month(leader):
    made = services.add_statistic(leader, **statistic())
    assert made.period.day == 1 and made.entered_by == leader
    assert AuditEntry.objects.filter(content_type__model="externalstatistic", action="create").exists()
    with pytest.raises(ValidationError):  # one figure per code and month
        services.add_statistic(leader, **statistic())


# The dates are computed when the test runs, in local time: computed at collection (before the time zone is
# set), "tomorrow" was still today in 望花 for the eight hours after 16:00 UTC.
BAD_STATISTICS = {
    "blank source": lambda today: {"source": "  "},
    "published tomorrow": lambda today: {"published_on": today + timedelta(days=1)},
    "published before its month": lambda today: {"published_on": date(today.year - 1, 12, 1)},
    "unknown goal": lambda today: {"goal": "nonsense"},
}


@pytest.mark.parametrize("bad", BAD_STATISTICS)
def test_bad_statistics_are_refused(leader, bad):
    with pytest.raises(ValidationError):
        services.add_statistic(leader, **statistic(**BAD_STATISTICS[bad](timezone.localdate())))
    assert not ExternalStatistic.objects.exists()


def test_refresh_on_demand_is_logged_with_who_asked(leader, world, make_user):
    run = services.refresh_indicators(leader)
    assert RefreshRun.objects.get() == run and run.requested_by == leader and run.trigger == "demand"
    with pytest.raises(PermissionDenied):
        services.refresh_indicators(make_user("st", "street", region=world.street1))


def test_month_of():
    assert queries.month_of("2026-06") == date(2026, 6, 1)
    assert queries.month_of("2026-13") is None and queries.month_of("x") is None and queries.month_of(None) is None


def test_a_street_gets_its_own_targets(leader, world, client_for):
    from wanghua.dashboard import queries, refresh

    client = client_for(leader)
    page = f"/indicators/targets/?year=2026&region={world.street1.pk}"
    assert "一街道" in client.get(page).content.decode()
    saved = client.post(page, {"year": 2026, "region": world.street1.pk, "target-org.communities": "2"})
    assert saved.status_code == 302
    target = IndicatorTarget.objects.get()
    assert (target.region, target.value) == (world.street1, 2)
    assert queries.targets_for(refresh.region_scope(world.street1), 2026) == {"org.communities": 2}
    assert queries.targets_for(refresh.DISTRICT, 2026) == {}
    sheet = load_workbook(BytesIO(client.get(f"{page}&format=xlsx").content)).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [("幸福望花", "村（社区）", "个", 2)]
