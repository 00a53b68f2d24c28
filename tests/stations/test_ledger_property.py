"""Property: no sequence of operations can unbalance a ledger or close an unbalanced errand."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wanghua.stations import services
from wanghua.stations.models import ErrandStatus, LedgerEntry, LedgerKind

amounts = st.decimals(min_value=Decimal("-5"), max_value=Decimal("500"), places=2, allow_nan=False,
                      allow_infinity=False)
operations = st.lists(st.one_of(
    st.tuples(st.just("money"), st.sampled_from(LedgerKind.values), amounts, st.booleans()),
    st.tuples(st.just("complete")), st.tuples(st.just("cancel")), st.tuples(st.just("start")),
), max_size=25)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=operations)
def test_no_sequence_unbalances_a_ledger(desk, ops):
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills",
                                    description="代缴", handles_money=True)
    for op in ops:
        try:
            if op[0] == "money":
                _name, kind, amount, with_receipt = op
                services.record_money(desk.agent, errand.pk, kind=kind, amount=amount,
                                      receipt_no="R" if with_receipt else "")
            elif op[0] == "start":
                services.start_errand(desk.agent, errand.pk)
            elif op[0] == "complete":
                services.complete_errand(desk.agent, errand.pk, outcome="办结")
            else:
                services.cancel_errand(desk.agent, errand.pk, reason="不需要了")
        except ValidationError:
            pass
        errand.refresh_from_db()
        held = errand.balance()
        assert held >= 0  # never more paid out or returned than received
        if errand.status in (ErrandStatus.DONE, ErrandStatus.CANCELLED):
            assert held == 0  # closed errands always balance to the fen
    received = sum(e.amount for e in LedgerEntry.objects.filter(errand=errand, kind=LedgerKind.RECEIVED))
    out = sum(e.amount for e in LedgerEntry.objects.filter(errand=errand).exclude(kind=LedgerKind.RECEIVED))
    assert received - out == errand.balance()
