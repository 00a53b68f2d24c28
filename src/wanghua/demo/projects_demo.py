"""The demo's 项目建设: 72 projects started this year across the three lists and the zones, with monthly
reports for this year and last. The article's headline figures come out of these records when counted:
72 started, 115.83 亿元 total investment, 16.53 亿元 fixed-asset investment in the first half, +38.7 %
on the first half of last year. Nothing here types a total in; the generator splits the amounts."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from wanghua.core import audit
from wanghua.core.models import User
from wanghua.org.models import Person, Region, RegionLevel, Unit, UnitKind, Zone
from wanghua.projects.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    CooperativeCrop,
    IssueCategory,
    IssueStatus,
    Lead,
    LeadStage,
    MonthlyReport,
    Programme,
    Project,
    ProjectIssue,
    ProjectList,
    ReportStatus,
    ServiceKind,
    ServiceRecord,
    Stage,
)

from . import geography, names

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
    projects, reports, used = [], [], {name for _, name, *_ in PROGRAMMES}
    with audit.summarised(audit.Label.DEMO, "generated the year's started projects and their monthly reports"):
        for n in range(STARTED_PROJECTS):
            zone = rng.choices(list(NAMES), weights=[5, 3, 3, 2, 1])[0]
            continuing = n % 3 == 0
            name = names.distinct(rng, lambda r, z=zone: f"{r.choice(names.BRANDS)}{r.choice(NAMES[z])}", used)
            brand = next(b for b in names.BRANDS if name.startswith(b))
            town = rng.choice(towns[zone])
            lat, lon = geography.spot(town, rng)
            project = Project(
                code=f"{year}-{n + 1:03d}", name=name, lat=lat, lon=lon,
                project_list=lists[n], zone=zones[zone], industry=rng.choice(["新能源", "环保", "新材料", "商贸物流",
                                                                              "现代农业", "装备制造"]),
                sponsor=names.company(rng, brand),
                continuing=continuing, stage=Stage.RESUMED if continuing else Stage.STARTED,
                total_investment=totals[n], annual_plan=(totals[n] * Decimal("0.3")).quantize(CENT),
                planned_start=date(year, rng.randint(1, 4), 1), started_on=date(year, rng.randint(1, 5), 15),
                steward=steward, leader=leader, town=town,
                competent_unit=zone_committee if lists[n] == ProjectList.ATTRACTED and zone == "edz"
                else units[lists[n]])
            projects.append(project)
        Project.objects.bulk_create(projects)
        for n, project in enumerate(projects):
            reports += _reports(project, year, first_half[n], last_first_half[n], today, rng)
        MonthlyReport.objects.bulk_create(reports)
        leave_last_month_open(today)
        build_programmes(year, zones, steward, leader)
        build_cooperatives(rng)
        build_applications(projects, year, today, rng)
        build_leads(projects, zones, year, today, rng)
        build_issues_and_services(projects, today, rng)


def _reports(project: Project, year: int, first_half: Decimal, last_first_half: Decimal, today: date,
             rng: random.Random) -> list[MonthlyReport]:
    """Six approved reports for each first half (adding up exactly: the article's +38.7 %), and the later months
    of both years, last year's at a pace of its own, so the full year's growth is not the first half's."""
    rows = []
    for report_year, half in ((year - 1, last_first_half), (year, first_half)):
        for month, fai in zip(range(1, 7), split(half, 6, rng), strict=True):
            rows.append(_report(project, date(report_year, month, 1), fai, rng))
    for month in range(7, today.month):
        fai = (project.total_investment * Decimal(str(rng.uniform(0.005, 0.02)))).quantize(CENT)
        rows.append(_report(project, date(year, month, 1), fai, rng))
        # last year's later months have their own pace: only the first half's +38.7 % is the article's
        last = (fai / Decimal(str(rng.uniform(0.9, 1.9)))).quantize(CENT)
        rows.append(_report(project, date(year - 1, month, 1), last, rng))
    _monotone_progress(rows, rng)
    return rows


def leave_last_month_open(today: date) -> None:
    """The steward's and the unit's day: of 发改局's projects, last month's report is still to come for three,
    waits for the unit's review for two and was returned for one. Only a month after June is touched, so the
    first half (the article's figures) stays as it is."""
    from wanghua.projects.queries import month_to_report

    last = month_to_report(today)
    if last.month <= 6:
        return
    open_reports = list(MonthlyReport.objects.filter(month=last, project__competent_unit__code="dept-drc")
                        .order_by("project__code")[:6])
    MonthlyReport.objects.filter(pk__in=[r.pk for r in open_reports[:3]]).delete()
    MonthlyReport.objects.filter(pk__in=[r.pk for r in open_reports[3:5]]).update(
        status=ReportStatus.SUBMITTED, reviewed_at=None)
    MonthlyReport.objects.filter(pk__in=[r.pk for r in open_reports[5:]]).update(
        status=ReportStatus.RETURNED, review_comment="本月完成投资与入统数据不一致，请核实后更正")


# 形象进度 in the order works happen: a project's reports never step back.
PROGRESS = ["场地平整完成", "桩基施工", "主体结构施工", "钢结构吊装", "设备安装调试", "室外配套施工"]


def _monotone_progress(rows: list[MonthlyReport], rng: random.Random) -> None:
    stage = rng.randint(0, 2)
    for row in sorted(rows, key=lambda r: r.month):
        row.progress = PROGRESS[stage]
        stage = min(len(PROGRESS) - 1, stage + rng.choice([0, 0, 1]))


def _report(project: Project, month: date, fai: Decimal, rng: random.Random) -> MonthlyReport:
    submitted = timezone.make_aware(datetime(month.year + month.month // 12, month.month % 12 + 1,
                                                      rng.randint(1, 7), 10))
    return MonthlyReport(project=project, month=month, fai=fai, progress=rng.choice(PROGRESS),
        next_steps="按计划推进", status=ReportStatus.APPROVED, submitted_at=submitted,
        late=submitted.day > 5, reviewed_at=submitted)


# The zone programmes the article names, with its figures per plant; the zone cards add them up.
# (code, name, list, zone, town, programme, stage, total 万元, MW, 万kWh a year, mu, m² revived, started, unit)
PROGRAMMES = [
    ("P-2021-01", "抚矿三峰垃圾焚烧发电项目", ProjectList.ATTRACTED, "edz", "演武街道", Programme.WASTE_TO_ENERGY,
     Stage.OPERATING, "57500", None, None, None, None, date(2021, 3, 1), "dept-edz"),
    ("P-2022-01", "晶科100MW光伏发电项目", ProjectList.ATTRACTED, "edz", "演武街道", Programme.PV, Stage.OPERATING,
     "40000", "100", "12000", None, None, date(2022, 4, 1), "dept-edz"),
    ("P-2022-02", "抚矿日拓100MW光伏发电项目", ProjectList.PLANNED, "edz", "演武街道", Programme.PV,
     Stage.OPERATING, "48500", "100", "12000", None, None, date(2022, 4, 15), "dept-edz"),
    ("P-2022-03", "抚矿日晨200MW光伏发电项目（西舍场，64个光伏方阵）", ProjectList.PLANNED, "edz", "演武街道",
     Programme.PV, Stage.CONTINUING, "98000", "200", "28000", "4686", None, date(2022, 9, 1), "dept-edz"),
    ("P-2023-01", "卓衣汇服装场", ProjectList.ATTRACTED, "west", "朴屯街道", Programme.IDLE_PROPERTY, Stage.OPERATING,
     "1500", None, None, None, "12000", date(2023, 3, 1), "dept-commerce"),
    ("P-2023-02", "国潮文化街区商业综合体（鑫明商场、华润万家闲置资产）", ProjectList.ATTRACTED, "west", "朴屯街道",
     Programme.IDLE_PROPERTY, Stage.CONTINUING, "3700", None, None, None, "26000", date(2023, 6, 20),
     "dept-commerce"),
]
CROPS = ["黄瓜", "番茄", "辣椒", "茄子", "豆角", "白菜", "萝卜", "草莓", "葡萄", "蓝莓", "香瓜", "西瓜", "玉米", "大豆",
         "谷子", "食用菌", "寒富苹果", "南果梨", "大樱桃", "花卉", "中药材", "甘薯"]
COOPERATIVE_COUNT = 25
KIND_NAMES: dict[str, str] = {ApplicationKind.FUNDS: "中省资金", ApplicationKind.BONDS: "专项债",
                              ApplicationKind.POLICY: "政策支持"}


def _amount(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


def build_programmes(year: int, zones: dict, steward: Person, leader: Person) -> None:
    """Plants and revived property from earlier years: they count on the zone cards, not in this year's starts."""
    for (code, name, plist, zone, town, programme, stage, total, mw, output, mu, area, started,
         unit) in PROGRAMMES:
        town_area = Region.objects.get(name=town, level=RegionLevel.STREET)
        lat, lon = geography.spot(town_area, random.Random(code))
        Project.objects.create(
            code=code, name=name, lat=lat, lon=lon, project_list=plist, zone=zones[zone],
            industry="新能源" if zone == "edz" else "商贸",
            sponsor=name.split("（")[0], continuing=stage == Stage.CONTINUING, stage=stage,
            total_investment=Decimal(total), annual_plan=Decimal(0) if stage == Stage.OPERATING
            else (Decimal(total) * Decimal("0.2")).quantize(CENT),
            planned_start=started, started_on=started, steward=steward, leader=leader,
            competent_unit=Unit.objects.get(code=unit), town=town_area,
            programme=programme, capacity_mw=_amount(mw), annual_output=_amount(output), land_mu=_amount(mu),
            revived_area_m2=_amount(area))


def build_cooperatives(rng: random.Random) -> None:
    """塔峪: 25 co-operatives (the two the district names, and more), 20+ crops between them."""
    tayu = Zone.objects.get(code="tayu")
    villages = list(Region.objects.filter(parent__name="塔峪镇"))
    existing = list(Unit.objects.filter(kind=UnitKind.COOPERATIVE, zone=tayu))
    used = {unit.name for unit in existing}
    for n in range(len(existing), COOPERATIVE_COUNT):
        village = villages[n % len(villages)]
        name = names.distinct(rng, lambda r, v=village: f"{v.name}{r.choice(CROPS)}种植专业合作社", used)
        existing.append(Unit.objects.create(code=f"coop-tayu-{n + 1:02d}", kind=UnitKind.COOPERATIVE, zone=tayu,
                                            name=name, region=village))
    rows = []
    for n, coop in enumerate(existing):
        crops = {CROPS[n % len(CROPS)], *rng.sample(CROPS, rng.randint(1, 2))}
        rows += [CooperativeCrop(cooperative=coop, crop=crop, area_mu=Decimal(rng.randint(20, 400))) for crop in crops]
    CooperativeCrop.objects.bulk_create(rows)


def _town(project: Project | None, rng: random.Random) -> Region:
    return project.town if project else rng.choice(list(Region.objects.filter(level=RegionLevel.STREET)))


def build_applications(projects: list[Project], year: int, today: date, rng: random.Random) -> None:
    """向上争取 this year: most decided (some granted), a few still awaiting an answer or in preparation."""
    higher = [p for p in projects if p.project_list == ProjectList.HIGHER]
    units = list(Unit.objects.filter(code__in=["dept-drc", "dept-finance", "dept-agri", "dept-edz",
                                               "dept-industry"]))
    statuses = [ApplicationStatus.WON] * 9 + [ApplicationStatus.REJECTED] * 2 + [ApplicationStatus.SUBMITTED] * 3 \
        + [ApplicationStatus.PREPARING] * 2
    rows = []
    for n, status in enumerate(statuses):
        project = higher[n] if n < len(higher) and n % 2 == 0 else None
        kind = rng.choice(ApplicationKind.values)
        requested = Decimal(rng.randrange(200, 8000, 50))
        submitted = date(year, rng.randint(1, max(1, today.month - 1)), rng.randint(1, 28))
        decided = min(today, date(submitted.year, submitted.month, 28)) if status in (
            ApplicationStatus.WON, ApplicationStatus.REJECTED) else None
        subject = project.name if project else rng.choice(["老旧小区改造", "城市更新", "乡村振兴", "产业园基础设施"])
        rows.append(Application(
            title=f"{subject}{KIND_NAMES[kind]}申请", kind=kind,
            level=rng.choice(["省发展改革委", "省财政厅", "国家发展改革委", "市财政局"]), project=project,
            unit=project.competent_unit if project else rng.choice(units), town=_town(project, rng),
            requested=requested, status=status,
            won=(requested * Decimal(str(rng.uniform(0.5, 1)))).quantize(Decimal(1)) if status ==
            ApplicationStatus.WON else Decimal(0),
            submitted_on=None if status == ApplicationStatus.PREPARING else submitted, decided_on=decided))
    Application.objects.bulk_create(rows)


def build_leads(projects: list[Project], zones: dict, year: int, today: date, rng: random.Random) -> None:
    """招商引资 pipeline: leads through negotiation to signed contracts; some landed as this year's projects."""
    attracted = [p for p in projects if p.project_list == ProjectList.ATTRACTED]
    units = {z: Unit.objects.get(code="dept-edz" if z == "edz" else "dept-commerce") for z in zones}
    stages = [LeadStage.LEAD] * 8 + [LeadStage.NEGOTIATION] * 8 + [LeadStage.SIGNED] * 8 + \
        [LeadStage.LANDED] * 4 + [LeadStage.DROPPED] * 2
    rows, used = [], {p.name for p in projects}
    for n, stage in enumerate(stages):
        landed = attracted[n % len(attracted)] if stage == LeadStage.LANDED else None
        zone = landed.zone.code if landed else rng.choice(["edz", "edz", "west", "belt", "tayu"])
        contacted = date(year, rng.randint(1, max(1, today.month - 2)), rng.randint(1, 28))
        signed = min(today, date(contacted.year, min(12, contacted.month + 1), 15)) \
            if stage in (LeadStage.SIGNED, LeadStage.LANDED) else None
        field = rng.choice(["新材料", "新能源", "商贸物流", "农产品加工"])
        brand = rng.choice(names.BRANDS)
        investor = names.investor(rng, brand)
        rows.append(Lead(
            name=landed.name if landed else names.distinct(
                rng, lambda r, f=field: f"{r.choice(names.BRANDS)}{f}{r.choice(['产业园', '基地', '项目'])}", used),
            investor=landed.sponsor if landed else investor,
            industry=landed.industry if landed else rng.choice(["新能源", "新材料", "商贸物流", "现代农业"]),
            zone=zones[zone], unit=landed.competent_unit if landed else units[zone], town=_town(landed, rng),
            amount=landed.total_investment if landed else Decimal(rng.randrange(3000, 60000, 100)),
            stage=stage, contacted_on=contacted, signed_on=signed, project=landed,
            landed_on=signed if landed else None))
    Lead.objects.bulk_create(rows)


def build_issues_and_services(projects: list[Project], today: date, rng: random.Random) -> None:
    """问题清单 and 服务事项: most issues resolved by their deadline, some late, a few open and escalated."""
    owners = list(Unit.objects.filter(code__in=["dept-drc", "dept-housing", "dept-business", "dept-finance",
                                                "dept-edz", "dept-commerce"]))
    recorder = User.objects.get(username="steward")
    issues, records = [], []
    for n, project in enumerate(rng.sample(projects, 24)):
        raised = timezone.make_aware(datetime(today.year, rng.randint(1, max(1, today.month - 1)),
                                                       rng.randint(1, 20), 9))
        deadline = raised.date() + timedelta(days=rng.randint(10, 40))
        issue = ProjectIssue(project=project, category=rng.choice(IssueCategory.values), owner_unit=rng.choice(owners),
                             description=rng.choice(["建设用地指标待落实", "施工许可手续办理", "专项资金拨付",
                                                     "10千伏电力接入", "供水管网接驳", "环评批复"]),
                             deadline=deadline, raised_at=raised)
        if n % 4 != 3 and deadline < today:  # resolved: three in four on time
            resolved = deadline - timedelta(days=rng.randint(0, 8)) if n % 4 else deadline + timedelta(days=5)
            issue.status, issue.resolution = IssueStatus.CONFIRMED, "已协调解决"
            issue.resolved_at = timezone.make_aware(datetime(resolved.year, resolved.month, resolved.day, 16))
            issue.confirmed_at, issue.confirmation = issue.resolved_at, "企业确认"
        elif deadline < today:
            issue.escalated_at = timezone.make_aware(datetime(deadline.year, deadline.month, deadline.day,
                                                                       23)) + timedelta(hours=1)
        issues.append(issue)
    for project in rng.sample(projects, 30):
        records.append(ServiceRecord(project=project, kind=rng.choice(ServiceKind.values), unit=project.competent_unit,
                                     served_on=today - timedelta(days=rng.randint(1, 150)), recorded_by=recorder,
                                     description=rng.choice(["入企走访，了解项目需求", "代办施工许可手续",
                                                             "召开项目推进协调会", "宣讲惠企政策"])))
    ProjectIssue.objects.bulk_create(issues)
    ServiceRecord.objects.bulk_create(records)
