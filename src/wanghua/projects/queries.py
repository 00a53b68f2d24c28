"""Read-side figures of project construction: the headline, its breakdowns, report reminders, the 招商 funnel,
向上争取 won, the zone programmes and the ledger's rows for export. They only read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone, translation

from wanghua.org.geo import point, street_outlines
from wanghua.org.models import Person, Region, Unit, UnitKind, Zone

from .models import (
    BUILDING_STAGES,
    STARTED_STAGES,
    ApplicationStatus,
    CooperativeCrop,
    LeadStage,
    MonthlyReport,
    Programme,
    Project,
    ProjectList,
    ReportStatus,
    Stage,
    month_start,
    report_due,
)

CENT = Decimal("0.01")


def _cents(value) -> Decimal:
    """Sums come back from SQLite with float-like scale: amounts are kept to the fen."""
    return Decimal(value or 0).quantize(CENT)


# --- headline figures ---------------------------------------------------------------------------------

@dataclass
class Headline:
    year: int
    through_month: int
    started: int
    started_investment: Decimal  # 万元
    fai: Decimal  # 万元, approved reports of the year through `through_month`
    fai_last_year: Decimal
    by_list: list[dict]

    @property
    def growth_percent(self) -> Decimal | None:
        if not self.fai_last_year:
            return None
        return (Decimal(100) * (self.fai - self.fai_last_year) / self.fai_last_year).quantize(Decimal("0.1"))


def _fai(reports, year: int, through: int) -> Decimal:
    return _cents(reports.filter(status=ReportStatus.APPROVED, month__gte=date(year, 1, 1),
                                 month__lte=date(year, through, 1)).aggregate(total=Sum("fai"))["total"])


def headline(projects, year: int, through_month: int) -> Headline:
    """Projects started in the year through the month, their total investment, fixed-asset investment
    completed through the month, and its growth on the same months of the year before."""
    through = month_start(date(year, through_month, 28) + timedelta(days=4)) - timedelta(days=1)
    started = projects.filter(stage__in=STARTED_STAGES, started_on__year=year, started_on__lte=through)
    reports = MonthlyReport.objects.filter(project__in=projects)
    rows = (started.values("project_list").annotate(n=Count("pk"), investment=Sum("total_investment"))
            .order_by("project_list"))
    return Headline(
        year=year, through_month=through_month, started=started.count(),
        started_investment=_cents(started.aggregate(total=Sum("total_investment"))["total"]),
        fai=_fai(reports, year, through_month), fai_last_year=_fai(reports, year - 1, through_month),
        by_list=[{"list": r["project_list"], "projects": r["n"], "investment": _cents(r["investment"])} for r in rows])


def breakdown(projects, year: int, through_month: int, by: str) -> list[dict]:
    """Started projects, their investment and the year's FAI, by zone or by competent unit."""
    field = {"zone": "zone__name", "unit": "competent_unit__name"}[by]
    started = projects.filter(stage__in=STARTED_STAGES, started_on__year=year)
    counts = {r[field]: r for r in started.values(field).annotate(n=Count("pk"), investment=Sum("total_investment"))
              .order_by()}
    approved = MonthlyReport.objects.filter(project__in=projects, status=ReportStatus.APPROVED,
                                            month__gte=date(year, 1, 1), month__lte=date(year, through_month, 1))
    fai = dict(approved.values(f"project__{field}").annotate(fai=Sum("fai"))
               .values_list(f"project__{field}", "fai").order_by())
    names = sorted(set(counts) | set(fai), key=lambda n: -(fai.get(n) or 0))
    return [{"name": name, "projects": counts.get(name, {}).get("n", 0),
             "investment": _cents(counts.get(name, {}).get("investment")), "fai": _cents(fai.get(name))}
            for name in names]


@dataclass
class ReportReminder:
    project: Project
    month: date  # the month to report
    due: date
    overdue: bool


def month_to_report(today: date | None = None) -> date:
    """The month whose report is due now: last month (due by the 5th, late after)."""
    today = today or timezone.localdate()
    return month_start(month_start(today) - timedelta(days=1))


def reports_missing(projects, today: date | None = None):
    """Projects under construction (started before this month) with no report for the month to report — the
    月报提醒 and the steward's home count (the project list's 待报月报 filter) alike."""
    today = today or timezone.localdate()
    return (projects.filter(stage__in=BUILDING_STAGES).exclude(reports__month=month_to_report(today))
            .filter(Q(started_on__isnull=True) | Q(started_on__lt=month_start(today))))


def report_reminders(projects, today: date | None = None) -> list[ReportReminder]:
    """月报提醒: projects under construction whose report for last month is missing — due by the 5th, then
    overdue (late reports are still accepted, and flagged)."""
    today = today or timezone.localdate()
    last_month = month_to_report(today)
    due = report_due(last_month)
    missing = reports_missing(projects, today).select_related("steward").order_by("steward__name", "code")
    return [ReportReminder(project, last_month, due, today > due) for project in missing]


# --- 向上争取 and 招商引资 ------------------------------------------------------------------------------

