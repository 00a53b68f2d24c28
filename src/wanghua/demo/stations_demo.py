"""The demo district's 党员家庭代办站: 361 stations covering all 90 villages/communities, their
agents and residents, and seven years of errands — the lead agent of 雷锋社区 ran 6,000+ of them.
All figures the dashboard shows are counted from these records."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from wanghua.core import audit
from wanghua.org.models import Person, Region, RegionLevel, Unit, UnitKind
from wanghua.stations import tally
from wanghua.stations.models import Errand, ErrandStatus, LedgerEntry, LedgerKind, Resident, Station

from . import names

STATIONS_TOTAL = 361
LEAD_COMMUNITY = "雷锋社区"
LEAD_STATION_CODE = "st-210404004010-01"  # 雷锋社区's official code
LEAD_AGENT_ERRANDS = 6_400
OTHER_ERRANDS_PER_STATION = 24
RESIDENTS_PER_STATION = 20
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ["秀英", "桂兰", "建国", "玉梅", "志强", "海燕", "丽华", "国华", "春梅", "卫东", "淑珍", "振华", "凤英",
         "德胜", "素芬", "长海", "玉兰", "宝山", "金花", "福林"]
ERRANDS = {
    "documents": ["代办老年优待证", "代办身份证换领预约", "代办医保卡补办", "代办残疾证年审", "代领高龄补贴证明"],
    "collect_fees": ["代收报刊订阅费", "代收社区活动费", "代收助餐费"],
    "shopping": ["代买米面油", "代买降压药", "代买蔬菜水果", "代买日用品", "代买助听器电池"],
    "pay_bills": ["代缴燃气费", "代缴电费", "代缴水费", "代缴供暖费", "代缴有线电视费", "代缴电话费"],
    "other": ["陪同就医", "联系维修水管", "代办快递寄送", "协助智能手机挂号"],
}
MONEY_CATEGORIES = {"collect_fees", "shopping", "pay_bills"}


def build_stations(regions: dict[str, Region], rng: random.Random) -> Station:
    """361 stations: five in 雷锋社区 (where the first one opened in July 2013), four elsewhere."""
    # The district's own 90 (a 托管 street's villages/communities are run by another body)
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY, parent__entrusted_to="").order_by("code"))
    lead = regions[LEAD_COMMUNITY]
    counts = {c.pk: 4 for c in communities}
    counts[lead.pk] += STATIONS_TOTAL - sum(counts.values())
    hosts: dict[int, set[str]] = {lead.pk: {"刘全国"}}  # each community's hosts: one 王秀英家 per community
    for community in communities:
        for number in range(1, counts[community.pk] + 1):
            code = f"st-{community.code}-{number:02d}"
            host = "刘全国" if code == LEAD_STATION_CODE else names.distinct(
                rng, lambda r: r.choice(SURNAMES) + r.choice(GIVEN), hosts.setdefault(community.pk, set()))
            unit, _ = Unit.objects.update_or_create(code=code, defaults={
                "name": f"{community.name}{host}家党员家庭代办站", "kind": UnitKind.STATION, "region": community,
                "zone": community.zone, "short_name": f"{host}家"})
            Station.objects.update_or_create(unit=unit, defaults={
                "community": community, "host_household": f"{host}家", "phone": f"0413-{rng.randint(5000000, 5999999)}",
                "address": f"{community.name}{rng.randint(1, 60)}号楼{rng.randint(1, 6)}单元",
                "opened_on": datetime(2013, 7, 1).date() if code == LEAD_STATION_CODE
                else datetime(2014 + rng.randint(0, 8), rng.randint(1, 12), 1).date()})
    return Station.objects.get(unit__code=LEAD_STATION_CODE)


def build_agents(lead_agent: Person, rng: random.Random) -> None:
    """Every station gets its host as agent; the lead station's agent is the demo login 刘全国."""
    lead = Station.objects.get(unit__code=LEAD_STATION_CODE)
    lead.agents.add(lead_agent)
    for station in Station.objects.exclude(pk=lead.pk).filter(agents__isnull=True).select_related("community"):
        agent = Person.objects.create(name=station.host_household.removesuffix("家"), region=station.community,
                                      title="党员家庭代办员", party_member=True,
                                      phone=f"139{rng.randint(10000000, 99999999)}")
        station.agents.add(agent)


def build_residents(rng: random.Random) -> None:
    rows = []
    for station in Station.objects.select_related("community"):
        for _ in range(RESIDENTS_PER_STATION):
            born = rng.randint(1928, 1975)
            rows.append(Resident(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN), station=station, community=station.community,
                birth_year=born, empty_nest=rng.random() < 0.45, living_alone=rng.random() < 0.2,
                disabled=rng.random() < 0.06, phone=f"13{rng.randint(100000000, 999999999)}",
                address=f"{station.community.name}{rng.randint(1, 60)}号楼", consent_how=Resident.Consent.SIGNED,
                consent_on=datetime(2015 + rng.randint(0, 10), rng.randint(1, 12), 1).date()))
    Resident.objects.bulk_create(rows, batch_size=2000)


WORKDAY = (8, 18)  # agents take and run errands in the daytime (local time), never at 05:08 or 23:29


