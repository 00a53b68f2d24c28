"""Concurrent redemptions never overdraw a balance or a stock: the account row, then the goods row, are locked.
Real threads, real transactions, on whichever database the suite runs."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from tests.culture.conftest import build_culture, served
from wanghua.culture import services
from wanghua.culture.models import Goods, PointsAccount, Redemption

THREADS = 6


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
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_respect_balance_and_stock(world, make_user, roles):
    culture = build_culture(world, make_user)
    served(culture.person, culture.team, world.community1, "10")  # 100 points; goods cost 30, stock 3
    services.award_points()
    outcomes = run_together(lambda: services.redeem(culture.volunteer, goods_id=culture.goods.pk))
    assert outcomes.count("ok") == 3 and len(outcomes) == THREADS
    account = PointsAccount.objects.get(person=culture.person)
    assert account.balance == 10 and Goods.objects.get(pk=culture.goods.pk).stock == 0
    assert Redemption.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_award_runs_count_each_signup_once(world, make_user, roles):
    culture = build_culture(world, make_user)
    for _ in range(3):
        served(culture.person, culture.team, world.community1, "1")
    run_together(services.award_points)
    assert PointsAccount.objects.get(person=culture.person).balance == 30
