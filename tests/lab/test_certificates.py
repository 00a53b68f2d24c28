"""智检中心 issue 19: heat chemistry with Ceq against Table 2, 审核/批准 by a second person, numbered certificates per
delivery with the truthful verdict, superseded in the correction's own transaction, reissued with a new number."""

from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from wanghua.core.models import AuditEntry
from wanghua.lab import services as lab
from wanghua.lab.models import (
    Certificate,
    CertificateStatus,
    Delivery,
    GradeLimit,
    HeatAnalysis,
    LabOrder,
    Review,
    TestResult,
    Verdict,
)
from wanghua.lab.services import certificates, chemistry, review

GOOD_TENSILE = {"yield_strength": 455, "tensile_strength": 610, "elongation": 24, "agt": 12.5}
GOOD_MELT = {"c": "0.22", "si": "0.45", "mn": "1.38", "p": "0.028", "s": "0.021", "v": "0.035"}


@pytest.fixture
def inspector(make_user, world):
    return make_user("lab1", "lab", unit=world.enterprise1, first_name="郑检验")


@pytest.fixture
def reviewer(make_user, world):
    return make_user("rev1", "lab_reviewer", unit=world.enterprise1, first_name="孙审核")


def heat_tested(actor, world, heat="25H10001", grade="HRB400E", diameter=20, failing_tensile=False,
                melt=GOOD_MELT) -> LabOrder:
    order = lab.create_order(actor, enterprise=world.enterprise1, heat=heat, grade=grade, diameter=diameter,
                             sampled_at=timezone.now())
    for s in order.specimens.filter(retest=False):
        values = {"tensile": GOOD_TENSILE, "bend": {"passed_bend": True}, "rebend": {"passed_bend": True},
                  "weight": {"weight_deviation": -2.1}}[s.kind]
        if failing_tensile and s.kind == "tensile" and s.number == 2:
            values = {**GOOD_TENSILE, "agt": 8.1}
        lab.post_result(actor, s.pk, instrument="拉伸机器人-1", **values)
    for s in order.specimens.filter(retest=True):
        lab.post_result(actor, s.pk, instrument="拉伸机器人-1", **GOOD_TENSILE)
    if melt:
        chemistry.post_analysis(actor, order.pk, instrument="直读光谱仪-1", **melt)
    order.refresh_from_db()
    return order


def delivery_of(actor, *orders, weight="36.480", bundles=12) -> Delivery:
    first = orders[0]
    return certificates.create_delivery(actor, customer="抚顺城建集团", contract="HT-2026-0815", grade=first.grade,
                                        diameter=first.diameter, bundles=bundles, weight=weight,
                                        orders=[o.pk for o in orders])


# --- chemistry -------------------------------------------------------------------------------------------------

def test_ceq_is_computed_and_judged_against_table_2_as_data(inspector, world):
    limits = GradeLimit.objects.get(grade="HRB400E")
    assert (limits.c_max, limits.ceq_max) == (Decimal("0.250"), Decimal("0.540"))  # GB/T 1499.2-2018 Table 2
    assert GradeLimit.objects.get(grade="HRB600").ceq_max == Decimal("0.580")
    order = heat_tested(inspector, world)
    analysis = HeatAnalysis.objects.get(order=order)
    # 0.22 + 1.38/6 + 0.035/5 = 0.457
    assert analysis.ceq == Decimal("0.4570") and analysis.verdict == Verdict.PASS
    assert "Ceq 0.46% ≤ 0.54%" in analysis.verdict_rule and "C 0.22% ≤ 0.25%" in analysis.verdict_rule
    assert order.verdict == Verdict.PASS and order.review == Review.AWAITING
    assert chemistry.ceq_of({"c": Decimal("0.2"), "mn": Decimal("1.2"), "cr": Decimal("0.1"), "mo": Decimal("0.05"),
                             "v": Decimal("0.05"), "cu": Decimal("0.15"), "ni": Decimal("0.15")}) == Decimal("0.4600")


def test_a_melt_over_the_ceq_maximum_fails_the_heat(inspector, world):
    order = heat_tested(inspector, world, melt={**GOOD_MELT, "mn": "1.60", "c": "0.25", "v": "0.20"})
    assert order.verdict == Verdict.FAIL and "Ceq 0.54% ≤ 0.54%" not in order.verdict_rule
    assert "Ceq 0.56% ≤ 0.54% 不满足" in order.verdict_rule