def _daytime(moment: datetime, rng: random.Random) -> datetime:
    """The moment if it falls in the working day, else a time in the next working day's morning."""
    local = timezone.localtime(moment)
    if WORKDAY[0] <= local.hour < WORKDAY[1]:
        return moment
    day = local.date() + timedelta(days=1) if local.hour >= WORKDAY[1] else local.date()
    return datetime.combine(day, time(WORKDAY[0], rng.randint(0, 59)), local.tzinfo)


def _errand(station, resident, agent, accepted_at: datetime, rng: random.Random, now: datetime) -> Errand:
    accepted_at = _daytime(accepted_at, rng)
    if accepted_at > now:  # the next morning has not come yet: the last working hour before now
        local = timezone.localtime(now)
        day = local.date() if local.hour >= WORKDAY[0] else local.date() - timedelta(days=1)
        accepted_at = min(now, datetime.combine(day, time(WORKDAY[1] - 1, rng.randint(0, 59)), local.tzinfo))
    category = rng.choices(list(ERRANDS), weights=[18, 8, 34, 30, 10])[0]
    due_at = accepted_at + timedelta(days=rng.choice([1, 2, 3, 3, 5]))
    errand = Errand(station=station, community=station.community, resident=resident, agent=agent,
                    category=category, channel=rng.choice(["phone", "phone", "door", "walk_in", "online"]),
                    description=rng.choice(ERRANDS[category]), handles_money=category in MONEY_CATEGORIES,
                    accepted_at=accepted_at, due_at=due_at)
    if accepted_at > now - timedelta(days=2):
        return errand  # still 受理
    if rng.random() < 0.03:
        errand.status, errand.closing_reason = ErrandStatus.CANCELLED, "居民已自行办理"
        return errand
    errand.started_at = _daytime(accepted_at + timedelta(hours=rng.randint(1, 8)), rng)
    late = rng.random() < 0.06
    errand.done_at = _daytime(due_at + timedelta(hours=rng.randint(2, 30)) if late else errand.started_at + timedelta(
        hours=rng.randint(1, 40)), rng)
    errand.done_at = min(errand.done_at, now)
    errand.outcome = "已办结"
    errand.status = ErrandStatus.DONE
    if rng.random() < 0.85:
        errand.status, errand.visited_at = ErrandStatus.VISITED, errand.done_at + timedelta(days=1)
        errand.satisfaction = rng.choices([5, 4, 3, 2], weights=[80, 16, 3, 1])[0]
    return errand


def _ledger(errand: Errand, recorder, rng: random.Random) -> list[LedgerEntry]:
    if not errand.handles_money or errand.status == ErrandStatus.CANCELLED or errand.started_at is None:
        return []
    received = Decimal(rng.choice([50, 100, 100, 200, 300]))
    paid = (received * Decimal(rng.randint(55, 100)) / 100).quantize(Decimal("0.01"))
    entries = [LedgerEntry(errand=errand, kind=LedgerKind.RECEIVED, amount=received, recorded_by=recorder,
                           recorded_at=errand.started_at)]
    if errand.done_at is None:
        return entries
    entries.append(LedgerEntry(errand=errand, kind=LedgerKind.PAID, amount=paid, recorded_by=recorder,
                               receipt_no=f"R{errand.accepted_at:%Y%m%d}{rng.randint(1000, 9999)}",
                               recorded_at=errand.done_at - timedelta(minutes=30)))
    if received > paid:
        entries.append(LedgerEntry(errand=errand, kind=LedgerKind.RETURNED, amount=received - paid,
                                   recorded_by=recorder, recorded_at=errand.done_at - timedelta(minutes=5)))
    return entries


def build_errands(recorder, rng: random.Random) -> None:
    """Seven years of errands: 6,000+ by the lead agent, a couple of dozen per other station."""
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=7 * 365)
    errands = []
    lead = Station.objects.get(unit__code=LEAD_STATION_CODE)
    lead_agent = lead.agents.get()
    lead_residents = list(lead.residents.all())
    span = (now - start).total_seconds()
    for _ in range(LEAD_AGENT_ERRANDS):
        accepted = start + timedelta(seconds=rng.random() * span)
        errands.append(_errand(lead, rng.choice(lead_residents), lead_agent, accepted, rng, now))
    for station in Station.objects.exclude(pk=lead.pk).prefetch_related("agents", "residents"):
        agent, residents = station.agents.all()[0], list(station.residents.all())
        for _ in range(OTHER_ERRANDS_PER_STATION):
            accepted = now - timedelta(seconds=rng.random() * 365 * 86400)
            errands.append(_errand(station, rng.choice(residents), agent, accepted, rng, now))
    created = Errand.objects.bulk_create(errands, batch_size=2000)
    LedgerEntry.objects.bulk_create([e for errand in created for e in _ledger(errand, recorder, rng)],
                                    batch_size=2000)


def build(regions: dict[str, Region], lead_agent: Person, recorder, rng: random.Random) -> None:
    build_agents(lead_agent, rng)
    if not Resident.objects.exists():
        with audit.summarised(audit.Label.DEMO, "generated the residents of the proxy service stations"):
            build_residents(rng)
    if not Errand.objects.exists():
        with audit.summarised(audit.Label.DEMO, "generated seven years of errands and their ledgers"):
            build_errands(recorder, rng)
            tally.rebuild()
