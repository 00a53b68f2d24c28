"""民生清单: cumulative progress, statuses computed from progress, milestones and the deadline."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from wanghua.civic import queries
from wanghua.civic.models import Commitment, Milestone, ProgressPhoto, ProgressReport
from wanghua.civic.services import commitments


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


def evidence(kind: str = "PNG") -> SimpleUploadedFile:
    image = BytesIO()
    Image.new("RGB", (8, 8), "green").save(image, kind)
    return SimpleUploadedFile(f"楼.{kind.lower()}", image.getvalue(), content_type=f"image/{kind.lower()}")


def test_progress_keeps_its_evidence_photos(centre, world):
    commitment = renovation(world)
    report = commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(12), note="12栋完工",
                                         photos=[evidence("PNG"), evidence("JPEG")])
    assert sorted(p.image_format for p in report.photos.all()) == ["jpg", "png"]
    assert all(p.image.read(4) for p in report.photos.all())


def test_bad_evidence_saves_nothing(centre, world):
    commitment = renovation(world)
    fake = SimpleUploadedFile("楼.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(12), note="12栋完工",
                                    photos=[evidence(), fake])
    assert "photos" in refused.value.message_dict
    with pytest.raises(ValidationError):
        commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(12), note="12栋完工",
                                    photos=[evidence() for _ in range(commitments.MAX_EVIDENCE_PHOTOS + 1)])
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()
    assert Commitment.objects.get().delivered == 0


def test_progress_page_uploads_photos(centre, world, client):
    commitment = renovation(world)
    client.force_login(centre["unit"])
    page = f"/civic/commitments/{commitment.pk}/"
    refused = client.post(f"{page}progress/", {"delivered": "3", "note": "3栋完工",
                                               "photos": [SimpleUploadedFile("x.png", b"nope")]})
    assert refused.status_code == 400 and not ProgressReport.objects.exists()
    done = client.post(f"{page}progress/", {"delivered": "3", "note": "3栋完工", "photos": [evidence(), evidence()]})
    assert done.status_code == 302
    photo_ids = list(ProgressPhoto.objects.values_list("pk", flat=True))
    assert len(photo_ids) == 2
    shown = client.get(page).content.decode()
    assert all(f"/civic/commitments/photos/{pk}/" in shown for pk in photo_ids)
    served = client.get(f"/civic/commitments/photos/{photo_ids[0]}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_delivered_share(centre, world):
    done = renovation(world, title="口袋公园3处", target=Decimal(3), target_unit="处")
    renovation(world, title="幼儿园学位", target=Decimal(360), target_unit="个")
    commitments.report_progress(centre["unit"], done.pk, delivered=Decimal(3), note="建成")
    assert queries.delivered_share(Commitment.objects.all()) == Decimal("50.0")
    assert queries.delivered_share(Commitment.objects.none()) == Decimal("0.0")


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


def test_the_stored_status_changes_only_by_the_declared_steps(centre, world):
    from django.core.management import call_command

    from wanghua.core.models import AuditEntry

    commitment = renovation(world, target=Decimal(10))
    milestone = Milestone.objects.create(commitment=commitment, title="完成招标", due=timezone.localdate())
    commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(10), note="全部完工")
    assert Commitment.objects.get().status == "delivered"
    commitments.report_progress(centre["unit"], commitment.pk, delivered=Decimal(8), note="更正：2栋未验收")
    assert Commitment.objects.get().status == "in_progress"
    assert commitments.review_commitments() == 0  # nothing has passed yet
    assert commitments.review_commitments(today=timezone.localdate() + timedelta(days=1)) == 1  # the milestone
    assert Commitment.objects.get().status == "lagging"
    commitments.complete_milestone(centre["unit"], milestone.pk)
    assert Commitment.objects.get().status == "in_progress"
    call_command("review_commitments", verbosity=0)
    labels = set(AuditEntry.objects.filter(object_id=str(commitment.pk)).values_list("label", flat=True))
    assert {"transition:commitment.deliver", "transition:commitment.resume",
            "transition:commitment.fall_behind"} <= labels
