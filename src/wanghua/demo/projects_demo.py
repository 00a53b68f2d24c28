"""The demo's 项目建设: 72 projects started this year across the three lists and the zones, with monthly
reports for this year and last. The article's headline figures come out of these records when counted:
72 started, 115.83 亿元 total investment, 16.53 亿元 fixed-asset investment in the first half, +38.7 %
on the first half of last year. Nothing here types a total in; the generator splits the amounts."""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from wanghua.core import audit
from wanghua.org.models import Person, Region, RegionLevel, Unit, Zone
from wanghua.projects.models import MonthlyReport, Project, ProjectList, ReportStatus, Stage

STARTED_PROJECTS = 72
TOTAL_INVESTMENT = Decimal("1158300")  # 万元 = 115.83 亿元
FIRST_HALF_FAI = Decimal("165300")  # 万元 = 16.53 亿元
LAST_YEAR_GROWTH = Decimal("1.387")  # +38.7 %
CENT = Decimal("0.01")
NAMES = {
    "edz": ["垃圾焚烧发电项目", "100MW光伏发电项目", "200MW光伏发电项目", "新材料产业园", "循环经济产业园",
            "再生资源加工项目", "储能电站项目", "氢能装备项目"],
    "west": ["家居建材产业板块", "钢材智慧物流园", "西部创新融合先导园", "商业综合体盘活项目", "冷链物流中心"],
    "belt": ["特钢精品棒材技改", "铝合金深加工项目", "炭素新材料项目", "智能制造车间改造", "工业互联网平台"],
    "tayu": ["现代农业示范园", "农产品精深加工项目", "休闲观光农业项目", "设施农业大棚"],
    "core": ["老旧小区改造", "社区综合服务中心", "雷锋纪念馆提升工程"],
}
# 发改局 keeps the planned-start and higher-level lists (its 项目管家 log in as `steward`); investment
# attraction sits with the development zone's committee in the zone and with 商务局 elsewhere.
UNITS = {ProjectList.PLANNED: "dept-drc", ProjectList.HIGHER: "dept-drc", ProjectList.ATTRACTED: "dept-commerce"}


def split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """`parts` positive amounts (to the cent) that add up to `total` exactly."""
    weights = [rng.uniform(0.2, 1.0) ** 2 for _ in range(parts)]
    scale = total / Decimal(str(sum(weights)))
    amounts = [(Decimal(str(w)) * scale).quantize(CENT, ROUND_HALF_UP) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def build(rng: random.Random) -> None:
    if Project.objects.exists():
        return
    today = timezone.localdate()
    year = today.year
    zones = {z.code: z for z in Zone.objects.all()}
    towns = {z: list(Region.objects.filter(level=RegionLevel.STREET, zone__code=z)) or
             list(Region.objects.filter(level=RegionLevel.STREET)) for z in zones}
    steward = Person.objects.get(user__username="steward")
    leader = Person.objects.get(user__username="leader")
    units = {key: Unit.objects.get(code=code) for key, code in UNITS.items()}
    zone_committee = Unit.objects.get(code="dept-edz")
    lists = [ProjectList.PLANNED] * 40 + [ProjectList.HIGHER] * 14 + [ProjectList.ATTRACTED] * 18
    totals = split(TOTAL_INVESTMENT, STARTED_PROJECTS, rng)
    first_half = split(FIRST_HALF_FAI, STARTED_PROJECTS, rng)
    last_first_half = split((FIRST_HALF_FAI / LAST_YEAR_GROWTH).quantize(CENT, ROUND_HALF_UP), STARTED_PROJECTS,
                            rng)
    projects, reports = [], []
    with audit.summarised("demo", "generated the year's started projects and their monthly reports"):
        for n in range(STARTED_PROJECTS):
            zone = rng.choices(list(NAMES), weights=[5, 3, 3, 2, 1])[0]
            continuing = n % 3 == 0
            project = Project(
                code=f"{year}-{n + 1:03d}", name=f"{zones[zone].name}{rng.choice(NAMES[zone])}（{n + 1}）",
                project_list=lists[n], zone=zones[zone], industry=rng.choice(["新能源", "环保", "新材料", "商贸物流",
                                                                              "现代农业", "装备制造"]),
                sponsor=f"{rng.choice(['抚顺', '辽宁', '沈抚'])}{rng.choice(['华', '兴', '盛', '恒'])}"
                        f"{rng.choice(['能源', '实业', '置业', '科技'])}有限公司",
                continuing=continuing, stage=Stage.RESUMED if continuing else Stage.STARTED,
                total_investment=totals[n], annual_plan=(totals[n] * Decimal("0.3")).quantize(CENT),
                planned_start=date(year, rng.randint(1, 4), 1), started_on=date(year, rng.randint(1, 5), 15),
                steward=steward, leader=leader, town=rng.choice(towns[zone]),
                competent_unit=zone_committee if lists[n] == ProjectList.ATTRACTED and zone == "edz"
                else units[lists[n]])
            projects.append(project)
        Project.objects.bulk_create(projects)
        for n, project in enumerate(projects):
            reports += _reports(project, year, first_half[n], last_first_half[n], today, rng)
        MonthlyReport.objects.bulk_create(reports)


def _reports(project: Project, year: int, first_half: Decimal, last_first_half: Decimal, today: date,
             rng: random.Random) -> list[MonthlyReport]:
    """Six approved reports for each first half (adding up exactly), and this year's later months."""
    rows = []
    for report_year, half in ((year - 1, last_first_half), (year, first_half)):
        for month, fai in zip(range(1, 7), split(half, 6, rng), strict=True):
            rows.append(_report(project, date(report_year, month, 1), fai, rng))
    for month in range(7, today.month):
        rows.append(_report(project, date(year, month, 1),
                            (project.total_investment * Decimal(str(rng.uniform(0.005, 0.02)))).quantize(CENT), rng))
    return rows


def _report(project: Project, month: date, fai: Decimal, rng: random.Random) -> MonthlyReport:
    submitted = timezone.make_aware(timezone.datetime(month.year + month.month // 12, month.month % 12 + 1,
                                                      rng.randint(1, 7), 10))
    return MonthlyReport(project=project, month=month, fai=fai, progress=rng.choice(
        ["场地平整完成", "主体结构施工", "设备安装调试", "桩基施工", "钢结构吊装", "室外配套施工"]),
        next_steps="按计划推进", status=ReportStatus.APPROVED, submitted_at=submitted,
        late=submitted.day > 5, reviewed_at=submitted)
