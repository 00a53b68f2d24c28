"""What the boards show, read from the stored indicator values (never computed per request): the viewer's
scope, each goal's indicators against their targets with trend and status, the zone cards, the article's
headline figures, the big screen's data and the district map. Every drill-down link is the viewer's
`core.menu.link_for`: "" (shown as plain text) where the viewer may not open the records."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core import indicators
from wanghua.core.access import grants_of, has_perm_anywhere
from wanghua.core.menu import link_for
from wanghua.org.models import Region, RegionLevel, Unit, Zone

from .models import ExternalStatistic, IndicatorTarget, IndicatorValue
from .refresh import BOARD_LEVELS, BOARD_UNIT_KINDS, DISTRICT, Scope, applies, month_start, region_scope, unit_scope

BOARD_PERM = "dashboard.view_indicatorvalue"
TREND_MONTHS = 12
AMBER_FROM = Decimal("0.9")  # at least 90 % of what the target expects by now
STATUS_LABELS = {"green": _("on track"), "amber": _("nearly there"), "red": _("behind"), "none": _("no target")}


# --- whose board -------------------------------------------------------------------------------------------

def board_scope(user) -> Scope | None:
    """The scope a viewer's boards show: the district for district-wide grants, else their widest
    town/street or village/community, else their government unit; None when they have no such grant."""
    if not getattr(user, "is_authenticated", False) or not has_perm_anywhere(user, BOARD_PERM):
        return None
    grants = [g for g in grants_of(user) if g.allows(BOARD_PERM)]  # the grants that carry a board
    if user.is_superuser or any(g.covers_everything for g in grants):
        return replace(DISTRICT, viewer=user)
    paths = sorted({path for g in grants for path in g.region_paths}, key=len)  # a custom scope's chosen
    regions = Region.objects.defer("geojson")  # outlines are big, and loaded rows keep a copy for the audit
    region = regions.filter(path__in=paths, level__in=BOARD_LEVELS).order_by("path").first() if paths else None
    if region is not None:
        return region_scope(region, user)
    unit_paths = sorted({path for g in grants for path in g.unit_paths}, key=len)
    unit = (Unit.objects.filter(path__in=unit_paths, kind__in=BOARD_UNIT_KINDS).order_by("path").first()
            if unit_paths else None)
    return unit_scope(unit, user) if unit is not None else None


def scope_for(user, scope_key: str | None) -> Scope | None:
    """A narrower scope the viewer asked for (a street of theirs), or their own."""
    own = board_scope(user)
    wanted = scope_key[1:] if scope_key and scope_key.startswith("r") else ""
    if own is None or own.unit is not None or not wanted.isdigit():
        return own
    region = Region.objects.defer("geojson").filter(pk=int(wanted), level__in=BOARD_LEVELS).first()
    if region is None or (own.region is not None and not region.path.startswith(own.region.path)):
        return own
    return region_scope(region, own.viewer)


def district_name() -> str:
    """The root of the region tree by its own name (the demo's 望花区), for boards of the whole district."""
    root = Region.objects.filter(parent__isnull=True).order_by("path").values_list("name", flat=True).first()
    return root or str(_("Wanghua District"))


def scope_label(scope: Scope) -> str:
    return scope.label or district_name()


def drill(scope: Scope, url: str) -> str:
    """A board's drill-down as its viewer gets it: the URL when they may open it, else "" (plain text)."""
    return link_for(scope.viewer, url) if scope.viewer is not None else url


def links_key(user) -> str:
    """What the drill-down links of a cached board depend on besides its scope: the viewer's roles."""
    if getattr(user, "is_superuser", False):
        return "su"
    return "-".join(sorted({str(g.role_id) for g in grants_of(user)})) or "none"


# --- stored values ----------------------------------------------------------------------------------------

def stored(scope: Scope):
    """The scope's stored values, through the viewer's access rules when the board is somebody's."""
    values = IndicatorValue.objects.visible_to(scope.viewer, "view") if scope.viewer else IndicatorValue.objects
    return values.filter(scope=scope.key)


def latest_period(scope: Scope, before: date | None = None) -> date | None:
    values = stored(scope)
    if before is not None:
        values = values.filter(period__lte=before)
    return values.aggregate(latest=Max("period"))["latest"]


def values_at(scope: Scope, period: date) -> dict[str, Decimal]:
    return dict(stored(scope).filter(period=period).values_list("key", "value"))


def trends(scope: Scope, period: date, months: int = TREND_MONTHS) -> dict[str, list[tuple[date, Decimal]]]:
    first = period
    for _step in range(months - 1):
        first = month_start(date.fromordinal(first.toordinal() - 1))
    series: dict[str, list[tuple[date, Decimal]]] = {}
    rows = (stored(scope).filter(period__gte=first, period__lte=period)
            .order_by("period").values_list("key", "period", "value"))
    for key, month, value in rows:
        series.setdefault(key, []).append((month, value))
    return series


def targets_for(scope: Scope, year: int) -> dict[str, Decimal]:
    targets = IndicatorTarget.objects.filter(year=year)
    if scope.region is not None:
        return dict(targets.filter(region=scope.region).values_list("key", "value"))
    if scope.unit is not None:
        return {}
    return dict(targets.filter(region__isnull=True).values_list("key", "value"))


# --- status against target ---------------------------------------------------------------------------------

def year_fraction(period: date, today: date | None = None) -> Decimal:
    """How much of the year a year-to-date total has had by the end of `period` (or today, this month)."""
    today = today or timezone.localdate()
    if month_start(today) == period:
        day_of_year, days = today.timetuple().tm_yday, 366 if calendar.isleap(today.year) else 365
    else:
        last = date(period.year, period.month, calendar.monthrange(period.year, period.month)[1])
        day_of_year, days = last.timetuple().tm_yday, 366 if calendar.isleap(period.year) else 365
    return Decimal(day_of_year) / Decimal(days)


def expected(indicator: indicators.Indicator, target: Decimal | None, period: date) -> Decimal | None:
    if target is None:
        return None
    return (target * year_fraction(period)).quantize(Decimal("0.01")) if indicator.accumulates else target


def status(indicator: indicators.Indicator, value: Decimal | None, goal_value: Decimal | None) -> str:
    """green (on track), amber (within 10 %), red (behind), none (no target or no value)."""
    if value is None or goal_value is None:
        return "none"
    if indicator.lower_is_better:
        ratio = Decimal(1) if value <= goal_value else (goal_value / value if value else Decimal(1))
    else:
        ratio = value / goal_value if goal_value else Decimal(1)
    return "green" if ratio >= 1 else "amber" if ratio >= AMBER_FROM else "red"


def attainment(indicator: indicators.Indicator, value: Decimal | None, goal_value: Decimal | None) -> Decimal | None:
    """Percent of what the target expects by now, capped at 100 (for the goals' flower)."""
    if value is None or not goal_value:
        return None
    ratio = goal_value / value if indicator.lower_is_better and value else value / goal_value
    return min(Decimal(100), (ratio * 100).quantize(Decimal("0.1")))


# --- the boards ---------------------------------------------------------------------------------------------

@dataclass
class Row:
    indicator: indicators.Indicator
    value: Decimal | None
    target: Decimal | None
    expected: Decimal | None
    status: str
    attainment: Decimal | None
    trend: list[tuple[date, Decimal]]
    scope: Scope

    @property
    def key(self) -> str:
        return self.indicator.key

    @cached_property
    def url(self) -> str:
        """The drill-down, built only when a page shows it (some drills query, e.g. for the busiest agent)."""
        return drill(self.scope, self.indicator.records_url(region=self.scope.region, unit=self.scope.unit))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def trend_values(self) -> list[float]:
        return [float(v) for _month, v in self.trend]


@dataclass
class GoalRow:
    goal: indicators.Goal
    rows: list[Row] = field(default_factory=list)
    external: list[ExternalStatistic] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        scored = [r.attainment for r in self.rows if r.attainment is not None]
        return (sum(scored, Decimal(0)) / len(scored)).quantize(Decimal("0.1")) if scored else None


def _row(indicator, scope: Scope, period: date, values, targets, series) -> Row:
    value, target = values.get(indicator.key), targets.get(indicator.key)
    goal_value = expected(indicator, target, period)
    return Row(indicator, value, target, goal_value, status(indicator, value, goal_value),
               attainment(indicator, value, goal_value), series.get(indicator.key, []), scope)


def goal_board(scope: Scope, period: date | None = None) -> list[GoalRow]:
    """The six goals with their indicators for the scope and month (the latest stored when not given)."""
    period = latest_period(scope, period)
    if period is None:
        return [GoalRow(goal) for goal in indicators.Goal]
    values, targets, series = values_at(scope, period), targets_for(scope, period.year), trends(scope, period)
    latest_external: dict[str, ExternalStatistic] = {}
    if scope.key == DISTRICT.key:  # published for the district as a whole
        for stat in ExternalStatistic.objects.filter(period__lte=period).order_by("key", "-period"):
            latest_external.setdefault(stat.key, stat)
    return [GoalRow(goal, [_row(i, scope, period, values, targets, series)
                           for i in indicators.for_goal(goal) if applies(i, scope)],
                    [s for s in latest_external.values() if s.goal == goal])
            for goal in indicators.Goal]


@dataclass
class Figure:
    indicator: indicators.Indicator
    value: Any
    scope: Scope

    key = property(lambda self: self.indicator.key)
    name = property(lambda self: self.indicator.name)
    unit = property(lambda self: self.indicator.unit)

    @cached_property
    def url(self) -> str:
        return drill(self.scope, self.indicator.records_url(region=self.scope.region, unit=self.scope.unit))


@dataclass
class ZoneCard:
    zone: Zone
    figures: list[Figure] = field(default_factory=list)
    url: str = ""  # the zone's page, when the viewer may open it


def zone_cards(user, scope: Scope | None = None) -> list[ZoneCard]:
    scope = scope or board_scope(user)
    if scope is None:
        return []
    period = latest_period(scope)
    values = values_at(scope, period) if period else {}
    cards = []
    for zone in Zone.objects.visible_to(user, "view"):
        figures = [Figure(i, values.get(i.key), scope) for i in indicators.for_zone(zone.code) if applies(i, scope)]
        cards.append(ZoneCard(zone, figures, link_for(user, reverse("dashboard:zone", args=[zone.code]))))
    return cards


def communities_per_street(user) -> dict[str, list]:
    """Chart data: communities under each town/street visible to the user (two queries)."""
    streets = list(Region.objects.visible_to(user, "view").filter(level=RegionLevel.STREET)
                   .order_by("sort_order", "code"))
    counts = dict(Region.objects.filter(level=RegionLevel.COMMUNITY, parent__in=streets)
                  .values_list("parent").annotate(total=Count("pk")).values_list("parent", "total"))
    return {"names": [s.name for s in streets], "counts": [counts.get(s.pk, 0) for s in streets]}


def district_map(user) -> dict:
    """GeoJSON of the towns/streets the viewer sees, each tagged with its zone and its figures (villages/
    communities, residents, stations), with the outlines marked schematic (示意) and no map tiles needed."""
    streets = (Region.objects.visible_to(user, "view").filter(level=RegionLevel.STREET, geojson__isnull=False)
               .order_by("code").values("pk", "code", "name", "geojson", "zone__code", "zone__name",
                                        "entrusted_to"))
    figures = _street_figures([s["pk"] for s in streets])
    return {"type": "FeatureCollection", "schematic": True, "features": [
        {"type": "Feature", "geometry": s["geojson"],
         "properties": {"name": s["code"], "label": s["name"], "zone": s["zone__code"] or "",
                        "zone_name": s["zone__name"] or (_("entrusted to %(body)s") % {"body": s["entrusted_to"]}
                                                         if s["entrusted_to"] else ""),
                        **figures.get(s["pk"], {"communities": 0, "population": 0, "stations": 0})}}
        for s in streets]}


def _street_figures(street_ids: list[int]) -> dict[int | None, dict[str, Any]]:
    """Per town/street: its villages/communities, their residents and the active proxy stations (two queries)."""
    rows = (Region.objects.filter(level=RegionLevel.COMMUNITY, parent__in=street_ids).values("parent")
            .annotate(communities=Count("pk"), population=Sum("population")).order_by())
    figures = {r["parent"]: {"communities": r["communities"], "population": r["population"] or 0, "stations": 0}
               for r in rows}
    stations = (Region.objects.filter(level=RegionLevel.COMMUNITY, parent__in=street_ids,
                                      stations__active=True).values("parent").annotate(n=Count("stations"))
                .order_by())
    for row in stations:
        figures.setdefault(row["parent"], {"communities": 0, "population": 0, "stations": 0})["stations"] = row["n"]
    return figures


# --- the article's headline figures -------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    key: str
    article: Any  # the article's wording of the figure
    month: int | None = None  # the month of the article's figure (6: 上半年); None: the latest month


HEADLINES = [
    Headline("services.stations", _("361 Party-member family proxy stations")),
    Headline("services.communities_covered", _("all 90 villages/communities covered")),
    Headline("services.busiest_agent", _("one agent: 6,000+ errands in seven years")),
    Headline("projects.started", _("72 projects started in the first half"), 6),
    Headline("projects.investment", _("total investment 11.583 billion yuan"), 6),
    Headline("projects.fai", _("fixed-asset investment 1.653 billion yuan in the first half"), 6),
    Headline("projects.fai_growth", _("up 38.7% year on year"), 6),
    Headline("projects.pv_capacity", _("PV plants of 100 + 100 + 200 MW")),
    Headline("projects.waste_energy", _("waste-to-energy plant, 575 million yuan")),
    Headline("projects.idle_property", _("38,000 m² of idle commercial property revived")),
    Headline("projects.cooperatives", _("25 co-operatives")),
    Headline("projects.crops", _("20+ kinds of crops")),
    Headline("industry.failure_rate", _("equipment failure rate down to 0.032%")),
    Headline("lab.turnaround", _("lab testing time cut by 50%")),
    Headline("civic.commitments", _("the 民生清单's commitments")),
    Headline("civic.occupation_put_right", _("405 road-occupation places put right")),
    Headline("civic.vendors_put_right", _("270+ vendors corrected")),
    Headline("civic.volunteer_teams", _("150+ volunteer teams")),
    Headline("civic.activities", _("420+ volunteer activities")),
]


@dataclass
class HeadlineRow:
    headline: Headline
    indicator: indicators.Indicator
    period: date | None
    value: Decimal | None
    url: str


def headline_figures(scope: Scope = DISTRICT, year: int | None = None) -> list[HeadlineRow]:
    """The article's figures as the district computes them, each at the month the article speaks of."""
    if scope.key != DISTRICT.key:
        return []  # the article speaks of the whole district
    year = year or timezone.localdate().year
    latest = latest_period(scope)
    periods = {h.month for h in HEADLINES}
    by_month = {}
    for month in periods:
        period = latest if month is None else latest_period(scope, date(year, month, 1))
        by_month[month] = (period, values_at(scope, period) if period else {})
    rows = []
    for headline in HEADLINES:
        indicator = indicators.REGISTRY.get(headline.key)
        if indicator is None:
            continue
        period, values = by_month[headline.month]
        rows.append(HeadlineRow(headline, indicator, period, values.get(headline.key),
                                drill(scope, indicator.records_url())))
    return rows


# --- the big screen -----------------------------------------------------------------------------------------

SCREEN_KEYS = {
    "core": ["services.stations", "services.coverage", "services.errands_this_year", "civic.volunteer_teams",
             "civic.activities", "civic.commitments_delivered"],
    "belt": ["industry.live_lines", "industry.oee", "industry.downtime", "lab.pass_rate", "lab.turnaround"],
    "zones": ["projects.started", "projects.investment", "projects.fai", "projects.fai_growth",
              "projects.pv_generation", "projects.cooperatives"],
    "civic": ["civic.cases_closed", "civic.on_time_rate", "civic.closure_rate", "civic.occupation_put_right"],
}


def _plain(value) -> float | None:
    return None if value is None else float(value)


def screen_data(scope: Scope | None) -> dict:
    """Everything the big screen shows, as JSON: the stored values by panel, the goals' scores and the
    production lines' live snapshot (the one part read live: one small query)."""
    from wanghua.industry.queries import live_snapshots

    if scope is None:
        return {"scope": "", "panels": {}, "goals": [], "lines": [], "trend": {}}
    period = latest_period(scope)
    values = values_at(scope, period) if period else {}
    panels = {
        panel: [{"key": k, "name": str(indicators.REGISTRY[k].name), "unit": str(indicators.REGISTRY[k].unit),
                 "value": _plain(values.get(k))}
                for k in keys if k in indicators.REGISTRY and applies(indicators.REGISTRY[k], scope)]
        for panel, keys in SCREEN_KEYS.items()}
    board = goal_board(scope, period) if period else []
    lines = [] if scope.unit is not None else live_snapshots(scope.viewer, scope.region)
    series = trends(scope, period) if period else {}
    return {
        "scope": scope_label(scope),
        "period": f"{period:%Y-%m}" if period else "",
        "updated": timezone.localtime().strftime("%H:%M:%S"),
        "panels": panels,
        "goals": [{"name": str(g.goal.label), "score": _plain(g.score)} for g in board],
        "lines": [{"name": s.line.name, "status": s.status, "status_label": str(s.get_status_display()),
                   "grade": s.grade, "heat": s.heat, "count": s.count} for s in lines],
        "trend": {key: {"months": [f"{m:%m}" for m, _v in series.get(key, [])],
                        "values": [float(v) for _m, v in series.get(key, [])]}
                  for key in ("services.errands_this_year", "projects.fai", "civic.cases_closed")},
    }


def month_of(text: str | None) -> date | None:
    """"2026-06" as the first day of that month; None for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None
