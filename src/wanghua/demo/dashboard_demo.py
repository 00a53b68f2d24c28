"""The demo's indicator targets and external statistics, then the stored values: this year's months for
the district and its towns/streets (history for the trends), and this month for every scope.

The targets are a plausible plan for the demo year, not figures from the article (the article reports
results, not plans); the external statistics are labelled as demo figures in their source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from wanghua.core import audit
from wanghua.core.models import User
from wanghua.dashboard import refresh, services
from wanghua.dashboard.models import ExternalStatistic, IndicatorTarget, RefreshRun
from wanghua.org.models import Region, RegionLevel

DISTRICT_TARGETS = {
    "services.stations": 361, "services.coverage": 100, "services.communities_covered": 90,
    "services.on_time_rate": 90, "services.satisfaction": "4.5", "services.errands_this_year": 9000,
    "industry.oee": 60, "industry.failure_rate": "0.05", "industry.downtime": 12, "lab.pass_rate": 98,
    "lab.turnaround": 6, "projects.started": 72, "projects.investment": "110", "projects.fai": "30",
    "projects.fai_growth": 30, "projects.pv_capacity": 400, "projects.coal_saved": 16,
    "projects.cooperatives": 25, "projects.crops": 20, "civic.on_time_rate": 90, "civic.closure_rate": 90,
    "civic.commitments_delivered": 100, "civic.volunteer_teams": 150, "civic.activities": 420,
    "civic.occupation_put_right": 400, "civic.vendors_put_right": 270, "civic.volunteer_hours": 3000,
}
# What the statistics bureau would publish; typed in by nature, so the source says they are demo figures.
EXTERNAL = [
    ("gdp_growth", "地区生产总值增速", "strength", "%", 6, "6.5"),
    ("retail_growth", "社会消费品零售总额增速", "wellbeing", "%", 6, "8.2"),
    ("rd_intensity", "研发经费投入强度", "innovation", "%", 6, "1.9"),
]
DEMO_SOURCE = "望花区统计局季度快报（演示数据，非真实统计）"


def build_targets(year: int) -> None:
    admin = User.objects.get(username="admin")
    with audit.acting_as(admin):
        for key, value in DISTRICT_TARGETS.items():
            IndicatorTarget.objects.get_or_create(key=key, year=year, region=None,
                                                  defaults={"value": Decimal(str(value))})
        for key, name, goal, unit, month, value in EXTERNAL:
            ExternalStatistic.objects.get_or_create(key=key, period=date(year, month, 1), defaults={
                "name": name, "goal": goal, "unit": unit, "value": Decimal(value), "source": DEMO_SOURCE,
                "published_on": date(year, month + 1, 20), "entered_by": admin})


def build() -> None:
    today = timezone.localdate()
    build_targets(today.year)
    coarse = [refresh.DISTRICT, *map(refresh.region_scope, Region.objects.filter(level=RegionLevel.STREET))]
    # A past month's figures are kept once stored: a second build (make run again) recomputes only this month.
    stored = set(RefreshRun.objects.filter(trigger="history", finished_at__isnull=False, period__year=today.year)
                 .values_list("period__month", flat=True))
    for month in range(1, today.month):
        if month not in stored:
            services.refresh_indicators(moment=refresh.month_end(date(today.year, month, 1)), trigger="history",
                                        scopes=coarse)
    services.refresh_indicators(trigger="demo")
