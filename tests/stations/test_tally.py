"""Errand tallies: what statistics and indicators read must equal a recount of the errands."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wanghua.stations import indicators, queries, services, tally
from wanghua.stations.models import Errand, ErrandTally, Resident

FIELDS = ("station_id", "community_id", "month", "category", "total", "open", "closed", "on_time", "withdrawn",
          "satisfaction_sum", "satisfaction_count")


def snapshot() -> list[tuple]:
    return sorted(ErrandTally.objects.values_list(*FIELDS))


TRANSITIONS = {"start": services.start_errand, "complete": services.complete_errand, "visit": services.record_visit,
               "cancel": services.cancel_errand, "return": services.return_errand}
steps = st.lists(st.tuples(st.sampled_from(["accept", "start", "complete", "visit", "cancel", "return"]),
                           st.integers(0, 5), st.integers(1, 5)), max_size=30)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(plan=steps)
def test_kept_tallies_equal_a_full_recount(desk, plan):
    ErrandTally.objects.all().delete()
    Errand.objects.all().delete()
    errands: list[int] = []
    for step, which, score in plan:
        try:
            if step == "accept" or not errands:
                resident = desk.resident if which % 2 else desk.other_resident
                agent = desk.agent if resident == desk.resident else desk.other_agent
                category = ["shopping", "documents", "pay_bills"][which % 3]
                errands.append(services.accept_errand(agent, resident=resident, category=category,
                                                      description="代办").pk)
                continue
            errand = Errand.objects.get(pk=errands[which % len(errands)])
            actor = desk.agent if errand.station == desk.station else desk.other_agent
            arguments = {"complete": {"outcome": "办结"}, "visit": {"satisfaction": score},
                         "cancel": {"reason": "不需要了"}, "return": {"reason": "不属于代办"}}.get(step, {})
            TRANSITIONS[step](actor, errand.pk, **arguments)
        except ValidationError:
            pass
    kept = snapshot()
    tally.rebuild()
    assert kept == snapshot()


def test_errand_counts_in_the_local_month_it_was_accepted(desk):
    zone = timezone.get_current_timezone()
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买菜")
    # 2026-03-01 00:30 in 望花 is still February in UTC: the tally must follow local time.
    Errand.objects.filter(pk=errand.pk).update(accepted_at=datetime(2026, 3, 1, 0, 30, tzinfo=zone),
                                               due_at=datetime(2026, 3, 4, tzinfo=zone))
    ErrandTally.objects.all().delete()  # the raw update above bypassed the services that keep them
    services.start_errand(desk.agent, errand.pk)
    assert list(ErrandTally.objects.values_list("month", flat=True)) == [
        datetime(2026, 3, 1).date()]


def test_statistics_and_indicators_read_the_tallies(desk, world, make_user):
    now = timezone.now()
    for score in (5, 4):
        errand = services.accept_errand(desk.agent, resident=desk.resident, category="shopping",
                                        description="买菜", due_at=now + timedelta(days=2))
        services.start_errand(desk.agent, errand.pk)
        services.complete_errand(desk.agent, errand.pk, outcome="买好了")
        services.record_visit(desk.agent, errand.pk, satisfaction=score)
    services.accept_errand(desk.agent, resident=desk.resident, category="documents", description="证件")
    late = services.accept_errand(desk.other_agent, resident=desk.other_resident, category="documents",
                                  description="补办")
    services.start_errand(desk.other_agent, late.pk)
    Errand.objects.filter(pk=late.pk).update(due_at=now - timedelta(days=10), accepted_at=now - timedelta(days=1))
    tally.rebuild()
    services.complete_errand(desk.other_agent, late.pk, outcome="办好了")
    summary = queries.summary(queries.scoped_tallies(desk.agent))
    assert summary == {"total": 3, "closed": 2, "open": 1, "on_time": Decimal("100.0"), "satisfaction": Decimal("4.50")}
    district = queries.summary(queries.scoped_tallies(make_user("leader", "leader", region=world.district)))
    assert district["total"] == 4 and district["closed"] == 3 and district["on_time"] == Decimal("66.7")
    assert indicators.errands_closed() == 3 and indicators.on_time_rate() == Decimal("66.7")
    assert indicators.satisfaction() == Decimal("4.50")
    assert indicators.residents_served() == 2
    assert indicators.errands_closed(world.community1) == 2


def test_recount_command_restores_deleted_tallies(desk):
    services.accept_errand(desk.agent, resident=desk.resident, category="shopping", description="买菜")
    before = snapshot()
    ErrandTally.objects.all().delete()
    Resident.objects.update(first_served_on=None)
    call_command("recount_errands", stdout=StringIO())
    assert snapshot() == before and Resident.objects.filter(first_served_on__isnull=False).count() == 1