@pytest.mark.parametrize(("values", "message"), [
    ({**GOOD_MELT, "c": "2.5"}, "C 2.5000 % 在钢中不可能"),
    ({**GOOD_MELT, "s": "-0.01"}, "S 不能为负"),
    ({**GOOD_MELT, "mn": "20", "cr": "30", "ni": "40", "mo": "10", "si": "5"}, "超过 100 %"),
    ({k: v for k, v in GOOD_MELT.items() if k != "p"}, "需要 P"),
    ({**GOOD_MELT, "c": "abc"}, "必须是数字"),
])
def test_impossible_chemistry_is_refused_in_chinese_and_nothing_is_written(inspector, world, values, message):
    order = heat_tested(inspector, world, melt=None)
    with pytest.raises(ValidationError) as refused:
        chemistry.post_analysis(inspector, order.pk, **values)
    assert message in " ".join(refused.value.messages)
    assert not HeatAnalysis.objects.exists()
    order.refresh_from_db()
    assert order.verdict == Verdict.PASS and order.review == Review.AWAITING


def test_analyses_are_append_only_and_on_a_chain_lab_verify_checks(inspector, world):
    order = heat_tested(inspector, world)
    with pytest.raises(ValidationError):
        chemistry.post_analysis(inspector, order.pk, **GOOD_MELT)  # a second analysis without correction
    with pytest.raises(ValidationError):
        chemistry.post_analysis(inspector, order.pk, correction=True, **GOOD_MELT)  # no reason
    chemistry.post_analysis(inspector, order.pk, correction=True, reason="重新取样复验", **{**GOOD_MELT, "c": "0.21"})
    assert chemistry.verify_analyses() == (2, None, "")
    with pytest.raises(ValueError):
        HeatAnalysis.objects.filter(order=order).update(c=Decimal("0.1"))
    out = StringIO()
    call_command("lab_verify", stdout=out)
    assert "chain intact: 6 results, 2 analyses, 0 certificates" in out.getvalue()
    victim = HeatAnalysis.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE lab_heatanalysis SET c = %s WHERE id = %s", [Decimal("0.1"), victim.pk])
    assert chemistry.verify_analyses()[1] == victim.pk
    with pytest.raises(SystemExit):
        call_command("lab_verify", stdout=StringIO(), stderr=StringIO())


# --- review and approval -------------------------------------------------------------------------------------

def test_the_approver_is_never_the_entrant_or_a_corrector(inspector, reviewer, world, make_user):
    order = heat_tested(inspector, world)
    manager = make_user("head", "plant_manager", unit=world.enterprise1)  # lab.*: may record and approve
    with pytest.raises(PermissionDenied):
        review.approve(inspector, order.pk)  # the entrant has no reviewer permission anyway; and:
    tensile = order.specimens.get(kind="tensile", number=1)
    lab.post_result(manager, tensile.pk, correction=True, reason="复核原始曲线", **{**GOOD_TENSILE, "agt": 12.0})
    with pytest.raises(ValidationError) as refused:
        review.approve(manager, order.pk)
    assert "另一位" in " ".join(refused.value.messages)
    order.refresh_from_db()
    assert order.review == Review.AWAITING and order.reviewed_by is None
    approved = review.approve(reviewer, order.pk, note="同意")
    assert approved.review == Review.APPROVED and approved.reviewed_by == reviewer
    assert AuditEntry.objects.filter(label="transition:lab_review.approve").exists()


def test_approval_by_an_entrant_with_the_permission_is_refused(inspector, world, make_user):
    head = make_user("head", "plant_manager", unit=world.enterprise1)
    order = heat_tested(head, world)
    with pytest.raises(ValidationError):
        review.approve(head, order.pk)
    with pytest.raises(PermissionDenied):
        review.approve(inspector, order.pk)  # no reviewer permission


def test_refusal_needs_a_reason_and_a_correction_sends_the_heat_back(inspector, reviewer, world):
    order = heat_tested(inspector, world, melt=None)
    with pytest.raises(ValidationError):
        review.approve(reviewer, order.pk)  # no melt analysis yet
    with pytest.raises(ValidationError):
        review.refuse(reviewer, order.pk, "")
    refused = review.refuse(reviewer, order.pk, "缺熔炼分析")
    assert refused.review == Review.REFUSED and refused.review_note == "缺熔炼分析"
    assert AuditEntry.objects.filter(label="transition:lab_review.refuse").exists()
    chemistry.post_analysis(inspector, order.pk, **GOOD_MELT)
    order.refresh_from_db()
    assert order.review == Review.AWAITING
    assert review.approve(reviewer, order.pk).review == Review.APPROVED


