"""The demo's 雷锋文化核心区: the three 事迹原点 the article names (his barracks, the savings office he used, the bank
from which he sent money to comrades in a disaster area) on a study route, a year of plaque visits, the four role
models the article names as nominations that went the whole way (community → street → 文明办 → 公示 → 认定), a
few nominations still under way, and volunteer points earned from civic's checked-out hours and spent at 积分超市.

Locations are taken inside the communities' own outlines, whatever geography the demo holds."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from wanghua.civic.models import Activity, SignUp
from wanghua.core import audit
from wanghua.culture import services
from wanghua.culture.models import (
    Goods,
    HeritageSite,
    Nomination,
    NominationStatus,
    PointsAccount,
    PointsRule,
    SiteVisit,
    StudyRoute,
)
from wanghua.org.geo import contains
from wanghua.org.models import Person, Region, RegionLevel, Unit, UnitKind

ARTICLE = "《望花区：一核引领“六望花” 奋跃而上启新程》"
SITES = [
    ("雷锋营房旧址", "雷锋", "雷锋社区内", "08:30-16:30",
     "雷锋社区是当年雷锋营房所在地。雷锋在望花度过了2年4个月的时光，社区里的老人还依稀记得当时雷锋的模样。"),
    ("雷锋常去的储蓄所旧址", "和平", "和平路", "09:00-16:00",
     "雷锋生前常去这里的储蓄所，把省下的津贴存起来，又把积蓄用在需要帮助的人身上。"),
    ("雷锋汇款银行旧址", "新华", "新华大街", "09:00-16:00",
     "雷锋在这里的银行给灾区的战友汇款，这份记忆如今成为望花区城市形象标识的重要内容。"),
]
# name, honour, category, the community's name contains, deed
ROLE_MODELS = [
    ("吴振华", "党的二十大代表、雷锋社区书记", "post", "雷锋",
     "积极打造雷锋社区品牌，广泛开展志愿服务，带领社区党员家庭代办站为居民办实事。"),
    ("刁克剑", "大国工匠", "dedicated", "",
     "坚持自主创新，拥有多项实用技术发明，却未注册一项个人专利，把技术无私传给工友。"),
    ("张雅丽", "乡村教师", "brave", "",
     "一通电话救回5个鲜活生命：发现险情后第一时间报警并组织疏散。"),
    ("孙晓翠", "全国三八红旗手", "helping", "",
     "视居民为亲人，扎根基层服务百姓，多年如一日为困难群众解难题。"),
]
GOODS = [("洗衣液", 30, 40), ("大米（5斤）", 50, 30), ("毛巾", 15, 60), ("雷锋精神读本", 20, 25)]


def _inside(region: Region, rng: random.Random) -> tuple[Decimal, Decimal]:
    """A point inside the community's outline (its box's middle when it has none)."""
    outline = region.geojson
    if not outline:
        return Decimal("123.820000"), Decimal("41.860000")
    geometry = outline.get("geometry") if outline.get("type") == "Feature" else outline
    ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    for _ in range(200):
        lon, lat = rng.uniform(min(lons), max(lons)), rng.uniform(min(lats), max(lats))
        if contains(outline, lon, lat):
            return Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")
    return Decimal(f"{(min(lons) + max(lons)) / 2:.6f}"), Decimal(f"{(min(lats) + max(lats)) / 2:.6f}")


def _community(name_part: str, rng: random.Random, communities: list[Region]) -> Region:
    named = [c for c in communities if name_part and name_part in c.name]
    return named[0] if named else rng.choice(communities)


def build(rng: random.Random) -> None:
    if Nomination.objects.filter(nominee_name="吴振华").exists():
        return  # built before: the demo is idempotent
    User = get_user_model()
    admin, office = User.objects.get(username="admin"), User.objects.get(username="wenming")
    resident = User.objects.get(username="resident")
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code"))
    with audit.acting_as(None), audit.labelled(audit.Label.DEMO, "generated the culture demo"):
        sites = _sites(office, rng, communities)
        services.create_route(office, name="雷锋足迹研学路线", sites=sites,
                              description="营房—储蓄所—银行：沿着雷锋在望花的足迹研学。")
        _visits(rng, sites)
        _role_models(rng, admin, office, resident, communities)
        _under_way(rng, admin, resident, communities)
        _points(rng, office, admin, communities)


def _sites(office, rng: random.Random, communities: list[Region]) -> list[HeritageSite]:
    sites = []
    for name, where, address, hours, story in SITES:
        community = _community(where, rng, communities)
        longitude, latitude = _inside(community, rng)
        sites.append(services.create_site(office, name=name, address=f"{community.name}{address}",
                                          community=community, longitude=longitude, latitude=latitude, story=story,
                                          source=ARTICLE, opening_hours=hours))
    return sites


def _visits(rng: random.Random, sites: list[HeritageSite]) -> None:
    """A year of scans: more on weekends, most in March (学雷锋月) and on 3月5日."""
    today = timezone.localdate()
    rows = []
    for site in sites:
        for back in range(365, 0, -1):
            day = today - timedelta(days=back)
            base = 12 if day.weekday() >= 5 else 5
            base *= 4 if day.month == 3 else 1
            base *= 5 if (day.month, day.day) == (3, 5) else 1
            at = timezone.make_aware(datetime.combine(day, time(10)))
            rows += [SiteVisit(site=site, day=day, device=f"demo-{site.pk}-{day:%Y%m%d}-{n}", visited_at=at)
                     for n in range(rng.randint(base // 2, base))]
    SiteVisit.objects.bulk_create(rows, batch_size=5000)


def _walk(nomination: Nomination, admin, office, *, objection: str = "", answer: str = "") -> Nomination:
    """Community, street and 文明办 review, the 公示 (with its objection, answered), then recognition."""
    services.approve_nomination(admin, nomination.pk, opinion="事迹属实，同意推荐")
    services.approve_nomination(admin, nomination.pk, opinion="同意上报")
    services.approve_nomination(office, nomination.pk, opinion="同意公示")
    if objection:
        filed = services.file_objection(None, nomination.pk, text=objection)
        services.answer_objection(office, filed.pk, answer=answer)
    return nomination


def _role_models(rng: random.Random, admin, office, resident, communities: list[Region]) -> None:
    today = timezone.localdate()
    for n, (name, title, category, where, deed) in enumerate(ROLE_MODELS):
        community = _community(where, rng, communities)
        nomination = services.nominate(resident, nominee_name=name, community=community, category=category,
                                       deed=deed, deed_date=today - timedelta(days=400 + 30 * n), title=title)
        asked = {"objection": "事迹是否属实？", "answer": "经社区、街道逐级核实，事迹属实。"} if n == 1 else {}
        _walk(nomination, admin, office, **asked)
        # The 公示 happened months ago: move its dates back, then recognise.
        ends = today - timedelta(days=200 - 20 * n)
        Nomination.objects.filter(pk=nomination.pk).update(
            submitted_at=timezone.now() - timedelta(days=260 - 20 * n), publicity_starts=ends - timedelta(days=7),
            publicity_ends=ends)
        services.recognise_nomination(office, nomination.pk)
        Nomination.objects.filter(pk=nomination.pk).update(recognised_on=ends + timedelta(days=3))


def _under_way(rng: random.Random, admin, resident, communities: list[Region]) -> None:
    """Nominations at each step, so every reviewer's list has work: one on 公示 with an open objection."""
    leifeng = _community("雷锋", rng, communities)
    waiting = services.nominate(resident, nominee_name="李热心", community=leifeng, category="helping",
                                deed="坚持为楼里独居老人送菜送药三年。",
                                deed_date=timezone.localdate() - timedelta(days=20))
    at_street = services.nominate(resident, nominee_name="赵诚信", community=leifeng, category="honest",
                                  deed="捡到装有两万元现金的提包，原地等候失主两小时。",
                                  deed_date=timezone.localdate() - timedelta(days=40))
    services.approve_nomination(admin, at_street.pk, opinion="属实")
    notice = services.nominate(resident, nominee_name="钱孝亲", community=leifeng, category="filial",
                               deed="十五年照顾瘫痪在床的婆婆。", deed_date=timezone.localdate() - timedelta(days=90))
    for _step in range(3):
        services.approve_nomination(admin, notice.pk, opinion="同意")
    services.file_objection(None, notice.pk, text="希望公布更多事迹细节。")
    assert waiting.status == NominationStatus.SUBMITTED