def funds_won(applications, year: int) -> dict:
    """向上争取 in a year: applications decided, and the amount won."""
    decided = applications.filter(decided_on__year=year)
    totals = decided.aggregate(n=Count("pk"), won=Sum("won"), granted=Count("pk", filter=Q(
        status=ApplicationStatus.WON)))
    return {"decided": totals["n"], "granted": totals["granted"], "won": _cents(totals["won"]),
            "pending": applications.filter(status=ApplicationStatus.SUBMITTED).count()}


def pipeline(leads) -> list[dict]:
    """招商 funnel: leads and planned investment at each stage."""
    rows = {r["stage"]: r for r in leads.values("stage").annotate(n=Count("pk"), amount=Sum("amount")).order_by()}
    return [{"stage": stage, "label": label, "leads": rows.get(stage, {}).get("n", 0),
             "amount": _cents(rows.get(stage, {}).get("amount"))} for stage, label in LeadStage.choices]


# --- zone programmes ------------------------------------------------------------------------------------

# Standard coal saved per 万kWh of solar power, as the article's figures imply (8.8万 t for 2.8亿 kWh a year).
COAL_TONNES_PER_10K_KWH = Decimal("3.143")


@dataclass
class ZoneProgramme:
    pv_plants: int
    pv_capacity_mw: Decimal
    pv_generation: Decimal  # 万kWh a year
    coal_saved_t: Decimal
    waste_energy_investment: Decimal  # 万元
    idle_property_m2: Decimal
    cooperatives: int
    crops: int


def zone_programme(projects, zone, region=None) -> ZoneProgramme:
    """What a zone's programme projects and co-operatives (within `region`, when given) add up to."""
    return zone_programmes(projects, [zone], region)[zone.pk]


def zone_programmes(projects, zones, region=None) -> dict[int, ZoneProgramme]:
    """zone_programme for several zones at once: three grouped queries, whatever the number of zones."""
    zone_ids = [zone.pk for zone in zones]
    pv, waste, idle = Q(programme=Programme.PV), Q(programme=Programme.WASTE_TO_ENERGY), Q(
        programme=Programme.IDLE_PROPERTY)
    sums = {row["zone"]: row for row in projects.filter(zone__in=zone_ids).order_by().values("zone").annotate(
        pv_n=Count("pk", filter=pv), mw=Sum("capacity_mw", filter=pv), out=Sum("annual_output", filter=pv),
        waste=Sum("total_investment", filter=waste), idle=Sum("revived_area_m2", filter=idle))}
    coops = Unit.objects.filter(kind=UnitKind.COOPERATIVE, zone__in=zone_ids, active=True)
    if region is not None:
        coops = coops.filter(region__path__startswith=region.path)
    coop_counts = dict(coops.order_by().values("zone").annotate(n=Count("pk")).values_list("zone", "n"))
    crop_counts = dict(CooperativeCrop.objects.filter(cooperative__in=coops).order_by()
                       .values("cooperative__zone").annotate(n=Count("crop", distinct=True))
                       .values_list("cooperative__zone", "n"))
    found = {}
    for zone_id in zone_ids:
        row = sums.get(zone_id, {})
        generation = row.get("out") or Decimal(0)
        found[zone_id] = ZoneProgramme(
            pv_plants=row.get("pv_n") or 0, pv_capacity_mw=row.get("mw") or Decimal(0), pv_generation=generation,
            coal_saved_t=(generation * COAL_TONNES_PER_10K_KWH).quantize(Decimal(1)),
            waste_energy_investment=row.get("waste") or Decimal(0), idle_property_m2=row.get("idle") or Decimal(0),
            cooperatives=coop_counts.get(zone_id, 0), crops=crop_counts.get(zone_id, 0))
    return found


# --- the ledger, for export -----------------------------------------------------------------------------

def _cell(project: Project, name: str, labels: dict) -> Any:
    value = getattr(project, name)
    if name in labels:
        return labels[name][value]
    if name == "continuing":
        return "续建" if value else "新建"
    if isinstance(value, Zone | Region | Unit | Person):
        return value.name
    return value


def ledger_rows(projects) -> Iterable[list[Any]]:
    """The projects as rows of the ledger, in the layout the import reads (services.ledger.COLUMNS)."""
    from .services.ledger import COLUMNS

    with translation.override("zh-hans"):
        labels = {"project_list": {v: str(lbl) for v, lbl in ProjectList.choices},
                  "stage": {v: str(lbl) for v, lbl in Stage.choices}}
    for project in projects.select_related("zone", "steward", "competent_unit", "leader", "town").order_by("code"):
        yield [_cell(project, name, labels) for _header, name in COLUMNS]


def project_map(projects) -> dict:
    """Projects with a location, as points over the district's outline, coloured by zone, with their stage."""
    located = projects.filter(lat__isnull=False).select_related("zone", "town").order_by("code")
    return {"outline": street_outlines(Region.objects.all()), "points": [
        {**point(p.lat, p.lon), "name": p.name, "zone": p.zone.name, "status_label": p.get_stage_display(),
         "community": p.town.name, "url": p.get_absolute_url()} for p in located]}
