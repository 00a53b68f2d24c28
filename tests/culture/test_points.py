"""Volunteer points: earned once per checked-out sign-up by the configurable rule (1 h = 10 分, a bonus on 3月5日),
redeemed at a 积分超市 within the balance and the stock; refusals change nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tests.culture.conftest import served
from wanghua.culture import services
from wanghua.culture.models import EntryKind, Goods, PointsAccount, PointsEntry, PointsRule, Redemption


def account_of(culture) -> PointsAccount:
    return PointsAccount.objects.get(person=culture.person)


def test_checked_out_hours_earn_ten_points_an_hour_once(culture, world):
    served(culture.person, culture.team, world.community1, "2.50")
    assert services.award_points() == 1
    assert services.award_points() == 0  # the same sign-up never earns twice
    account = account_of(culture)
    assert (account.balance, account.earned) == (25, 25)
    entry = PointsEntry.objects.get(account=account)
    assert entry.kind == EntryKind.EARNED and entry.hours == Decimal("2.50") and not entry.bonus


def test_lei_feng_day_activities_earn_the_bonus(culture, world):
    served(culture.person, culture.team, world.community1, "2", title="学雷锋志愿服务", day=date(2026, 3, 5))
    served(culture.person, culture.team, world.community1, "2", title="社区清扫", day=date(2026, 3, 5))
    served(culture.person, culture.team, world.community1, "2", title="学雷锋志愿服务", day=date(2026, 3, 6))
    services.award_points()
    bonus = PointsEntry.objects.filter(bonus=True)
    assert [e.points for e in bonus] == [40]  # (10 + 10) × 2 h, only the 学雷锋 activity of 3月5日
    assert account_of(culture).balance == 40 + 20 + 20


def test_the_rule_is_configurable_and_checked(culture, world):
    services.set_rule(culture.office, points_per_hour=5, bonus_month=3, bonus_day=5, bonus_per_hour=0,
                      bonus_keyword="")
    served(culture.person, culture.team, world.community1, "3")
    services.award_points()
    assert account_of(culture).balance == 15
    with pytest.raises(ValidationError):
        services.set_rule(culture.office, points_per_hour=5, bonus_month=2, bonus_day=30, bonus_per_hour=0)
    with pytest.raises(PermissionDenied):
        services.set_rule(culture.volunteer, points_per_hour=100)
    assert PointsRule.objects.count() == 1


def test_a_volunteer_counts_their_own_hours_at_once(culture, world):
    served(culture.person, culture.team, world.community1, "1")
    assert services.collect_own_points(culture.volunteer) == 1
    assert account_of(culture).balance == 10


def test_redeeming_within_balance_and_stock(culture, world):
    served(culture.person, culture.team, world.community1, "6")
    services.award_points()
    redemption = services.redeem(culture.volunteer, goods_id=culture.goods.pk, quantity=2)
    assert redemption.points == 60
    account = account_of(culture)
    assert (account.balance, account.redeemed) == (0, 60)
    assert Goods.objects.get(pk=culture.goods.pk).stock == 1


def test_a_redemption_beyond_the_balance_is_refused_and_nothing_changes(culture, world):
    served(culture.person, culture.team, world.community1, "2")
    services.award_points()
    with pytest.raises(ValidationError) as refused:
        services.redeem(culture.volunteer, goods_id=culture.goods.pk, quantity=1)
    assert "余额" in " ".join(refused.value.messages)
    assert account_of(culture).balance == 20 and Goods.objects.get(pk=culture.goods.pk).stock == 3
    assert Redemption.objects.count() == 0


def test_a_redemption_beyond_the_stock_is_refused_and_nothing_changes(culture, world):
    served(culture.person, culture.team, world.community1, "20")
    services.award_points()
    with pytest.raises(ValidationError) as refused:
        services.redeem(culture.volunteer, goods_id=culture.goods.pk, quantity=4)
    assert "库存" in " ".join(refused.value.messages)
    assert account_of(culture).balance == 200 and Goods.objects.get(pk=culture.goods.pk).stock == 3


def test_staff_redeem_for_volunteers_of_their_own_community_only(culture, world):
    served(culture.person, culture.team, world.community1, "5")
    services.award_points()
    account = account_of(culture)
    assert services.redeem(culture.secretary, goods_id=culture.goods.pk, account_id=account.pk).points == 30
    with pytest.raises(PointsAccount.DoesNotExist):
        services.redeem(culture.other_secretary, goods_id=culture.goods.pk, account_id=account.pk)
    assert account_of(culture).balance == 20


def test_the_database_refuses_a_negative_balance(culture, world):
    served(culture.person, culture.team, world.community1, "1")
    services.award_points()
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(person=culture.person).update(balance=-5, redeemed=15)


def test_goods_off_the_shelf_cannot_be_redeemed(culture, world):
    served(culture.person, culture.team, world.community1, "5")
    services.award_points()
    services.update_goods(culture.secretary, culture.goods.pk, active=False)
    with pytest.raises(Goods.DoesNotExist):
        services.redeem(culture.volunteer, goods_id=culture.goods.pk)


def test_the_shelf_shows_the_own_shop_first_and_every_shop_when_it_is_empty(culture, world, client):
    from wanghua.culture import queries
    other = services.add_goods(culture.other_secretary, community=world.community3, name="香皂", points=10, stock=5)
    assert list(queries.shelf_for(culture.person)) == [culture.goods]
    client.force_login(culture.volunteer)
    page = client.get("/culture/me/").content.decode()
    assert "洗衣液" in page and "香皂" not in page
    services.update_goods(culture.secretary, culture.goods.pk, active=False)
    assert list(queries.shelf_for(culture.person)) == [other]  # the own shop is empty: every shop's goods
    assert list(queries.shelf_for(None)) == [other]