def _points(rng: random.Random, office, admin, communities: list[Region]) -> None:
    PointsRule.objects.exists() or services.set_rule(office, points_per_hour=10, bonus_month=3, bonus_day=5,
                                                     bonus_per_hour=10, bonus_keyword="雷锋")
    volunteer = Person.objects.get(user__username="volunteer")
    team = volunteer.unit or Unit.objects.filter(kind=UnitKind.VOLUNTEER_TEAM).first()
    if team is None:  # no volunteer teams: the civic demo made none
        return
    year = timezone.localdate().year
    lei_feng_day = date(year if timezone.localdate() >= date(year, 3, 5) else year - 1, 3, 5)
    for day, title, hours in ((lei_feng_day, "学雷锋纪念日志愿服务", "3.00"),
                              (timezone.localdate() - timedelta(days=12), "助老送餐", "2.00"),
                              (timezone.localdate() - timedelta(days=5), "文明交通劝导", "2.50")):
        starts = timezone.make_aware(datetime.combine(day, time(9)))
        activity = Activity.objects.create(team=team, title=title, community=team.region, place="雷锋广场",
                                           starts_at=starts, ends_at=starts + timedelta(hours=4), capacity=30)
        SignUp.objects.create(activity=activity, person=volunteer, checked_in_at=starts,
                              checked_out_at=starts + timedelta(hours=float(hours)), hours=Decimal(hours))
    with audit.batched():
        services.award_points()
    shops = [_community("雷锋", rng, communities), *rng.sample(communities, 3)]
    for community in dict.fromkeys(shops):
        for name, points, stock in GOODS:
            services.add_goods(admin, community=community, name=name, points=points, stock=stock)
    volunteer_user = volunteer.user
    towel = Goods.objects.filter(community=shops[0], name="毛巾").first()
    if towel is not None and volunteer_user is not None:
        services.redeem(volunteer_user, goods_id=towel.pk, quantity=2)
    others = list(PointsAccount.objects.exclude(person=volunteer).order_by("pk"))
    for account in rng.sample(others, min(30, len(others))):
        goods = rng.choice(list(Goods.objects.filter(points__lte=account.balance))) if account.balance >= 15 else None
        if goods is not None:
            services.redeem(admin, goods_id=goods.pk, account_id=account.pk)
    assert StudyRoute.objects.exists()