def test_an_undecided_heat_cannot_be_approved_and_a_retest_reopens_review(inspector, reviewer, world):
    order = lab.create_order(inspector, enterprise=world.enterprise1, heat="25H10009", grade="HRB400E", diameter=20,
                             sampled_at=timezone.now())
    with pytest.raises(ValidationError):
        review.approve(reviewer, order.pk)
    order = heat_tested(inspector, world, heat="25H10010")
    review.approve(reviewer, order.pk)
    tensile = order.specimens.get(kind="tensile", number=1)
    lab.post_result(inspector, tensile.pk, correction=True, reason="试样夹持打滑", **{**GOOD_TENSILE, "agt": 7.9})
    order.refresh_from_db()
    assert order.verdict == Verdict.RETEST and order.review == Review.OPEN


def test_the_review_queue_lists_heats_awaiting_review(inspector, reviewer, world, client_for):
    waiting = heat_tested(inspector, world)
    done = heat_tested(inspector, world, heat="25H10002")
    review.approve(reviewer, done.pk)
    page = client_for(reviewer).get("/lab/review/").content.decode()
    assert waiting.heat in page and done.heat not in page


# --- certificates --------------------------------------------------------------------------------------------

def test_a_certificate_for_an_undecided_or_unapproved_heat_or_a_bad_delivery_is_refused(inspector, reviewer, world):
    open_order = lab.create_order(inspector, enterprise=world.enterprise1, heat="25H10003", grade="HRB400E",
                                  diameter=20, sampled_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        certificates.issue_certificate(inspector, delivery_of(inspector, open_order).pk)
    assert "尚未判定" in " ".join(refused.value.messages)
    unapproved = heat_tested(inspector, world)
    with pytest.raises(ValidationError) as refused:
        certificates.issue_certificate(inspector, delivery_of(inspector, unapproved).pk)
    assert "尚未审核批准" in " ".join(refused.value.messages)
    for weight in ("0", "-3"):
        with pytest.raises(ValidationError) as refused:
            delivery_of(inspector, unapproved, weight=weight)
        assert "交货重量必须大于 0 t" in " ".join(refused.value.messages)
    other = heat_tested(inspector, world, heat="25H10004", grade="HRB500E")
    with pytest.raises(ValidationError):
        delivery_of(inspector, unapproved, other)  # two grades in one delivery
    assert Delivery.objects.count() == 2 and not Certificate.objects.exists()


def test_the_certificate_is_numbered_and_says_what_happened(inspector, reviewer, world):
    certificates.configure_lab(reviewer, world.enterprise1, lab_name="一号钢厂智检中心",
                               number_pattern="YG-ZB{yy}{seq:04d}", seal=_png())
    with pytest.raises(ValidationError):
        certificates.configure_lab(reviewer, world.enterprise1, number_pattern="ZB-{year}")  # no {seq}
    with pytest.raises(ValidationError):
        certificates.configure_lab(reviewer, world.enterprise1, number_pattern="ZB{seq}{nope}")
    with pytest.raises(ValidationError):
        certificates.configure_lab(reviewer, world.enterprise1, number_pattern="ZB{seq}", seal=b"not an image")
    order = heat_tested(inspector, world, failing_tensile=True)
    assert order.verdict == Verdict.PASS and "拉伸2初检不合格，加倍复检合格" in order.verdict_rule
    review.approve(reviewer, order.pk)
    certificate = certificates.issue_certificate(inspector, delivery_of(inspector, order).pk)
    year = timezone.localdate().year % 100
    assert certificate.number == f"YG-ZB{year:02d}0001"
    content = certificate.content
    assert (content["customer"], content["contract"], content["bundles"], content["weight"]) == (
        "抚顺城建集团", "HT-2026-0815", 12, "36.480")
    heat = content["heats"][0]
    assert heat["verdict_text"] == "合格（拉伸2初检不合格，加倍复检合格）"
    assert heat["chemistry"]["ceq"] == "0.46" and heat["chemistry"]["limits"]["Ceq"] == "0.54"
    assert heat["inspectors"] == ["郑检验"] and heat["approver"] == "孙审核"
    assert any("Agt ≥ 9%" in t["limits"] for t in heat["tests"]) and len(heat["tests"]) == 10
    assert content["seal_sha256"] and "拉伸2初检不合格" in content["verdict"]
    assert certificates.verify_certificate(certificate).matches
    with pytest.raises(ValidationError):  # one valid certificate per delivery
        certificates.issue_certificate(inspector, certificate.delivery_id)
    second = certificates.issue_certificate(inspector, delivery_of(inspector, order, weight="2.1").pk)
    assert second.number == f"YG-ZB{year:02d}0002" and second.previous_hash == certificate.hash
    text = _pdf_text(certificates.render_delivery_certificate(certificate, "https://example.org/verify/x/"))
    for expected in (certificate.number, "抚顺城建集团", "HT-2026-0815", "36.480", "Ceq", "0.54", "孙审核", "郑检验",
                     "拉伸2初检不合格，加倍复检合格", certificate.hash[:20]):
        assert expected in text, expected
    assert "全部" not in text


def test_the_sha256_covers_the_content(inspector, reviewer, world):
    order = heat_tested(inspector, world)
    review.approve(reviewer, order.pk)
    certificate = certificates.issue_certificate(inspector, delivery_of(inspector, order).pk)
    assert certificates.verify_certificates() == (1, None, "")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE lab_certificate SET content = %s WHERE id = %s",
                       [str(certificate.content).replace("36.480", "46.480").replace("'", '"').replace("True", "true")
                        .replace("False", "false"), certificate.pk])
    certificate.refresh_from_db()
    assert not certificates.verify_certificate(certificate).content_intact
    assert certificates.verify_certificates()[1] == certificate.pk


