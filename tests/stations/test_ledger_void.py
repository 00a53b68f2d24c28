"""作废: a wrong ledger line is voided by a compensating line with its reason, never changed or deleted."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.stations.test_photos import png
from wanghua.core.audit import Label
from wanghua.core.models import AuditEntry
from wanghua.stations import queries, services
from wanghua.stations.models import ErrandAttachment, ErrandStatus, LedgerEntry, LedgerKind


@pytest.fixture
def errand(desk):
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description="代缴电费",
                                    handles_money=True)
    services.start_errand(desk.agent, errand.pk)
    return errand


def test_a_void_is_a_compensating_line_with_its_reason(desk, errand):
    wrong = services.record_money(desk.agent, errand.pk, kind="received", amount="2000")
    services.record_money(desk.agent, errand.pk, kind="received", amount="200")
    void = services.void_money(desk.agent, wrong.pk, reason="多打了一个零")
    assert (void.kind, void.amount, void.voids, void.void_reason) == ("received", Decimal("2000.00"), wrong,
                                                                      "多打了一个零")
    assert LedgerEntry.objects.filter(errand=errand).count() == 3  # nothing deleted
    errand.refresh_from_db()
    assert errand.balance() == Decimal("200.00")
    entry = AuditEntry.objects.filter(label=Label.LEDGER_VOID).get()
    assert entry.object_id == str(void.pk) and entry.actor == desk.agent


def test_a_line_is_voided_once_and_a_void_is_never_voided(desk, errand):
    line = services.record_money(desk.agent, errand.pk, kind="received", amount="50")
    void = services.void_money(desk.agent, line.pk, reason="录错")
    with pytest.raises(ValidationError, match="已作废"):
        services.void_money(desk.agent, line.pk, reason="再次")
    with pytest.raises(ValidationError):
        services.void_money(desk.agent, void.pk, reason="撤销作废")
    assert LedgerEntry.objects.filter(errand=errand).count() == 2


def test_a_void_needs_a_reason(desk, errand):
    line = services.record_money(desk.agent, errand.pk, kind="received", amount="50")
    with pytest.raises(ValidationError):
        services.void_money(desk.agent, line.pk, reason="  ")
    assert not LedgerEntry.objects.filter(voids=line).exists()


def test_received_money_already_spent_cannot_be_voided(desk, errand):
    received = services.record_money(desk.agent, errand.pk, kind="received", amount="100")
    paid = services.record_money(desk.agent, errand.pk, kind="paid", amount="80", receipt_no="DF-1")
    with pytest.raises(ValidationError, match="先作废"):
        services.void_money(desk.agent, received.pk, reason="录错")
    services.void_money(desk.agent, paid.pk, reason="票据号错")  # the payment first, then the receipt
    services.void_money(desk.agent, received.pk, reason="录错")
    errand.refresh_from_db()
    assert errand.balance() == 0


def test_a_closed_errands_ledger_is_not_voided(desk, errand):
    line = services.record_money(desk.agent, errand.pk, kind="received", amount="10")
    services.record_money(desk.agent, errand.pk, kind="returned", amount="10")
    services.complete_errand(desk.agent, errand.pk, outcome="办好")
    with pytest.raises(ValidationError):
        services.void_money(desk.agent, line.pk, reason="录错")


def test_another_stations_agent_cannot_void(desk, errand):
    line = services.record_money(desk.agent, errand.pk, kind="received", amount="10")
    with pytest.raises(LedgerEntry.DoesNotExist):
        services.void_money(desk.other_agent, line.pk, reason="录错")
    assert not LedgerEntry.objects.filter(voids=line).exists()


def test_void_page_and_refusal(desk, errand, client_for):
    line = services.record_money(desk.agent, errand.pk, kind="received", amount="30")
    client = client_for(desk.agent)
    page = client.get(f"/services/errands/{errand.pk}/").content.decode()
    assert f'id="void-{line.pk}"' in page and "作废此笔" in page
    refused = client.post(f"/services/errands/{errand.pk}/ledger/{line.pk}/void/", {"reason": ""})
    assert refused.status_code == 400 and "说明" in refused.content.decode()
    done = client.post(f"/services/errands/{errand.pk}/ledger/{line.pk}/void/", {"reason": "金额录错"})
    assert done.status_code == 302
    page = client.get(f"/services/errands/{errand.pk}/").content.decode()
    assert "已作废" in page and "金额录错" in page and f'id="void-{line.pk}"' not in page
    # a line of another errand under this errand's address is not found
    other = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description="另一件",
                                   handles_money=True)
    assert client.post(f"/services/errands/{other.pk}/ledger/{line.pk}/void/", {"reason": "x"}).status_code == 404


def test_the_cash_report_and_the_diary_net_out_voids(desk, errand):
    wrong = services.record_money(desk.agent, errand.pk, kind="received", amount="500")
    services.record_money(desk.agent, errand.pk, kind="received", amount="50")
    services.void_money(desk.agent, wrong.pk, reason="录错")
    rows = queries.cash_rows(desk.agent, errand.accepted_at.year, by_month=True)
    assert (rows[0]["received"], rows[0]["held"]) == (Decimal("50.00"), Decimal("50.00"))


def test_a_receipt_photo_belongs_to_its_payment(desk, errand, client_for):
    services.record_money(desk.agent, errand.pk, kind="received", amount="100")
    client = client_for(desk.agent)
    response = client.post(f"/services/errands/{errand.pk}/ledger/", {
        "kind": "paid", "amount": "60", "receipt_no": "DF-9",
        "receipt_photo": SimpleUploadedFile("receipt.png", png(), "image/png")})
    assert response.status_code == 302
    paid = LedgerEntry.objects.get(kind=LedgerKind.PAID)
    photo = ErrandAttachment.objects.get()
    assert photo.ledger_entry == paid and photo.errand == errand and photo.caption == "DF-9"
    page = client.get(f"/services/errands/{errand.pk}/").content.decode()
    assert f'/services/photos/{photo.pk}/' in page.split(f'id="ledger-{paid.pk}"')[1].split("</li>")[0]


def test_a_photo_is_tied_to_a_line_of_its_own_errand_only(desk, errand, client_for):
    other = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description="另一件",
                                   handles_money=True)
    services.start_errand(desk.agent, other.pk)
    foreign = services.record_money(desk.agent, other.pk, kind="received", amount="5")
    response = client_for(desk.agent).post(f"/services/errands/{errand.pk}/photos/", {
        "image": SimpleUploadedFile("r.png", png(), "image/png"), "ledger_entry": foreign.pk})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.attach_photo(desk.agent, errand.pk, SimpleUploadedFile("r.png", png(), "image/png"),
                              ledger_entry=foreign)
    assert not ErrandAttachment.objects.exists()


amounts = st.decimals(min_value=Decimal("-5"), max_value=Decimal("500"), places=2, allow_nan=False,
                      allow_infinity=False)
operations = st.lists(st.one_of(
    st.tuples(st.just("money"), st.sampled_from(LedgerKind.values), amounts),
    st.tuples(st.just("void"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("complete")), st.tuples(st.just("cancel")),
), max_size=25)


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=operations)
def test_no_sequence_with_voids_unbalances_a_ledger(desk, ops):
    errand = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills", description="代缴",
                                    handles_money=True)
    services.start_errand(desk.agent, errand.pk)
    for op in ops:
        try:
            if op[0] == "money":
                services.record_money(desk.agent, errand.pk, kind=op[1], amount=op[2], receipt_no="R")
            elif op[0] == "void":
                lines = list(LedgerEntry.objects.filter(errand=errand).order_by("pk"))
                if lines:
                    services.void_money(desk.agent, lines[op[1] % len(lines)].pk, reason="录错")
            elif op[0] == "complete":
                services.complete_errand(desk.agent, errand.pk, outcome="办结")
            else:
                services.cancel_errand(desk.agent, errand.pk, reason="不需要了")
        except ValidationError:
            pass
        errand.refresh_from_db()
        assert errand.balance() >= 0
        if errand.status in (ErrandStatus.DONE, ErrandStatus.CANCELLED):
            assert errand.balance() == 0
    entries = list(LedgerEntry.objects.filter(errand=errand))
    live = [e for e in entries if not e.is_void and not LedgerEntry.objects.filter(voids=e).exists()]
    received = sum((e.amount for e in live if e.kind == LedgerKind.RECEIVED), Decimal("0"))
    out = sum((e.amount for e in live if e.kind != LedgerKind.RECEIVED), Decimal("0"))
    assert received - out == errand.balance()  # the balance is that of the lines still standing
    assert all(LedgerEntry.objects.filter(voids=e).count() <= 1 for e in entries)


def test_the_api_ties_a_receipt_photo_to_its_line(desk, errand, client_for):
    services.record_money(desk.agent, errand.pk, kind="received", amount="100")
    paid = services.record_money(desk.agent, errand.pk, kind="paid", amount="40", receipt_no="DF-7")
    client = client_for(desk.agent)
    answer = client.post(f"/api/v1/services/errands/{errand.pk}/photos", {
        "image": SimpleUploadedFile("r.png", png(), "image/png"), "ledger_entry_id": paid.pk})
    assert answer.status_code == 201 and answer.json()["ledger_entry_id"] == paid.pk
    foreign = services.accept_errand(desk.other_agent, resident=desk.other_resident, category="pay_bills",
                                     description="别处", handles_money=True)
    services.start_errand(desk.other_agent, foreign.pk)
    elsewhere = services.record_money(desk.other_agent, foreign.pk, kind="received", amount="5")
    refused = client.post(f"/api/v1/services/errands/{errand.pk}/photos", {
        "image": SimpleUploadedFile("r.png", png(), "image/png"), "ledger_entry_id": elsewhere.pk})
    assert refused.status_code == 404 and ErrandAttachment.objects.count() == 1
