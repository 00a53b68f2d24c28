"""Concurrent reports in the same instant each get their own case number and are all tallied: the day's
number row and the community are locked. Real threads and transactions, on whichever database the suite runs."""

import pytest

from tests.stations.test_concurrency import THREADS, run_together
from wanghua.civic.models import Case, CaseTally
from wanghua.civic.services import cases as services


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_get_distinct_numbers_and_are_all_tallied(centre, world):
    outcomes = run_together(lambda: services.report_case(centre["grid"], source="grid", category=centre["sub"],
                                                         description="同时上报", community=world.grid1))
    assert outcomes == ["ok"] * THREADS
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == THREADS
    assert sorted(int(n[8:]) for n in numbers) == list(range(1, THREADS + 1))
    assert sum(CaseTally.objects.values_list("reported", flat=True)) == THREADS
