"""The demo's 民生·创城: the article's livelihood commitments with their progress, the 十项创城攻坚行动 with the
cases they took on, 150 volunteer teams and their 420 activities. The article's tallies — 405 road occupations
and 店外经营 put right, 270 vendors and shops corrected, 150 teams, 420 activities — come out of the records when
counted; nothing here types a total in."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from wanghua.civic import tally
from wanghua.civic.models import (
    Activity,
    CampaignAction,
    Case,
    CaseCategory,
    CaseEvent,
    CaseSource,
    CaseStatus,
    CaseStep,
    Commitment,
    Milestone,
    ProgressReport,
    SignUp,
)
from wanghua.civic.services.commitments import status as commitment_status
from wanghua.civic.workhours import add_working_hours
from wanghua.core import audit
from wanghua.core.models import User
from wanghua.org.models import Person, Region, RegionLevel, Unit, UnitKind

from . import geography, names, stations_demo

# (大类 code, name, kind, [(小类 code, name, working hours to handle)])
CATEGORIES = [
    ("street-order", "街面秩序", "event", [("road-occupation", "占道经营", 4), ("shop-front", "店外经营", 4),
                                         ("vendors", "流动摊贩", 2), ("parking-mess", "乱停乱放", 2)]),
    ("environment", "市容环境", "event", [("litter", "暴露垃圾", 4), ("ads", "小广告", 8),
                                        ("debris", "积存垃圾渣土", 16)]),
    ("traffic", "交通秩序", "event", [("car-parking", "机动车违停", 2), ("bike-parking", "非机动车乱停", 4)]),
    ("facilities", "公用设施", "component", [("manhole", "井盖缺失", 2), ("street-lamp", "路灯损坏", 24)]),
]
# What a report of each 小类 says: drawn per category, so a case describes what it is filed as.
DESCRIPTIONS = {
    "road-occupation": ["占道摆摊经营，占用人行道", "早市摊位越线占道经营", "水果摊占用人行道经营",
                        "夜市摊点占道经营，影响通行"],
    "shop-front": ["商铺门前店外经营，货物摆上人行道", "饭店门前占道摆桌经营", "超市门前堆放货物出店经营",
                   "修车铺在店外占道作业"],
    "vendors": ["流动摊贩沿街叫卖", "流动摊贩占用人行道", "三轮车流动售卖果蔬", "流动摊点聚集，影响通行"],
    "parking-mess": ["车辆乱停乱放，堵塞通道", "共享单车乱停乱放", "车辆停放在消防通道", "路口车辆乱停，影响通行"],
    "litter": ["路边暴露垃圾未清运", "垃圾桶满溢，垃圾散落地面", "绿化带内暴露垃圾", "垃圾散落在人行道上"],
    "ads": ["电线杆上张贴小广告", "单元门口张贴小广告", "墙面喷涂小广告", "公交站牌张贴小广告"],
    "debris": ["装修渣土堆放在楼道口", "路边积存建筑垃圾渣土", "空地长期堆放垃圾渣土", "渣土堆放未覆盖，扬尘严重"],
    "car-parking": ["机动车违停在人行道上", "机动车违停堵塞路口", "机动车占用盲道停放", "公交站台前机动车违停"],
    "bike-parking": ["非机动车乱停堵塞人行道", "电动车乱停在楼道口", "非机动车堆放堵塞盲道", "非机动车乱停在公交站台"],
    "manhole": ["井盖缺失，有安全隐患", "井盖破损，有安全隐患", "雨水井盖丢失", "井盖松动，车辆经过有响声"],
    "street-lamp": ["路灯不亮", "路灯损坏，夜间照明不足", "路灯灯杆倾斜", "一排路灯白天常亮"],
}

# The 十项创城攻坚行动 and the 小类 each takes on; the two with the article's tallies come first.
ACTIONS = [
    ("occupation", "占道经营整治行动", ["road-occupation", "shop-front"]),
    ("market", "集贸市场规范整治行动", ["vendors"]),
    ("parking", "乱停乱放整治行动", ["parking-mess", "bike-parking"]),
    ("sanitation", "环境卫生整治行动", ["litter", "debris", "ads"]),
    ("traffic", "交通秩序整治行动", ["car-parking"]),
    ("facilities", "市政设施修缮行动", ["manhole", "street-lamp"]),
    ("greening", "街路绿化亮化行动", []),
    ("cleaning", "扫保体制改革行动", []),
    ("parking-spaces", "停车难治理行动", []),
    ("volunteers", "志愿服务助创行动", []),
]
FRACTIONAL_UNITS = {"%"}
PUT_RIGHT = {"occupation": 405, "market": 272}  # the article: 405 处, 270余人次
OTHER_CASES = 260
TEAMS, ACTIVITIES = 152, 423  # the article: 150余支, 420余场次

# The 民生清单 the article lists: (title, target, unit, responsible department, share delivered by now)
COMMITMENTS = [
    ("老旧小区改造：6个社区56栋楼，惠及居民5034户", 56, "栋", "dept-housing", 0.7),
    ("完成12个社区“四根管”维修更换", 12, "个社区", "dept-housing", 1.0),
    ("塔峪镇安全饮水提升改造：农村集中供水水质达标率", 90, "%", "dept-agri", 1.0),
    ("打造口袋公园3处，总面积3000余平方米", 3, "处", "dept-urban", 1.0),
    ("光明小学改建项目投入使用（投资6400万元）", 1, "所", "dept-education", 1.0),
    ("新建公办幼儿园1所，增加学位360个", 360, "个学位", "dept-education", 0.5),
    ("建设望花区公办养老机构", 1, "所", "dept-civil", 0.3),
    ("试点建设“社区食堂”", 2, "处", "dept-civil", 1.0),
    ("建设6处适老活动场所（投资600余万元）", 6, "处", "dept-civil", 0.67),
    ("每月开展1次专家进社区便民巡诊", 12, "次", "dept-health", 0.9),
]


def build(rng: random.Random) -> None:
    if CaseCategory.objects.exists():
        return
    year = timezone.localdate().year
    with audit.summarised(audit.Label.DEMO,
                          "generated the civic demo: commitments, campaign actions, cases, volunteers"):
        categories = _categories()
        actions = _actions(year, categories)
        _cases(rng, year, categories, actions)
        _grid_cases(categories, rng)
        _commitments(rng, year)
        _volunteers(rng, year, actions)


def _categories() -> dict[str, CaseCategory]:
    found = {}
    urban = Unit.objects.filter(code="dept-urban").first()
    for code, name, kind, children in CATEGORIES:
        main = CaseCategory.objects.create(code=code, name=name, kind=kind)
        for child_code, child_name, hours in children:
            attributes = [{"code": "vehicle", "description": "车辆类型", "datatype": "singlevaluelist",
                           "required": True, "values": [{"key": "car", "name": "机动车"},
                                                        {"key": "bike", "name": "非机动车"}]}] \
                if child_code == "parking-mess" else []
            found[child_code] = CaseCategory.objects.create(code=child_code, name=child_name, kind=kind, parent=main,
                                                            handle_hours=hours, default_unit=urban,
                                                            attributes=attributes)
    return found


def _actions(year: int, categories: dict) -> dict[str, CampaignAction]:
    actions = {}
    for code, name, takes_on in ACTIONS:
        action = CampaignAction.objects.create(code=code, name=name, year=year)
        action.categories.set([categories[c] for c in takes_on])
        actions[code] = action
    return actions


def _moment(rng: random.Random, year: int) -> datetime:
    today = timezone.localdate()
    day = date(year, 1, 1) + timedelta(days=rng.randrange(max(1, (today - date(year, 1, 1)).days - 3)))
    return datetime.combine(day, time(rng.randint(7, 17), rng.randint(0, 59)), timezone.get_current_timezone())


def _cases(rng: random.Random, year: int, categories: dict, actions: dict) -> None:
    """Cases reported by grid inspectors, residents and the hotline; those of the two campaign actions put
    right, the others at every stage."""
    places = list(Region.objects.filter(level=RegionLevel.COMMUNITY).exclude(parent__name="塔峪镇").order_by("code"))
    units = [Unit.objects.get(code=code) for code in ("dept-urban", "dept-market", "dept-housing")]  # 城管局 first
    command = User.objects.filter(username="command").first()
    action_of = {category: actions[code] for code, _name, takes_on in ACTIONS for category in takes_on}
    plan = [(categories[rng.choice(takes_on)], CaseStatus.CLOSED) for code, _name, takes_on in ACTIONS
            for _ in range(PUT_RIGHT.get(code, 0))]
    other = [c for c in categories.values() if c.code not in {"road-occupation", "shop-front", "vendors"}]
    statuses = [CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.HANDLED,
                CaseStatus.CLOSED, CaseStatus.CLOSED, CaseStatus.CLOSED, CaseStatus.REJECTED]
    plan += [(rng.choice(other), rng.choice(statuses)) for _ in range(OTHER_CASES)]
    cases: list[Case] = []
    numbers: dict[str, int] = {}
    for category, status in plan:
        reported = _moment(rng, year)
        day = timezone.localtime(reported).strftime("%Y%m%d")
        numbers[day] = numbers.get(day, 0) + 1
        street = rng.choice(["丹东路", "北镇街", "工农路", "和平路"])
        case = Case(number=f"{day}{numbers[day]:05d}", category=category,
                    description=rng.choice(DESCRIPTIONS[category.code]),
                    source=rng.choice([CaseSource.GRID] * 5 + [CaseSource.RESIDENT, CaseSource.HOTLINE,
                                                               CaseSource.VIDEO]),
                    community=(place := rng.choice(places)), address=f"{street}{rng.randint(1, 200)}号",
                    status=status, reported_at=reported, public_token=secrets.token_urlsafe(18),
                    accept_due_at=add_working_hours(reported, category.accept_hours))
        case.lat, case.lon = geography.spot(place, rng)
        _advance(case, status, rng, units, action_of.get(category.code))
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=1000)
    CaseEvent.objects.bulk_create([e for case in cases for e in _journal(case, command)], batch_size=2000)
    tally.rebuild()


# What the grid inspector `grid` reported in 朝阳社区第1网格 this week, through the services (with photos): two new,
# one waiting for dispatch, one with the unit, three handled and waiting for her 核查 on site, one closed.
GRID_CASES = [
    ("vendors", "朝阳市场西侧", "流动摊贩占用人行道", CaseStep.ACCEPT),
    ("debris", "朝阳社区5号院", "装修渣土堆放在楼道口", CaseStep.ACCEPT),
    ("street-lamp", "朝阳街口", "路灯不亮", CaseStep.DISPATCH),
    ("manhole", "朝阳街3号", "井盖破损，有安全隐患", CaseStep.HANDLE),
    ("litter", "和平路18号楼下", "垃圾桶满溢，垃圾散落地面", CaseStep.CLOSE),
    ("ads", "和平路22号单元门", "单元门口张贴小广告", CaseStep.CLOSE),
    ("bike-parking", "朝阳市场东门", "非机动车堆放堵塞盲道", CaseStep.CLOSE),
    ("litter", "朝阳街9号", "绿化带内暴露垃圾", None),
]


def _scene(colour: str, cleared: bool):
    """A photo as a phone would send it: a street (grey), and the problem on it (a coloured heap) unless cleared."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), "#8fa3b0")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 160, 320, 240), fill="#6b6b6b")
    if not cleared:
        draw.ellipse((110, 120, 230, 200), fill=colour)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _grid_cases(categories: dict, rng: random.Random) -> None:
    from wanghua.civic.services import cases as services

    grid_user, command, unit_user = (User.objects.filter(username=name).first() for name in ("grid", "command", "dept"))
    grid = Region.objects.filter(name="朝阳社区第1网格").first()
    if not (grid_user and command and unit_user and grid):
        return
    for code, address, description, stop_before in GRID_CASES:
        lat, lon = geography.spot(grid.parent, rng)  # a grid has no outline of its own: a spot in its community
        case = services.report_case(grid_user, source=CaseSource.GRID, category=categories[code], address=address,
                                    description=description, community=grid, lat=lat, lon=lon,
                                    photo=_scene("#b5651d", False))
        if stop_before == CaseStep.ACCEPT:
            continue
        services.accept_case(command, case.pk, accept=True)
        if stop_before == CaseStep.DISPATCH:
            continue
        services.dispatch_case(command, case.pk, unit=categories[code].default_unit)
        if stop_before == CaseStep.HANDLE:
            continue
        services.handle_case(unit_user, case.pk, note="已清理完毕", photo=_scene("#b5651d", True))
        if stop_before is None:
            services.verify_case(grid_user, case.pk, passed=True, note="现场核查已整改到位")


