"""Issue 17, the demo's production lines: each line rolls its own grade family in its own heat series, and 90 days
of history (generated before the last hours, which go through the ingest pipeline) make the 30-day OEE, stop
Pareto and MTBF figures counted from records."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import unit
from wanghua.demo import industry_demo
from wanghua.demo.lab_demo import BAR_LINE
from wanghua.industry import queries
from wanghua.industry.models import AlarmEvent, Heat, HourRollup, LiveSnapshot, MinuteRollup, Stop, Tag
from wanghua.industry.simulator import family_of, heat_prefix
from wanghua.org.models import UnitKind


@pytest.fixture
def lines(world):
    unit("ent-fste", "抚顺特殊钢股份有限公司", UnitKind.ENTERPRISE, world.street1)
    unit("ent-fxgt", "抚顺新钢铁有限责任公司", UnitKind.ENTERPRISE, world.street2)
    began = time.monotonic()
    built = industry_demo.build()
    print(f"industry demo built in {time.monotonic() - began:.1f} s")
    return {line.code: line for line in built}


def test_the_demo_lines(lines):
    """One build (about half a minute) serves every check."""
    check_each_line_rolls_its_own_grades_in_its_own_heat_series(lines)
    check_ninety_days_of_history_with_stops_spread_over_it(lines)
    check_thirty_day_kpis_are_counted_from_the_records(lines)
    check_the_analysis_page_shows_thirty_days(lines)


def check_each_line_rolls_its_own_grades_in_its_own_heat_series(lines):
    auto, bar = lines["FS-AUTO1"], lines["XG-BAR1"]
    grades = {code: set(Heat.objects.filter(line=line).values_list("grade", flat=True)) for code, line in lines.items()}
    assert grades["FS-AUTO1"] and grades["XG-BAR1"] and not grades["FS-AUTO1"] & grades["XG-BAR1"]
    assert grades["FS-AUTO1"] <= {grade for grade, _sizes in family_of(auto).grades}
    assert {g[:3] for g in grades["FS-AUTO1"]} >= {"SWR", "SCM"}  # SWRCH cold-heading and SCM Cr-Mo grades
    # the bar line rolls what the lab tests, in the sizes it tests
    assert grades["XG-BAR1"] == {grade for grade, _sizes in BAR_LINE}
    sizes = {grade: {f"Φ{size}" for size in sizes} for grade, sizes in BAR_LINE}
    assert all(spec in sizes[grade] for grade, spec in Heat.objects.filter(line=bar).values_list("grade", "spec"))
    prefixes = {code: heat_prefix(code) for code in lines}
    assert len(set(prefixes.values())) == 2
    for code, line in lines.items():
        numbers = list(Heat.objects.filter(line=line).values_list("number", flat=True))
        assert numbers and all(n.startswith(prefixes[code]) for n in numbers)
        snapshot = LiveSnapshot.objects.get(line=line)
        assert snapshot.heat.startswith(prefixes[code]) and snapshot.grade in {g for g, _s in family_of(line).grades}
    assert not set(Heat.objects.filter(line=auto).values_list("number", flat=True)) & set(
        Heat.objects.filter(line=bar).values_list("number", flat=True))


def check_ninety_days_of_history_with_stops_spread_over_it(lines):
    now = timezone.now()
    for line in lines.values():
        stops = Stop.objects.filter(line=line)
        first = stops.order_by("started_at").first()
        assert now - first.started_at >= timedelta(days=89)
        days = {timezone.localtime(s).date() for s in stops.values_list("started_at", flat=True)}
        assert len(days) >= 80  # a few stops a day, not a cluster
        per_day = stops.count() / 90
        assert 1.5 <= per_day <= 8
        assert stops.filter(kind=Stop.Kind.HOT).exists() and stops.filter(kind=Stop.Kind.COLD).exists()
        assert stops.exclude(reason="").count() > stops.count() / 2 and stops.filter(ended_at__isnull=True).count() <= 1
        old = now - timedelta(days=60)
        assert AlarmEvent.objects.filter(line=line, kind=AlarmEvent.Kind.ACTIVATED, at__lt=old).count() > 50
        count = Tag.objects.get(line=line, code="count")
        assert MinuteRollup.objects.filter(tag=count, minute__lt=old).exists()
        assert HourRollup.objects.filter(tag__line=line, hour__lt=old).values("tag").distinct().count() > 20
        # the pipeline's hours follow the generated ones: the counter never steps back
        assert HourRollup.objects.filter(tag=count).order_by("-hour").first().high <= LiveSnapshot.objects.get(
            line=line).count


def check_thirty_day_kpis_are_counted_from_the_records(lines):
    since, until = queries.period_of(30)
    for line in lines.values():
        value = queries.oee(line, since, until)
        assert value.reported and 0 < value.oee < 1
        assert 0.8 < value.availability < 1 and 0.8 < value.performance <= 1 and 0.98 < value.quality < 1
        assert value.output > 30 * 24 * 60 * 3  # about four pieces a running minute
        kpis = queries.stop_kpis([line], since, until)
        assert kpis.mtbf_hours is not None and 2 < kpis.mtbf_hours < 24
        assert kpis.hot > kpis.cold > 0 and len(kpis.pareto) >= 4 and len(kpis.per_day) >= 28
        # The weekly 定修 is planned: four or five of them in 30 days, none in the Pareto, whose bars all have a place.
        shortest, longest = 8 - 40 / 60, 8 + 40 / 60  # history.MAINTENANCE: 8 h, give or take 40 min
        n = kpis.planned_stops  # the first may be cut by the window's start
        assert 4 <= n <= 5 and (n - 1) * shortest < kpis.planned_hours <= n * longest
        assert all(row["location"] for row in kpis.pareto if row["kind"])
        assert not Stop.objects.filter(line=line, planned=True).exclude(reason__startswith="计划检修").exclude(
            reason="").exists()
        assert queries.alarm_kpis([line], since, until).activations > 100
        days = queries.oee_per_day(line, 30)
        *whole, today = days  # today has just begun when the suite runs after midnight: a clean start reads 100 %
        assert len(whole) == 29 and all(d["reported"] and 0 < d["oee"] < 100 for d in whole)
        assert 0 <= today["oee"] <= 100


def check_the_analysis_page_shows_thirty_days(lines):
    from django.test import Client

    from wanghua.core.models import User

    client = Client()
    client.force_login(User.objects.create_superuser("lines-admin", password="x"))
    for code, line in lines.items():
        page = client.get(reverse("industry:line_analysis", args=[code]), {"days": 30})
        assert page.status_code == 200
        days, shifts = page.context["oee_days"], page.context["oee_shifts"]
        assert len(days) == 30 and all(d["reported"] for d in days) and all(s["reported"] for s in shifts)
        stops = page.context["stops"]
        assert abs(stops.mtbf_hours - queries.stop_kpis([line], *page.context["period"]).mtbf_hours) < 0.05
        assert f"{stops.mtbf_hours} / {stops.mttr_minutes}" in page.content.decode()
