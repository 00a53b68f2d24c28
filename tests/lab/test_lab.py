"""智检中心: verdicts that name their rule, retests, corrections as revisions, the tamper-evident chain."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from wanghua.lab import services as lab
from wanghua.lab.models import LabOrder, Specimen, TestResult, Verdict

GOOD_TENSILE = {"yield_strength": 455, "tensile_strength": 610, "elongation": 24, "agt": 12.5}


@pytest.fixture
def inspector(make_user, world):
    return make_user("lab1", "lab", unit=world.enterprise1)


def order_for(actor, world, grade="HRB400E", diameter=20, heat="25H00001") -> LabOrder:
    return lab.create_order(actor, enterprise=world.enterprise1, heat=heat, grade=grade, diameter=diameter,
                            sampled_at=timezone.now(), sampled_where="棒材线冷床")


def specimen(order, kind, number=1, retest=False) -> Specimen:
    return order.specimens.get(kind=kind, number=number, retest=retest)


def run_all(actor, order, **overrides):
    for s in order.specimens.filter(retest=False):
        values = {"tensile": GOOD_TENSILE, "bend": {"passed_bend": True}, "rebend": {"passed_bend": True},
                  "weight": {"weight_deviation": -2.1}}[s.kind]
        lab.post_result(actor, s.pk, instrument="拉伸机器人-1", **{**values, **overrides.get(s.kind, {})})


def test_an_e_grade_heat_passes_and_each_verdict_names_its_rule(inspector, world):
    order = order_for(inspector, world)
    assert sorted(order.specimens.values_list("kind", flat=True)) == ["bend", "bend", "rebend", "tensile",
                                                                       "tensile", "weight"]
    run_all(inspector, order)
    order.refresh_from_db()
    assert order.verdict == Verdict.PASS and order.certificate_token and order.decided_at
    tensile = TestResult.objects.filter(specimen__kind="tensile").first()
    assert "GB/T 1499.2-2018 HRB400E" in tensile.verdict_rule and "Rm/ReL 1.34 ≥ 1.25" in tensile.verdict_rule
    rebend = TestResult.objects.get(specimen__kind="rebend")
    assert "5d = 100 mm" in rebend.verdict_rule  # HRB400E Φ20: bend 4d, re-bend one d more


def test_a_failed_test_calls_a_double_retest_and_decides_on_it(inspector, world):
    order = order_for(inspector, world)
    run_all(inspector, order, tensile={"agt": 8.1})  # Agt < 9.0 for an E grade
    order.refresh_from_db()
    assert order.verdict == Verdict.RETEST and "Agt 8.1% ≥ 9%" in order.verdict_rule
    retests = list(order.specimens.filter(retest=True, kind="tensile"))
    assert len(retests) == 4  # twice the two original tensile specimens
    for s in retests[:3]:
        lab.post_result(inspector, s.pk, **GOOD_TENSILE)
    order.refresh_from_db()
    assert order.verdict == Verdict.RETEST
    lab.post_result(inspector, retests[3].pk, **{**GOOD_TENSILE, "yield_strength": 530})  # Rm/ReL 610/530 < 1.25
    order.refresh_from_db()
    assert order.verdict == Verdict.FAIL and "Rm/ReL 1.15 ≥ 1.25" in order.verdict_rule


def test_bad_input_is_refused_and_nothing_overwritten(inspector, world):
    order = order_for(inspector, world, grade="HRB500", diameter=32)
    tensile = specimen(order, "tensile")
    with pytest.raises(ValidationError):
        lab.post_result(inspector, tensile.pk, **{**GOOD_TENSILE, "yield_strength": 5000})  # impossible
    with pytest.raises(ValidationError):
        lab.post_result(inspector, tensile.pk, strength_unit="kN", **GOOD_TENSILE)  # wrong unit
    with pytest.raises(ValidationError):
        lab.post_result(inspector, tensile.pk, **{**GOOD_TENSILE, "tensile_strength": 300})  # Rm below ReL
    with pytest.raises(ValidationError):
        lab.post_result(inspector, tensile.pk, source="manual", **GOOD_TENSILE)  # by hand, no reason
    first = lab.post_result(inspector, tensile.pk, **{**GOOD_TENSILE, "yield_strength": 520, "tensile_strength": 660})
    with pytest.raises(ValidationError):
        lab.post_result(inspector, tensile.pk, **GOOD_TENSILE)  # a second result for the same test
    corrected = lab.post_result(inspector, tensile.pk, correction=True, reason="引伸计打滑，复核原始曲线",
                                **{**GOOD_TENSILE, "yield_strength": 521, "tensile_strength": 660})
    assert (first.revision, corrected.revision) == (1, 2) and TestResult.objects.filter(specimen=tensile).count() == 2
    with pytest.raises(ValueError):
        first.save()
    with pytest.raises(ValueError):
        TestResult.objects.filter(pk=first.pk).update(yield_strength=600)
    with pytest.raises(ValidationError):
        order_for(inspector, world, grade="HRB999", heat="25H00002")
    with pytest.raises(Specimen.DoesNotExist):
        lab.post_result(inspector, 999_999, **GOOD_TENSILE)


def test_the_chain_finds_an_edit_made_in_the_database(inspector, world):
    order = order_for(inspector, world)
    run_all(inspector, order)
    report = lab.verify_chain()
    assert report.checked == 6 and report.broken_at is None
    victim = TestResult.objects.filter(specimen__kind="tensile").order_by("pk").first()
    with connection.cursor() as cursor:  # what someone with database access might do
        cursor.execute("UPDATE industry_testresult SET yield_strength = %s WHERE id = %s", [Decimal("480.0"),
                                                                                          victim.pk])
    report = lab.verify_chain()
    assert report.broken_at == victim.pk and "content" in report.reason


def test_the_chain_finds_a_relinked_result(inspector, world):
    order = order_for(inspector, world)
    run_all(inspector, order)
    middle = TestResult.objects.order_by("pk")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE industry_testresult SET previous_hash = %s WHERE id = %s", ["f" * 64, middle.pk])
    report = lab.verify_chain()
    assert report.broken_at == middle.pk and "link" in report.reason and report.checked == 2


def test_the_chain_finds_a_removed_result(inspector, world):
    order = order_for(inspector, world)
    run_all(inspector, order)
    last = TestResult.objects.order_by("pk").last()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM industry_testresult WHERE id = %s", [last.pk])
    assert "removed" in lab.verify_chain().reason


def test_verify_command_exit_code(inspector, world):
    from io import StringIO

    from django.core.management import call_command

    order = order_for(inspector, world)
    run_all(inspector, order)
    out = StringIO()
    call_command("lab_verify", stdout=out)
    assert "chain intact: 6 results" in out.getvalue()
    with connection.cursor() as cursor:
        first = TestResult.objects.order_by("pk").values_list("pk", flat=True).first()
        cursor.execute("UPDATE industry_testresult SET reason = 'x' WHERE id = %s", [first])
    with pytest.raises(SystemExit) as exit_info:
        call_command("lab_verify", stdout=StringIO(), stderr=StringIO())
    assert exit_info.value.code == 1


def test_a_robot_posts_results_with_its_token(inspector, world, client_for, make_user):
    import json

    from wanghua.core.services import create_token

    key = create_token(inspector, "拉伸机器人-1")
    robot = client_for(None)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    created = robot.post("/api/v1/lab/orders", json.dumps({
        "heat": "25H00100", "grade": "HRB400E", "diameter": 25, "sampled_at": timezone.now().isoformat()}),
        content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    specimens = {(s["kind"], s["number"]): s["id"] for s in created.json()["specimens"]}
    posted = robot.post(f"/api/v1/lab/specimens/{specimens[('tensile', 1)]}/results",
                        json.dumps({"instrument": "拉伸机器人-1", **GOOD_TENSILE}), content_type="application/json",
                        **headers)
    assert posted.status_code == 201 and posted.json()["result"]["verdict"] == "pass"
    assert posted.json()["heat_verdict"] == "pending"
    again = robot.post(f"/api/v1/lab/specimens/{specimens[('tensile', 1)]}/results",
                       json.dumps(GOOD_TENSILE), content_type="application/json", **headers)
    assert again.status_code == 400 and TestResult.objects.count() == 1
    unknown = robot.post("/api/v1/lab/specimens/987654/results", json.dumps(GOOD_TENSILE),
                         content_type="application/json", **headers)
    assert unknown.status_code == 404
    detail = robot.get(f"/api/v1/lab/orders/{created.json()['id']}", **headers).json()
    assert [s["result"] is not None for s in detail["specimens"]].count(True) == 1
    outsider = client_for(make_user("lab2", "lab", unit=world.enterprise2))
    assert outsider.get(f"/api/v1/lab/orders/{created.json()['id']}").status_code == 404


def test_pages_manual_entry_certificate_and_public_check(inspector, world, client_for):
    from io import BytesIO

    from pypdf import PdfReader

    client = client_for(inspector)
    created = client.post("/lab/orders/new/", {"heat": "25H00200", "grade": "HRB400", "diameter": 16,
                                                          "sampled_at": "2026-11-29T08:00", "sampled_where": "冷床"})
    assert created.status_code == 302
    order = LabOrder.objects.get(heat="25H00200")
    run_all(inspector, order)
    bend = specimen(order, "bend", 2)
    refused = client.post(f"/lab/orders/{order.pk}/specimens/{bend.pk}/result/", {"passed_bend": "false"})
    assert refused.status_code == 400 and TestResult.objects.filter(specimen=bend).count() == 1  # no reason
    client.post(f"/lab/orders/{order.pk}/specimens/{bend.pk}/result/",
                {"passed_bend": "true", "reason": "复核录像，无裂纹"})
    assert TestResult.objects.filter(specimen=bend).count() == 2
    page = client.get(order.get_absolute_url()).content.decode()
    assert "复核录像" in page and 'data-verdict="pass"' in page
    certificate = client.get(f"/lab/orders/{order.pk}/certificate.pdf")
    text = PdfReader(BytesIO(certificate.content)).pages[0].extract_text()
    order.refresh_from_db()
    assert "25H00200" in text and order.certificate_token in text
    public = client_for(None).get(f"/verify/{order.certificate_token}/").content.decode()
    assert 'data-intact="1"' in public and "25H00200" in public
    with connection.cursor() as cursor:
        cursor.execute("UPDATE industry_testresult SET passed_bend = %s WHERE specimen_id = %s", [False, bend.pk])
    assert 'data-intact="0"' in client_for(None).get(f"/verify/{order.certificate_token}/").content.decode()
    assert client_for(None).get("/verify/not-a-token/").status_code == 404


def test_turnaround_before_and_after_the_robot_and_spc(inspector, world, client_for):
    import random
    from datetime import timedelta

    from wanghua.demo import lab_demo
    from wanghua.lab import indicators
    from wanghua.lab import queries as lab_stats

    start = (timezone.now() - timedelta(days=20)).replace(hour=0, minute=0, second=0, microsecond=0)
    written = lab_demo.generate(world.enterprise1, inspector, start=start, days=10, heats_per_day=4,
                                robot_from=start + timedelta(days=5), rng=random.Random(3))
    assert written >= 40 * 6 and lab.verify_chain().checked == written  # generated exactly as services chain
    orders = LabOrder.objects.all()
    turnaround = lab_stats.turnaround(orders)
    assert turnaround.before_hours > 8 and turnaround.after_hours < 6 and turnaround.change_percent < -35
    chart = lab_stats.spc(orders, "HRB400E")
    assert chart.heats and chart.lcl < chart.centre < chart.ucl and chart.lower_spec == 400.0
    assert chart.upper_spec == 520.0 and chart.cpk is not None  # E grade: ReL ≤ 1.30 × 400
    assert 0 < indicators.lab_pass_rate() <= 100 and indicators.lab_turnaround() > 0
    page = client_for(inspector).get("/lab/analysis/?grade=HRB400E").content.decode()
    assert 'id="turnaround-change"' in page and "lab-series" in page
    assert client_for(inspector).get("/lab/analysis/?grade=NOPE").status_code == 404


def test_negative_zero_is_hashed_as_it_is_stored(inspector, world):
    order = order_for(inspector, world)
    lab.post_result(inspector, specimen(order, "weight").pk, weight_deviation="-0.00")
    assert lab.verify_chain().reason == ""


@pytest.mark.django_db(transaction=True)
def test_verification_split_between_processes_finds_the_same_break(world, make_user, roles):
    actor = make_user("lab-p", "lab", unit=world.enterprise1)
    for heat in ("25P001", "25P002", "25P003"):
        run_all(actor, order_for(actor, world, heat=heat))
    assert lab.verify_chain(workers=3).checked == 18
    victim = TestResult.objects.order_by("pk")[10]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE industry_testresult SET agt = %s WHERE id = %s", [Decimal("9.9"), victim.pk])
    for workers in (1, 2, 3):
        report = lab.verify_chain(workers=workers)
        assert (report.broken_at, report.checked) == (victim.pk, 10), workers