def _advance(case: Case, status: str, rng: random.Random, units: list, action) -> None:
    """Fill the times of the stages a case has passed; about one in eight handled cases needed a rework."""
    if status in (CaseStatus.REPORTED,):
        return
    case.accepted_at = case.reported_at + timedelta(minutes=rng.randint(5, 50))
    if status == CaseStatus.REJECTED:
        case.accepted_at, case.closed_at = None, case.reported_at + timedelta(minutes=rng.randint(5, 50))
        return
    case.action = action
    if status == CaseStatus.ACCEPTED:
        return
    case.unit = units[0] if case.category.code != "vendors" else rng.choice(units[:2])
    case.dispatched_at = case.accepted_at + timedelta(minutes=rng.randint(5, 40))
    case.due_at = add_working_hours(case.dispatched_at, case.category.handle_hours)
    if status == CaseStatus.DISPATCHED:
        return
    case.reworks = 1 if rng.random() < 0.12 else 0
    late = rng.random() < 0.1
    span = case.due_at - case.dispatched_at
    case.handled_at = case.dispatched_at + (span * rng.uniform(1.1, 1.5) if late else span * rng.uniform(0.2, 0.9))
    if status == CaseStatus.CLOSED:
        case.closed_at = case.handled_at + timedelta(hours=rng.uniform(0.5, 6))


