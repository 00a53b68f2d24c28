"""Property: no sequence of earns and redemptions (any goods, any quantity, volunteer or staff) breaks the points
ledger: the balance never goes negative, it always equals earned − redeemed and the sum of the entries, and stock
only moves by what was redeemed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.culture.conftest import served
from wanghua.culture import services
from wanghua.culture.models import EntryKind, Goods, PointsAccount, PointsEntry, Redemption

hours = st.decimals(min_value=Decimal("0"), max_value=Decimal("8"), places=2, allow_nan=False, allow_infinity=False)
operations = st.lists(st.one_of(
    st.tuples(st.just("earn"), hours),
    st.tuples(st.just("redeem"), st.integers(min_value=-2, max_value=6), st.booleans(), st.booleans()),
), max_size=20)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=operations)
def test_no_sequence_breaks_the_points_ledger(culture, world, ops):
    with transaction.atomic():  # each example starts from the fixture's data (examples share one test's database)
        run_example(culture, world, ops)
        transaction.set_rollback(True)


def run_example(culture, world, ops) -> None:
    cheap = services.add_goods(culture.secretary, community=world.community1, name="毛巾", points=7, stock=5)
    stock_before = {g.pk: g.stock for g in Goods.objects.all()}
    for op in ops:
        try:
            if op[0] == "earn":
                served(culture.person, culture.team, world.community1, str(op[1]))
                services.award_points()
            else:
                _name, quantity, use_cheap, by_staff = op
                goods = cheap if use_cheap else culture.goods
                account = PointsAccount.objects.filter(person=culture.person).first()
                services.redeem(culture.secretary if by_staff and account else culture.volunteer,
                                goods_id=goods.pk, quantity=quantity,
                                account_id=account.pk if by_staff and account else None)
        except ValidationError:
            pass
        account = PointsAccount.objects.filter(person=culture.person).first()
        if account is None:
            continue
        entries = PointsEntry.objects.filter(account=account)
        earned = entries.filter(kind=EntryKind.EARNED).aggregate(s=Sum("points"))["s"] or 0
        redeemed = entries.filter(kind=EntryKind.REDEEMED).aggregate(s=Sum("points"))["s"] or 0
        assert account.balance >= 0
        assert account.balance == account.earned - account.redeemed == earned - redeemed
        latest = entries.order_by("-recorded_at", "-id").first()
        assert latest is None or latest.balance_after == account.balance
    for goods in Goods.objects.all():
        taken = Redemption.objects.filter(goods=goods).aggregate(s=Sum("quantity"))["s"] or 0
        assert goods.stock >= 0 and goods.stock + taken == stock_before[goods.pk]
