"""身边榜样: nomination → community → street → 文明办 → 公示 (≥ 5 working days) with objections → recognition."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.culture.conftest import nominate, to_publicity
from wanghua.core.models import AuditEntry
from wanghua.culture import services
from wanghua.culture.models import Nomination, NominationStatus, Objection


def test_a_nomination_without_a_deed_is_refused_in_chinese_and_nothing_is_stored(culture, world):
    with pytest.raises(ValidationError) as refused:
        nominate(culture, world, deed="   ")
    assert "事迹" in " ".join(refused.value.messages)
    assert Nomination.objects.count() == 0


def test_a_deed_in_the_future_is_refused(culture, world):
    with pytest.raises(ValidationError):
        nominate(culture, world, deed_date=timezone.localdate() + timedelta(days=1))
    assert Nomination.objects.count() == 0


def test_the_whole_way_to_recognition(culture, world):
    nomination = nominate(culture, world)
    assert nomination.status == NominationStatus.SUBMITTED
    nomination = to_publicity(culture, nomination)
    assert nomination.status == NominationStatus.PUBLICITY
    assert nomination.community_opinion == "属实" and nomination.street_opinion == "同意"
    first, last = nomination.publicity_starts, nomination.publicity_ends
    working = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert sum(services.is_working_day(d) for d in working) == 5  # at least 5 working days, counted officially
    objection = services.file_objection(None, nomination.pk, text="事迹时间有出入", contact="13900001111")
    with pytest.raises(ValidationError):  # still in the 公示
        services.recognise_nomination(culture.office, nomination.pk)
    Nomination.objects.filter(pk=nomination.pk).update(publicity_ends=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as unanswered:  # over, but the objection has no answer
        services.recognise_nomination(culture.office, nomination.pk)
    assert "异议" in " ".join(unanswered.value.messages)
    services.answer_objection(culture.office, objection.pk, answer="经核实，事迹属实")
    recognised = services.recognise_nomination(culture.office, nomination.pk)
    assert recognised.status == NominationStatus.RECOGNISED and recognised.recognised_on == timezone.localdate()
    labels = set(AuditEntry.objects.filter(object_id=str(nomination.pk)).values_list("label", flat=True))
    assert {"transition:nomination.approve", "transition:nomination.recognise"} <= labels


def test_each_level_reviews_only_its_own_step(culture, world):
    nomination = nominate(culture, world)
    with pytest.raises(PermissionDenied):  # the street cannot take the community's review
        services.approve_nomination(culture.street, nomination.pk)
    with pytest.raises(Nomination.DoesNotExist):  # another community does not even see it
        services.approve_nomination(culture.other_secretary, nomination.pk)
    with pytest.raises(PermissionDenied):  # the nominator does not review
        services.approve_nomination(culture.resident, nomination.pk)
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.SUBMITTED


def test_a_reject_needs_a_reason_and_ends_the_nomination(culture, world):
    nomination = nominate(culture, world)
    with pytest.raises(ValidationError):
        services.reject_nomination(culture.secretary, nomination.pk, reason=" ")
    rejected = services.reject_nomination(culture.secretary, nomination.pk, reason="事迹无法核实")
    assert rejected.status == NominationStatus.REJECTED
    with pytest.raises(ValidationError):
        services.approve_nomination(culture.secretary, nomination.pk)


def test_an_objection_after_the_publicity_is_refused_and_nothing_is_stored(culture, world):
    nomination = to_publicity(culture, nominate(culture, world))
    Nomination.objects.filter(pk=nomination.pk).update(publicity_ends=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        services.file_objection(None, nomination.pk, text="太晚了")
    assert "公示" in " ".join(refused.value.messages)
    assert Objection.objects.count() == 0


def test_no_objection_to_a_nomination_not_on_public_notice(culture, world):
    nomination = nominate(culture, world)
    with pytest.raises(Nomination.DoesNotExist):
        services.file_objection(None, nomination.pk, text="异议")
    assert Objection.objects.count() == 0


def test_the_office_may_reject_during_the_publicity_when_an_objection_holds(culture, world):
    nomination = to_publicity(culture, nominate(culture, world))
    services.file_objection(culture.resident, nomination.pk, text="此人有不良记录")
    assert services.reject_nomination(culture.office, nomination.pk, reason="异议属实").status == "rejected"


def test_publicity_window_counts_working_days_over_a_holiday():
    # 2026-10-01..08 is the National Day holiday; 2026-09-30 is a Wednesday.
    first, last = services.publicity_window(date(2026, 9, 30), 5)
    assert first == date(2026, 9, 30)
    assert last > date(2026, 10, 8)  # the holiday week does not count


def test_only_the_community_s_staff_nominate_in_its_name(culture, world):
    with pytest.raises(PermissionDenied):
        nominate(culture, world, by_community=True)
    made = services.nominate(culture.secretary, nominee_name="李奉献", community=world.community1, category="post",
                             deed="坚守岗位三十年。", deed_date=date(2025, 3, 5), by_community=True)
    assert made.by_community