def _journal(case: Case, command) -> list[CaseEvent]:
    steps = [("report", case.reported_at, None), ("accept", case.accepted_at, None),
             ("dispatch", case.dispatched_at, case.unit), ("handle", case.handled_at, case.unit),
             ("close" if case.status == CaseStatus.CLOSED else "", case.closed_at, None)]
    if case.status == CaseStatus.REJECTED:
        steps = [("report", case.reported_at, None), ("reject", case.closed_at, None)]
    return [CaseEvent(case=case, step=step, at=at, unit=unit, actor=command if step != "report" else None)
            for step, at, unit in steps if step and at]


def _commitments(rng: random.Random, year: int) -> None:
    reporter = User.objects.filter(username="dept").first() or User.objects.filter(is_superuser=True).first()
    district = Region.objects.filter(level=RegionLevel.DISTRICT).first()
    today = timezone.localdate()
    for title, target, unit_word, unit_code, share in COMMITMENTS:
        commitment = Commitment.objects.create(  # type: ignore[misc]  # the demo district exists
            year=year, title=title, target=Decimal(target), target_unit=unit_word, region=district,
            unit=Unit.objects.get(code=unit_code), budget=Decimal(rng.randrange(200, 6400, 50)),
            deadline=date(year, 12, 31))
        Milestone.objects.create(commitment=commitment, title="完成方案和招标", due=date(year, 4, 30),
                                 done_on=date(year, 4, rng.randint(10, 28)))
        Milestone.objects.create(commitment=commitment, title="主体完工", due=date(year, 10, 31),
                                 done_on=date(year, 10, rng.randint(1, 28)) if share >= 0.6 else None)
        # 栋, 处, 所, 次 … are counted in whole units; only a rate (%) has decimals
        grain = Decimal("0.01") if unit_word in FRACTIONAL_UNITS else Decimal(1)
        delivered = (Decimal(target) * Decimal(str(share))).quantize(grain, ROUND_DOWN)
        for step in (Decimal("0.3"), Decimal("0.7"), Decimal(1)):
            value = min(delivered, (delivered * step).quantize(grain, ROUND_DOWN))
            ProgressReport.objects.create(commitment=commitment, delivered=value, note="按计划推进",
                                          reported_on=min(today, date(year, int(3 + step * 7), 15)),
                                          reported_by=reporter)
        commitment.delivered = delivered
        commitment.delivered_on = today if delivered >= commitment.target else None
        commitment.status = commitment_status(commitment)  # generated history, as a bulk load: the status it led to
        commitment.save()


