"""民生清单: cumulative progress, statuses computed from progress, milestones and the deadline."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wanghua.civic import commitments
from wanghua.civic.models import Commitment, Milestone, ProgressReport


def renovation(world, **extra) -> Commitment:
    fields = {"year": timezone.localdate().year, "title": "老旧小区改造：6个社区56栋楼，惠及5034户",
              "target": Decimal(56), "target_unit": "栋", "unit": world.dept, "region": world.street1,
              "deadline": timezone.localdate() + timedelta(days=60)} | extra
    return Commitment.objects.create(**fields)


def test_progress_delivers_the_commitment(centre, world):
    commitment = renovation(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    milestone = Milestone.objects.create(commitment=commitment, title="完成招标", due=tomorrow)
    assert commitments.status(commitment) == "in_progress"
    assert commitments.status(commitment, today=timezone.localdate() + timedelta(days=2)) == "lagging"
    commitments.complete_milestone(centre["unit"], milestone.pk)
    assert commitments.status(commitment, today=timezone.localdate() + timedelta(days=2)) == "in_progress"
    commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(30), note="30栋完工")
    with pytest.raises(ValidationError):
        commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(20), note="统计口径")
    commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(28), note="更正：2栋未验收")
    commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(56), note="全部完工")
    commitment.refresh_from_db()
    assert commitments.status(commitment) == "delivered" and commitment.delivered_on == timezone.localdate()
    assert ProgressReport.objects.filter(commitment=commitment).count() == 3
    assert commitments.status(commitment, today=commitment.deadline + timedelta(days=1)) == "delivered"


def test_bad_progress_is_refused(centre, world, make_user):
    commitment = renovation(world)
    for bad in ({"delivered": Decimal(-1), "note": "x"}, {"delivered": Decimal(5600), "note": "x"},
                {"delivered": Decimal(5), "note": "  "},
                {"delivered": Decimal(5), "note": "x", "reported_on": date(2099, 1, 1)}):
        with pytest.raises(ValidationError):
            commitments.report_progress(centre["unit"], commitment.pk, **bad)
    with pytest.raises(Commitment.DoesNotExist):  # outside the inspector's grid: not even seen
        commitments.report_progress(centre["grid"], commitment.pk, delivered=Decimal(1), note="x")
    street = make_user("street-staff", "street", region=world.street1)
    with pytest.raises(PermissionDenied):  # the street sees it but the responsible unit reports
        commitments.report_progress(street, commitment.pk, delivered=Decimal(1), note="x")
    assert not ProgressReport.objects.exists()
    assert Commitment.objects.get().delivered == 0


def test_delivered_share(centre, world):
    done = renovation(world, title="口袋公园3处", target=Decimal(3), target_unit="处")
    renovation(world, title="幼儿园学位", target=Decimal(360), target_unit="个")
    commitments.report_progress(centre["unit"], done.pk, delivered=Decimal(3), note="建成")
    assert commitments.delivered_share(Commitment.objects.all()) == Decimal("50.0")
    assert commitments.delivered_share(Commitment.objects.none()) == Decimal("0.0")


def test_a_department_adds_its_own_commitments(centre, world):
    from wanghua.org.models import Unit, UnitKind

    year = timezone.localdate().year
    fields = {"year": year, "title": "新建公办幼儿园", "target": Decimal(360), "target_unit": "个学位",
              "region": world.district, "deadline": date(year, 12, 31)}
    made = commitments.create_commitment(centre["unit"], unit=world.dept, **fields)
    assert made.delivered == 0 and commitments.status(made) == "in_progress"
    other = Unit.objects.create(code="dept-edu", name="区教育局", kind=UnitKind.DEPARTMENT, region=world.district)
    with pytest.raises(PermissionDenied):
        commitments.create_commitment(centre["unit"], unit=other, **fields)
    with pytest.raises(ValidationError):
        commitments.create_commitment(centre["unit"], unit=world.dept, **{**fields, "target": Decimal(0)})
    with pytest.raises(ValidationError):
        commitments.create_commitment(centre["unit"], unit=world.dept, **{**fields, "deadline": date(year + 1, 1, 5)})
    assert Commitment.objects.count() == 1
