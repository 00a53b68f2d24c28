"""The errand lifecycle 受理 → 办理中 → 办结 → 回访 (取消, 退回), and the ledger that must balance."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from wanghua.core.models import AuditEntry
from wanghua.org.models import Person
from wanghua.stations import services
from wanghua.stations.models import Errand, ErrandStatus, LedgerEntry, Resident, Station
from wanghua.stations.services import TransitionError


def accept(desk, **extra):
    return services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills",
                                  description="代缴燃气费", handles_money=True, **extra)


def test_full_journey_with_a_balanced_ledger(desk):
    errand = accept(desk)
    assert errand.status == ErrandStatus.ACCEPTED and errand.agent.user == desk.agent
    services.start_errand(desk.agent, errand.pk)
    services.record_money(desk.agent, errand.pk, kind="received", amount="200")
    services.record_money(desk.agent, errand.pk, kind="paid", amount="186.40", receipt_no="RQ-20260101")
    with pytest.raises(ValidationError):
        services.complete_errand(desk.agent, errand.pk, outcome="已缴费")  # 13.60 still held
    services.record_money(desk.agent, errand.pk, kind="returned", amount="13.60")
    done = services.complete_errand(desk.agent, errand.pk, outcome="已缴费，余款已退")
    assert done.status == ErrandStatus.DONE and done.balance() == Decimal("0.00")
    visited = services.record_visit(desk.agent, errand.pk, satisfaction=5, comment="很满意")
    assert visited.status == ErrandStatus.VISITED
    labels = list(AuditEntry.objects.filter(object_id=str(errand.pk), label__regex=r"^(errand:|transition:errand\.)")
                  .order_by("id").values_list("label", flat=True))
    assert labels == ["errand:accept", "transition:errand.start", "transition:errand.complete",
                      "transition:errand.visit"]


def test_steps_out_of_order_are_refused_in_chinese(desk):
    errand = accept(desk)
    with translation.override("zh-hans"), pytest.raises(TransitionError) as caught:
        services.complete_errand(desk.agent, errand.pk, outcome="x")
    assert "受理" in str(caught.value)
    with pytest.raises(TransitionError):
        services.record_visit(desk.agent, errand.pk, satisfaction=4)
    errand.refresh_from_db()
    assert errand.status == ErrandStatus.ACCEPTED


def test_cancel_and_return_need_a_reason_and_no_money_held(desk):
    errand = accept(desk)
    services.start_errand(desk.agent, errand.pk)
    services.record_money(desk.agent, errand.pk, kind="received", amount="50")
    with pytest.raises(ValidationError):
        services.cancel_errand(desk.agent, errand.pk, reason="居民不需要了")
    services.record_money(desk.agent, errand.pk, kind="returned", amount="50")
    assert services.cancel_errand(desk.agent, errand.pk, reason="居民不需要了").status == ErrandStatus.CANCELLED
    second = accept(desk)
    with pytest.raises(ValidationError):
        services.return_errand(desk.agent, second.pk, reason=" ")
    assert services.return_errand(desk.agent, second.pk, reason="需到派出所本人办理").status == ErrandStatus.RETURNED


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "1.234", "NaN", "Infinity", "100000000"])
def test_bad_amounts_are_refused(desk, amount):
    errand = accept(desk)
    with pytest.raises(ValidationError):
        services.record_money(desk.agent, errand.pk, kind="received", amount=amount)
    assert not LedgerEntry.objects.exists()


def test_paying_more_than_held_or_without_receipt_is_refused(desk):
    errand = accept(desk)
    services.record_money(desk.agent, errand.pk, kind="received", amount="10")
    with pytest.raises(ValidationError):
        services.record_money(desk.agent, errand.pk, kind="paid", amount="10.01", receipt_no="R1")
    with pytest.raises(ValidationError):
        services.record_money(desk.agent, errand.pk, kind="paid", amount="5")
    assert Errand.objects.get(pk=errand.pk).balance() == Decimal("10.00")


def test_an_agent_cannot_act_outside_their_station(desk):
    errand = accept(desk)
    with pytest.raises(Errand.DoesNotExist):
        services.start_errand(desk.other_agent, errand.pk)
    with pytest.raises(Errand.DoesNotExist):
        services.record_money(desk.other_agent, errand.pk, kind="received", amount="1")
    with pytest.raises((PermissionDenied, ValidationError)):
        services.accept_errand(desk.other_agent, resident=desk.resident, category="shopping", description="买米")
    assert Errand.objects.count() == 1 and not LedgerEntry.objects.exists()


def test_residents_are_checked(desk, world):
    root = desk.station.unit  # noqa: F841  (the station exists)
    with pytest.raises(ValidationError) as bad:
        services.register_resident(desk.agent, name="错号", station=desk.station, id_number="210404194803051220")
    assert "id_number" in bad.value.message_dict
    with pytest.raises(ValidationError) as dup:
        services.register_resident(desk.agent, name="重号", station=desk.station, id_number="210404194803051229")
    assert "id_number" in dup.value.message_dict


def test_unknown_category_and_past_due_time(desk):
    from django.utils import timezone

    with pytest.raises(ValidationError):
        services.accept_errand(desk.agent, resident=desk.resident, category="lottery", description="买彩票")
    with pytest.raises(ValidationError):
        accept(desk, due_at=timezone.now())


# Guards that scripts/guard_mutants.py could delete with every test still passing, each pinned here.

def test_an_errand_goes_to_one_of_the_station_s_own_agents(desk):
    stranger = Person.objects.get(user=desk.other_agent)  # the other station's agent
    with pytest.raises(ValidationError) as refused:
        accept(desk, agent=stranger)
    assert "agent" in refused.value.message_dict


def test_a_paused_station_takes_no_new_errands(desk):
    Station.objects.filter(pk=desk.station.pk).update(active=False)
    with pytest.raises(ValidationError) as refused:
        services.accept_errand(desk.agent, resident=Resident.objects.get(pk=desk.resident.pk),
                               category="pay_bills", description="代缴水费")
    assert "resident" in refused.value.message_dict
    assert not Errand.objects.filter(description="代缴水费").exists()


def test_completion_needs_an_outcome_and_a_visit_a_score_from_1_to_5(desk):
    errand = accept(desk)
    services.start_errand(desk.agent, errand.pk)
    with pytest.raises(ValidationError) as no_outcome:
        services.complete_errand(desk.agent, errand.pk, outcome="   ")
    assert "outcome" in no_outcome.value.message_dict
    assert Errand.objects.get(pk=errand.pk).status == ErrandStatus.IN_PROGRESS
    services.complete_errand(desk.agent, errand.pk, outcome="已代缴")
    for score in (0, 6):
        with pytest.raises(ValidationError) as bad_score:
            services.record_visit(desk.agent, errand.pk, satisfaction=score)
        assert "satisfaction" in bad_score.value.message_dict
    assert Errand.objects.get(pk=errand.pk).status == ErrandStatus.DONE


def test_money_only_of_a_known_kind_on_an_errand_that_handles_money(desk):
    errand = accept(desk)
    services.start_errand(desk.agent, errand.pk)
    with pytest.raises(ValidationError) as unknown_kind:
        services.record_money(desk.agent, errand.pk, kind="borrowed", amount="20")
    assert "kind" in unknown_kind.value.message_dict
    no_money = services.accept_errand(desk.agent, resident=desk.resident, category="pay_bills",
                                      description="只跑腿", handles_money=False)
    services.start_errand(desk.agent, no_money.pk)
    with pytest.raises(ValidationError):
        services.record_money(desk.agent, no_money.pk, kind="received", amount="20")
    assert not LedgerEntry.objects.filter(errand__in=[errand, no_money]).exists()
