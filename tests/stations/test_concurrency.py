"""Concurrent ledger entries never lose or double-count: the errand row is locked first.
Real threads, real transactions, on whichever database the suite runs."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from tests.stations.conftest import build_desk
from wanghua.stations import services, tally
from wanghua.stations.models import Errand, ErrandTally, LedgerEntry

THREADS = 6
SHARED_DATA = False  # real transactions from several threads: no shared rolled-back block (conftest)


def run_together(work) -> list:
    barrier = threading.Barrier(THREADS)
    outcomes: list = []

    def worker():
        try:
            barrier.wait()
            work()
            outcomes.append("ok")
        except (ValidationError, OperationalError) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()  # each thread has its own connection; leave none open at teardown

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_entries_are_all_kept_and_never_overdraw(world, make_user, roles):
    desk = build_desk(world, make_user)
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills",
                                    description="并发缴费", handles_money=True)
    received = run_together(lambda: services.record_money(desk.agent, errand.pk, kind="received", amount="10"))
    assert received.count("ok") == THREADS
    assert Errand.objects.get(pk=errand.pk).balance() == Decimal("60.00")
    # Six payments of 15 against 60 held: exactly four can succeed, whatever the interleaving.
    paid = run_together(lambda: services.record_money(desk.agent, errand.pk, kind="paid", amount="15",
                                                      receipt_no="R"))
    assert paid.count("ok") == 4 and len(paid) == THREADS
    assert Errand.objects.get(pk=errand.pk).balance() == Decimal("0.00")
    assert LedgerEntry.objects.filter(errand=errand).count() == THREADS + 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_errands_in_one_station_are_all_tallied(world, make_user, roles):
    desk = build_desk(world, make_user)
    outcomes = run_together(lambda: services.accept_errand(desk.agent, resident=desk.resident, category="shopping",
                                                           description="并发受理"))
    assert outcomes.count("ok") + outcomes.count("OperationalError") == THREADS  # SQLite may refuse a writer
    accepted = Errand.objects.filter(station=desk.station).count()
    kept = sorted(ErrandTally.objects.values_list("station", "month", "category", "total", "open"))
    assert sum(row[3] for row in kept) == accepted == outcomes.count("ok")
    tally.rebuild()
    assert kept == sorted(ErrandTally.objects.values_list("station", "month", "category", "total", "open"))
