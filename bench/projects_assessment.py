"""Benchmark: the projects issue's figures.

* the dual assessment of every department and every town over ten times the demo (720 projects, five years of
  monthly reports, issues, applications and leads): time to compute the ranking for a year, a quarter and a
  month, and to render the ranking page (goal ≤ 500 ms), against the login page rendered in the same run;
* importing a 5,000-row project ledger (all rows validated, then saved and audited one by one), against
  merely reading the same workbook with openpyxl.

    WANGHUA_DATABASE_URL=... python bench/projects_assessment.py [--projects N] [--ledger-rows N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wanghua.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from wanghua.core import audit  # noqa: E402
from wanghua.core.models import Role, User  # noqa: E402
from wanghua.core.roles import sync_builtin_roles  # noqa: E402
from wanghua.org.models import Person, Region, RegionKind, RegionLevel, RoleAssignment, Unit, UnitKind, Zone  # noqa: E402
from wanghua.projects import assessment  # noqa: E402
from wanghua.projects.models import (  # noqa: E402
    STARTED_STAGES,
    Application,
    Lead,
    MonthlyReport,
    Project,
    ProjectIssue,
    ProjectList,
)
from wanghua.projects.services import ledger, seed_default_weights  # noqa: E402

PREFIX, DEPARTMENTS, STREETS, YEARS = "BP-", 15, 10, 5
REPEATS = 9


def _district() -> tuple[list[Region], list[Unit], Zone, Person]:
    zone, _ = Zone.objects.get_or_create(code="bench", defaults={"name": "基准功能区", "kind": Zone.Kind.AREA})
    district = Region.objects.filter(level=RegionLevel.DISTRICT).first() or Region.objects.create(
        code="B", name="B", level=RegionLevel.DISTRICT, kind=RegionKind.DISTRICT)
    streets = list(Region.objects.filter(level=RegionLevel.STREET)[:STREETS])
    for n in range(len(streets), STREETS):
        streets.append(Region.objects.create(code=f"{district.code}S{n:02d}", name=f"基准街道{n}",
                                             level=RegionLevel.STREET, kind=RegionKind.STREET, parent=district))
    units = [Unit.objects.get_or_create(code=f"bench-dept-{n}", defaults={
        "name": f"基准部门{n}", "kind": UnitKind.DEPARTMENT, "region": district})[0] for n in range(DEPARTMENTS)]
    person, _ = Person.objects.get_or_create(name="基准管家", defaults={"region": district})
    return streets, units, zone, person


def populate(projects: int) -> None:
    if Project.objects.filter(code__startswith=PREFIX).count() >= projects:
        return
    print(f"  generating {projects:,} projects with {YEARS} years of reports on {connection.vendor} …", flush=True)
    rng, this_year = random.Random(7), timezone.localdate().year
    with transaction.atomic(), audit.summarised("bench", f"{projects} generated projects"):
        streets, units, zone, person = _district()
        rows = []
        for n in range(projects):
            total = Decimal(rng.randrange(5_000, 200_000))
            started = date(this_year - rng.randint(0, YEARS - 1), rng.randint(1, 12), 1)
            rows.append(Project(
                code=f"{PREFIX}{n:05d}", name=f"基准项目{n}", zone=zone, project_list=rng.choice(ProjectList.values),
                industry="新能源", sponsor="基准公司", stage=rng.choice(STARTED_STAGES), total_investment=total,
                annual_plan=(total / 4).quantize(Decimal(1)), planned_start=started, started_on=started,
                steward=person, leader=person, competent_unit=units[n % DEPARTMENTS], town=streets[n % STREETS]))
        Project.objects.bulk_create(rows, batch_size=2_000)
        _reports_and_records(list(Project.objects.filter(code__startswith=PREFIX)), units, streets, zone, rng)


def _reports_and_records(projects, units, streets, zone, rng) -> None:
    now, this_year = timezone.now(), timezone.localdate().year
    months = [date(this_year - YEARS + 1 + m // 12, m % 12 + 1, 1) for m in range(YEARS * 12)]
    reports = [MonthlyReport(project=p, month=m, fai=Decimal(rng.randrange(10, 2_000)), progress="施工",
                             status="approved", submitted_at=now, late=rng.random() < 0.2)
               for p in projects for m in months]
    MonthlyReport.objects.bulk_create(reports, batch_size=5_000)
    issues = []
    for n in range(len(projects) * 3):
        deadline = months[rng.randrange(len(months))] + timedelta(days=rng.randint(0, 27))
        resolved = timezone.make_aware(timezone.datetime.combine(deadline + timedelta(days=rng.randint(-10, 5)),
                                                                 timezone.datetime.min.time()))
        issues.append(ProjectIssue(project=projects[n % len(projects)], category="land", description="用地",
                                   owner_unit=units[n % len(units)], deadline=deadline, raised_at=now,
                                   status="confirmed", resolved_at=resolved))
    ProjectIssue.objects.bulk_create(issues, batch_size=5_000)
    Application.objects.bulk_create([Application(
        title=f"申请{n}", kind="funds", level="省", unit=units[n % len(units)], town=streets[n % len(streets)],
        requested=Decimal(5_000), won=Decimal(rng.randrange(0, 5_000)), status="won",
        decided_on=months[rng.randrange(len(months))]) for n in range(len(projects))], batch_size=5_000)
    Lead.objects.bulk_create([Lead(
        name=f"线索{n}", investor="某公司", industry="新能源", zone=zone, unit=units[n % len(units)],
        town=streets[n % len(streets)], amount=Decimal(rng.randrange(1_000, 50_000)), stage="signed",
        contacted_on=months[0], signed_on=months[rng.randrange(len(months))]) for n in range(len(projects))],
        batch_size=5_000)


def timed(action, repeats: int = REPEATS) -> float:
    """Median milliseconds of `repeats` runs after one warm-up."""
    action()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def leader_client() -> Client:
    user, created = User.objects.get_or_create(username="bench-leader")
    if created:
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code="leader"),
                                      region=Region.objects.filter(level=RegionLevel.DISTRICT).first())
    client = Client()
    client.force_login(user)
    return client


def bench_assessment() -> None:
    year = timezone.localdate().year
    client = leader_client()
    baseline = timed(lambda: Client().get("/accounts/login/"))
    print(f"  baseline: login page rendered {baseline:.1f} ms")
    subjects = {kind: len(assessment.subjects(kind)) for kind in ("department", "town")}
    for kind in ("department", "town"):
        for key in (str(year), f"{year}-Q2", f"{year}-03"):
            period = assessment.parse_period(key)
            compute = timed(lambda period=period, kind=kind: assessment.assess(kind, period))
            url = f"/projects/assessment/?kind={kind}&period={key}"
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            page = timed(lambda url=url: client.get(url))
            verdict = "meets" if page <= 500 else "MISSES"
            print(f"  {kind:10s} {key:8s} ({subjects[kind]} ranked): compute {compute:6.1f} ms · page {page:6.1f} ms "
                  f"({page / baseline:4.1f}× login) — {verdict} the 500 ms goal")


def ledger_workbook(rows: int, run: str) -> bytes:
    streets, units, zone, person = _district()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("项目台账")
    sheet.append(ledger.HEADERS)
    for n in range(rows):
        sheet.append([f"IMP-{run}-{n:05d}", f"导入项目{n}", "招商引资", zone.name, "新材料", "导入公司", "新建", "谋划",
                      10_000 + n, 1_000, "2026-03", None, "2027-12", None, person.name, units[n % len(units)].name,
                      person.name, streets[n % len(streets)].name, "园区"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bench_import(rows: int) -> None:
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save()
    run = timezone.now().strftime("%H%M%S")
    content = ledger_workbook(rows, run)
    started = time.perf_counter()
    sheet = load_workbook(BytesIO(content), read_only=True, data_only=True).worksheets[0]
    read_rows = sum(1 for _ in sheet.iter_rows(values_only=True))
    read_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    result = ledger.import_ledger(admin, BytesIO(content))
    import_ms = (time.perf_counter() - started) * 1000
    assert result.created == rows and read_rows == rows + 1
    print(f"  ledger import of {rows:,} rows: {import_ms / 1000:.2f} s ({rows / import_ms * 1000:,.0f} rows/s); "
          f"reading the workbook alone {read_ms:.0f} ms — import is {import_ms / read_ms:.1f}× the read")
    bad = load_workbook(BytesIO(content))
    bad.active["I3"] = -1  # one broken row: nothing may be saved
    buffer = BytesIO()
    bad.save(buffer)
    before = Project.objects.count()
    started = time.perf_counter()
    try:
        ledger.import_ledger(admin, BytesIO(buffer.getvalue()))
    except ledger.LedgerError as refused:
        assert len(refused.errors) >= 1
    refused_ms = (time.perf_counter() - started) * 1000
    assert Project.objects.count() == before
    print(f"  re-importing those {rows:,} projects with one row broken: refused in {refused_ms / 1000:.2f} s, "
          "nothing saved")
    with audit.summarised("bench", "removed the imported bench projects"):
        Project.objects.filter(code__startswith=f"IMP-{run}-").delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=720)
    parser.add_argument("--ledger-rows", type=int, default=5_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    sync_builtin_roles()
    seed_default_weights()
    populate(args.projects)
    print(f"  data: {Project.objects.count():,} projects, {MonthlyReport.objects.count():,} monthly reports, "
          f"{ProjectIssue.objects.count():,} issues")
    bench_assessment()
    bench_import(args.ledger_rows)


if __name__ == "__main__":
    main()