def test_a_correction_voids_the_certificate_at_once_and_a_reissue_refers_back(inspector, reviewer, world, make_user):
    order = heat_tested(inspector, world)
    review.approve(reviewer, order.pk)
    old = certificates.issue_certificate(inspector, delivery_of(inspector, order).pk)
    bend = order.specimens.get(kind="bend", number=1)
    with pytest.raises(ValidationError):  # a refused correction (no reason) voids nothing
        lab.post_result(inspector, bend.pk, correction=True, passed_bend=True)
    old.refresh_from_db()
    assert old.status == CertificateStatus.VALID
    lab.post_result(inspector, bend.pk, correction=True, reason="复核录像", passed_bend=True)
    old.refresh_from_db()
    assert old.status == CertificateStatus.VOID and "弯曲1" in old.void_reason and "复核录像" in old.void_reason
    check = certificates.verify_certificate(old)
    assert not check.matches and check.changed == ["弯曲1"] and check.records_intact
    order.refresh_from_db()
    assert order.review == Review.AWAITING
    with pytest.raises(ValidationError):  # not approved again yet
        certificates.issue_certificate(inspector, old.delivery_id)
    review.approve(reviewer, order.pk)
    new = certificates.issue_certificate(inspector, old.delivery_id)
    assert new.replaces == old and new.number != old.number and new.content["replaces"] == old.number
    assert certificates.verify_certificate(new).matches
    # an analysis correction voids too; and a reviewer may withdraw one with a reason
    chemistry.post_analysis(inspector, order.pk, correction=True, reason="光谱仪校准后复测", **GOOD_MELT)
    new.refresh_from_db()
    assert new.status == CertificateStatus.VOID and "熔炼分析" in new.void_reason
    review.approve(reviewer, order.pk)
    third = certificates.issue_certificate(inspector, old.delivery_id)
    with pytest.raises(ValidationError):
        certificates.revoke_certificate(reviewer, third.pk, "")
    revoked = certificates.revoke_certificate(reviewer, third.pk, "收货单位名称有误")
    assert revoked.status == CertificateStatus.VOID and revoked.void_reason == "收货单位名称有误"
    assert certificates.verify_certificates() == (3, None, "")


def test_a_valid_certificate_whose_records_changed_outside_the_app_is_caught(inspector, reviewer, world):
    order = heat_tested(inspector, world)
    review.approve(reviewer, order.pk)
    certificate = certificates.issue_certificate(inspector, delivery_of(inspector, order).pk)
    victim = TestResult.objects.filter(specimen__order=order, specimen__kind="tensile").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE industry_testresult SET agt = %s WHERE id = %s", [Decimal("13.5"), victim.pk])
    check = certificates.verify_certificate(certificate)
    assert not check.records_intact and not check.matches