def _volunteers(rng: random.Random, year: int, actions: dict) -> None:
    """150-odd teams (the two the district names among them) and 420-odd activities with sign-ups and hours."""
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY))
    teams = list(Unit.objects.filter(kind=UnitKind.VOLUNTEER_TEAM))
    used = {team.name for team in teams}
    for n in range(len(teams), TEAMS):
        community = communities[n % len(communities)]
        name = names.distinct(rng, lambda r, c=community: f"{c.name}{r.choice(names.TEAM_THEMES)}志愿服务队", used)
        teams.append(Unit.objects.create(code=f"vt-{n + 1:03d}", name=name, kind=UnitKind.VOLUNTEER_TEAM,
                                         region=community))
    people = list(Person.objects.filter(unit__kind=UnitKind.VOLUNTEER_TEAM))
    for team in teams[:40]:  # members for the first teams, so sign-ups have people
        people += Person.objects.bulk_create([Person(name=rng.choice(stations_demo.SURNAMES) + rng.choice(
            stations_demo.GIVEN), unit=team, region=team.region) for _ in range(5)])
    titles = [("文明交通劝导", "traffic"), ("清理小广告", "sanitation"), ("环境卫生大扫除", "sanitation"),
              ("文明养犬宣传", None), ("助老送餐", None), ("占道经营劝导", "occupation")]
    activities, now = [], timezone.now()
    for n in range(ACTIVITIES):
        team = teams[n % len(teams)]
        starts = _moment(rng, year).replace(hour=rng.choice([8, 9, 14, 15]), minute=0)
        title, action = rng.choice(titles)
        activities.append(Activity(team=team, title=title, community=team.region if team.region.level ==
                                   RegionLevel.COMMUNITY else rng.choice(communities), place="社区广场",
                                   starts_at=starts, ends_at=starts + timedelta(hours=2),
                                   capacity=rng.randint(5, 20), action=actions.get(action) if action else None))
    Activity.objects.bulk_create(activities)
    signups = []
    for activity in activities:
        for person in rng.sample(people, min(len(people), rng.randint(2, 5))):
            if activity.ends_at < now:
                signups.append(SignUp(activity=activity, person=person, checked_in_at=activity.starts_at,
                                      checked_out_at=activity.ends_at, hours=Decimal("2.00")))
            else:
                signups.append(SignUp(activity=activity, person=person))
    SignUp.objects.bulk_create(signups, batch_size=2000)