def test_lab_verify_finds_a_valid_certificate_on_a_revision_written_behind_the_apps_back(inspector, reviewer, world):
    order = heat_tested(inspector, world)
    review.approve(reviewer, order.pk)
    certificate = certificates.issue_certificate(inspector, delivery_of(inspector, order).pk)
    latest = TestResult.objects.filter(specimen__order=order).order_by("pk").last()
    forged = TestResult(**{f.attname: getattr(latest, f.attname) for f in TestResult._meta.concrete_fields
                           if f.attname not in ("id", "revision", "hash", "recorded_at")},
                        revision=latest.revision + 1, recorded_at=timezone.now(), hash="f" * 64)
    forged.save()  # no voiding: not through the services
    assert certificates.verify_certificates() == (1, certificate.pk,
                                                  "a valid certificate's records changed after issue")


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).ellipse((5, 5, 195, 195), outline=(200, 0, 0, 255), width=8)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_the_demo_year_has_chemistry_reviews_deliveries_and_certificates(inspector, reviewer, world):
    import random
    from datetime import timedelta

    from wanghua.demo import lab_demo

    start = (timezone.now() - timedelta(days=14)).replace(hour=0, minute=0, second=0, microsecond=0)
    lab_demo.generate(world.enterprise1, inspector, start=start, days=12, heats_per_day=5,
                      robot_from=start + timedelta(days=4), rng=random.Random(5), reviewer=reviewer)
    orders = LabOrder.objects.all()
    assert HeatAnalysis.objects.count() == orders.count() == 60
    assert orders.filter(review=Review.APPROVED).count() > 40 and orders.filter(review=Review.AWAITING).exists()
    issued = lab_demo.certify(world.enterprise1, inspector, reviewer, days=30, rng=random.Random(7))
    assert issued == Certificate.objects.count() > 5
    void = Certificate.objects.get(status=CertificateStatus.VOID)
    assert void.replaced_by.content["replaces"] == void.number and void.replaced_by.status == CertificateStatus.VALID
    assert chemistry.verify_analyses()[2] == "" and certificates.verify_certificates()[2] == ""
    assert lab.verify_chain().reason == ""
    assert all(certificates.verify_certificate(c).matches for c in Certificate.objects.filter(status="valid"))


def test_the_voiding_and_the_correction_are_one_transaction(inspector, reviewer, world, monkeypatch):
    order = heat_tested(inspector, world)
    review.approve(reviewer, order.pk)
    certificate = certificates.issue_certificate(inspector, delivery_of(inspector, order).pk)
    real = certificates.supersede_for

    def void_then_fail(*args, **kwargs):
        assert real(*args, **kwargs)  # voided ...
        raise RuntimeError("the disk is full")  # ... and then the correction fails

    monkeypatch.setattr(certificates, "supersede_for", void_then_fail)
    bend = order.specimens.get(kind="bend", number=1)
    before = TestResult.objects.count()
    with pytest.raises(RuntimeError):
        lab.post_result(inspector, bend.pk, correction=True, reason="复核录像", passed_bend=True)
    certificate.refresh_from_db()
    order.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID and TestResult.objects.count() == before
    assert order.review == Review.APPROVED


def test_the_lab_uploads_its_seal_and_sets_its_number_pattern(reviewer, inspector, world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wanghua.lab.models import LabProfile

    client = client_for(reviewer)
    assert client.get("/lab/settings/").status_code == 200
    refused = client.post("/lab/settings/", {"number_pattern": "ZB-{year}"})
    assert refused.status_code == 400 and "{seq}" in refused.content.decode()
    assert not LabProfile.objects.exists()
    bad_seal = client.post("/lab/settings/", {"number_pattern": "ZB{year}-{seq:05d}",
                                              "seal": SimpleUploadedFile("seal.png", b"GIF89a...")})
    assert bad_seal.status_code == 400 and "PNG 或 JPEG" in bad_seal.content.decode()
    saved = client.post("/lab/settings/", {"lab_name": "一号钢厂智检中心", "number_pattern": "ZB{year}-{seq:05d}",
                                           "seal": SimpleUploadedFile("seal.png", _png(), "image/png")})
    assert saved.status_code == 302
    profile = LabProfile.objects.get(enterprise=world.enterprise1)
    assert profile.seal_format == "png" and len(profile.seal_sha256) == 64
    assert client_for(inspector).get("/lab/settings/").status_code == 403


def test_api_approval_refuses_the_entrant_and_an_empty_reason(inspector, reviewer, world, client_for):
    order = heat_tested(inspector, world)
    as_inspector, as_reviewer = client_for(inspector), client_for(reviewer)
    own = as_inspector.post(f"/api/v1/lab/orders/{order.pk}/approve", {}, content_type="application/json")
    assert own.status_code in (400, 403, 422)  # the entrant holds no reviewer right, or is refused as entrant
    empty = as_reviewer.post(f"/api/v1/lab/orders/{order.pk}/refuse", {"reason": ""},
                             content_type="application/json")
    assert empty.status_code == 422
    order.refresh_from_db()
    assert order.review == "awaiting"
    approved = as_reviewer.post(f"/api/v1/lab/orders/{order.pk}/approve", {"note": "齐全"},
                                content_type="application/json")
    assert approved.status_code == 200 and approved.json()["review"] == "approved"
