"""A lab history for 抚顺新钢铁's 智检中心: heats on the bar line, robot-run tensile, bend and re-bend
tests, failures and their double retests, the spectrometer's melt analysis of every heat, every record judged
and hash-chained exactly as the services do it; 审核/批准 by the reviewer (a few heats sent back, the last
days' still waiting); deliveries to the city's builders and their numbered certificates, one superseded by a
correction and reissued. The robot takes over half-way, and the turnaround the dashboard shows is measured
from these records (the article: 50 % shorter). Also used by the benchmark to build a million results."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from wanghua.core import audit
from wanghua.industry.simulator import REBAR
from wanghua.lab import services as lab
from wanghua.lab.models import (
    HeatAnalysis,
    LabChain,
    LabOrder,
    Review,
    Specimen,
    Standard,
    TestKind,
    TestResult,
    Verdict,
)
from wanghua.lab.services import chemistry

if TYPE_CHECKING:
    from wanghua.lab.models import Certificate

# The bar line's grades and sizes, and how often each comes up: the line's product family (industry/simulator.py).
BAR_LINE = [(grade, list(sizes)) for grade, sizes in REBAR.grades]
FAILING_HEATS = 0.03  # about 3 heats in 100 fail one test first
ROBOT = "拉伸弯曲机器人-1"
SPECTROMETER = "直读光谱仪-1"
FAILING_MELTS = 0.004  # a melt over the Ceq maximum now and then
SENT_BACK = 0.01  # heats the reviewer sent back (and that wait for the lab's answer)
WAITING_DAYS = 2  # the last days' heats still wait for review
MANUAL = "人工试验（机器人投用前）"


def _values(kind: str, limits, rng: random.Random, fail: bool) -> dict:
    """What the robot would measure, at the precision the record keeps (so the hash is the stored row's)."""
    def number(field: str, value: float) -> Decimal:
        return Decimal(str(value)).quantize(lab.PLACES[field])

    if kind == TestKind.TENSILE:
        rel = number("yield_strength", rng.gauss(float(limits.yield_min) * 1.12, 12))
        rm = number("tensile_strength", float(rel) * rng.gauss(1.33, 0.03))
        agt = number("agt", rng.gauss(11.5, 1.0) if not fail else rng.uniform(6.5, 8.8))
        a = number("elongation", rng.gauss(22, 1.8)) if limits.elongation_min is not None else None
        return {"yield_strength": rel, "tensile_strength": rm, "elongation": a, "agt": agt}
    if kind in (TestKind.BEND, TestKind.REBEND):
        return {"passed_bend": not fail}
    return {"weight_deviation": number("weight_deviation", rng.gauss(-1.2, 0.8) if not fail else rng.uniform(-6, -4.6))}


class _Writer:
    """Results in creation order, hash-chained from the chain's head; written in bulk."""

    def __init__(self, recorder) -> None:
        self.chain = lab.lock_chain(LabChain.RESULTS)
        self.recorder = recorder
        self.rows: list[TestResult] = []

    def add(self, specimen: Specimen, order: LabOrder, limits, values: dict, at: datetime, robot: bool) -> TestResult:
        decision = lab.judge(specimen.kind, values, limits, order.diameter)
        result = TestResult(specimen=specimen, revision=1, source="instrument" if robot else "manual",
                            instrument=ROBOT if robot else "", reason="" if robot else MANUAL,
                            recorded_by=self.recorder, recorded_at=at, verdict=decision.verdict,
                            verdict_rule=decision.rule[:300], previous_hash=self.chain.head,
                            **{k: values.get(k) for k in lab.VALUES[specimen.kind]})
        result.hash = lab.digest(self.chain.head, result)
        self.chain.head, self.chain.length = result.hash, self.chain.length + 1
        self.rows.append(result)
        return result

    def flush(self) -> None:
        TestResult.objects.bulk_create(self.rows, batch_size=5000)
        self.rows = []
        self.chain.save(update_fields=["head", "length"])


class _AnalysisWriter:
    """Melt analyses in creation order on their own chain, written in bulk."""

    def __init__(self) -> None:
        self.chain = lab.lock_chain(LabChain.ANALYSES)
        self.rows: list[HeatAnalysis] = []

    def add(self, order: LabOrder, limits, rng: random.Random, recorder) -> HeatAnalysis:
        fail = rng.random() < FAILING_MELTS
        melt = {"c": rng.gauss(0.22, 0.012), "si": rng.gauss(0.45, 0.05), "mn": rng.gauss(1.40 if not fail else 1.75,
                                                                                           0.05),
                "p": rng.gauss(0.026, 0.004), "s": rng.gauss(0.021, 0.004)}
        if order.grade.endswith("E"):
            melt["v"] = rng.gauss(0.035 if order.grade.startswith("HRB400") else 0.06, 0.006)
        if order.grade == "HRB500E":
            melt["nb"] = rng.gauss(0.018, 0.003)
        values = chemistry.clean_chemistry({k: f"{max(v, 0.001):.4f}" for k, v in melt.items()})
        ceq = chemistry.ceq_of(values)
        decision = chemistry.judge_chemistry(values, ceq, limits)
        analysis = HeatAnalysis(order=order, revision=1, ceq=ceq, source="instrument", instrument=SPECTROMETER,
                                recorded_by=recorder, recorded_at=order.sampled_at - timedelta(minutes=50),
                                verdict=decision.verdict, verdict_rule=decision.rule[:300],
                                previous_hash=self.chain.head, **values)
        analysis.hash = chemistry.analysis_digest(self.chain.head, analysis)
        self.chain.head, self.chain.length = analysis.hash, self.chain.length + 1
        self.rows.append(analysis)
        return analysis

    def flush(self) -> None:
        HeatAnalysis.objects.bulk_create(self.rows, batch_size=5000)
        self.rows = []
        self.chain.save(update_fields=["head", "length"])


@transaction.atomic
def generate(enterprise, recorder, *, start: datetime, days: int, heats_per_day: int, robot_from: datetime,
             rng: random.Random, prefix: str = "", reviewer=None) -> int:
    """Heats from `start` for `days`, each with its melt analysis; returns the number of results written.
    With a `reviewer`, decided heats are approved by them (a few sent back, the last days' still waiting)."""
    standard = Standard.objects.filter(code="GB/T 1499.2", active=True).order_by("-effective_on").first()
    limits = {grade: lab.limits_of(standard, grade) for grade, _sizes in BAR_LINE}  # type: ignore[arg-type]  # seeded
    writer, analyses = _Writer(recorder), _AnalysisWriter()
    written = 0
    with audit.summarised(audit.Label.DEMO, f"generated {days} days of lab orders, results and melt analyses"):
        for day in range(days):
            orders = _orders(enterprise, standard, start + timedelta(days=day), heats_per_day, rng, prefix)
            specimens = _specimens(orders, limits)
            for order in orders:
                order.analysis = analyses.add(order, limits[order.grade], rng, recorder)  # type: ignore[attr-defined]  # carried on the order while seeding
                written += _test_heat(order, specimens[order.pk], limits[order.grade], writer, rng,
                                      robot=order.sampled_at >= robot_from)
            writer.flush()
            analyses.flush()
            _decide(orders, reviewer if day < days - WAITING_DAYS else None, rng)
    return written


def _orders(enterprise, standard, day: datetime, count: int, rng: random.Random, prefix: str) -> list[LabOrder]:
    orders = []
    for n in range(count):
        grade, sizes = rng.choices(BAR_LINE, weights=REBAR.weights)[0]
        sampled = day + timedelta(hours=24 * n / count + rng.uniform(0, 2))
        # Numbered by the day of the run, not of sampling: a late sample may fall after midnight.
        orders.append(LabOrder(enterprise=enterprise, heat=f"{prefix}{day:%y%m%d}{n + 1:03d}", grade=grade,
                               diameter=rng.choice(sizes), standard=standard, sampled_at=sampled,
                               sampled_where="棒材线冷床取样台"))
    return LabOrder.objects.bulk_create(orders)


def _specimens(orders: list[LabOrder], limits) -> dict[int, list[Specimen]]:
    rows = [Specimen(order=order, kind=kind, number=n)
            for order in orders for kind, count in lab.SPECIMENS.items()
            if kind != TestKind.REBEND or limits[order.grade].rebend for n in range(1, count + 1)]
    by_order: dict[int, list[Specimen]] = {}
    for specimen in Specimen.objects.bulk_create(rows):
        by_order.setdefault(specimen.order_id, []).append(specimen)
    return by_order


def _test_heat(order: LabOrder, specimens: list[Specimen], limits, writer: _Writer, rng: random.Random,
               robot: bool) -> int:
    hours = (4.0, 0.8) if robot else (8.0, 1.5)  # the robot halves the time from sampling to result
    failing = rng.choice(specimens) if rng.random() < FAILING_HEATS else None
    latest = {}
    for specimen in specimens:
        at = order.sampled_at + timedelta(hours=max(1.0, rng.gauss(*hours)))
        latest[specimen.pk] = writer.add(specimen, order, limits, _values(specimen.kind, limits, rng,
                                                                           specimen is failing), at, robot)
    _decision, retests = lab._heat_decision(specimens, latest)  # the same rule the services apply
    written = len(specimens)
    for kind, count in retests.items():
        again = Specimen.objects.bulk_create(Specimen(order=order, kind=kind, number=10 + n, retest=True)
                                             for n in range(count))
        retest_fails = rng.random() < 0.25
        for specimen in again:
            at = order.sampled_at + timedelta(hours=max(2.0, rng.gauss(*hours)) + 6)
            latest[specimen.pk] = writer.add(specimen, order, limits, _values(
                specimen.kind, limits, rng, retest_fails and specimen is again[-1]), at, robot)
        written += len(again)
    order.latest = latest  # type: ignore[attr-defined]  # carried on the order while seeding
    return written


def _decide(orders: list[LabOrder], reviewer, rng: random.Random) -> None:
    """Verdicts by the services' own rule (chemistry included); then 审核/批准 by `reviewer` (or waiting)."""
    for order in orders:
        specimens = [r.specimen for r in order.latest.values()]  # type: ignore[attr-defined]  # carried on the order while seeding
        decision, _retests = lab._heat_decision(specimens, {pk: r for pk, r in order.latest.items()})  # type: ignore[attr-defined]  # carried on the order while seeding
        decision = chemistry.with_chemistry(decision, order.analysis)  # type: ignore[attr-defined]  # carried on the order while seeding
        order.verdict, order.verdict_rule = decision.verdict, decision.rule[:300]
        order.decided_at = max(r.recorded_at for r in order.latest.values())  # type: ignore[attr-defined]  # carried on the order while seeding
        if decision.verdict in (Verdict.PASS, Verdict.FAIL):
            order.certificate_token = secrets.token_urlsafe(16)
            order.review = Review.AWAITING
            if reviewer is not None and rng.random() < SENT_BACK:
                order.review, order.review_note = Review.REFUSED, "拉伸曲线屈服平台异常，请复核原始记录"
                order.reviewed_by, order.reviewed_at = reviewer, order.decided_at + timedelta(hours=2)
            elif reviewer is not None:
                order.review, order.reviewed_by = Review.APPROVED, reviewer
                order.reviewed_at = order.decided_at + timedelta(hours=rng.uniform(0.5, 6))
    LabOrder.objects.bulk_update(orders, ["verdict", "verdict_rule", "decided_at", "certificate_token", "review",
                                          "review_note", "reviewed_by", "reviewed_at"])


CUSTOMERS = [("抚顺城建集团有限公司", "FSCJ"), ("中建三局抚顺望花项目部", "ZJ3J"), ("辽宁望花建工集团", "WHJG"),
             ("抚顺市政工程公司", "FSSZ")]


def certify(enterprise, inspector, reviewer, *, days: int, rng: random.Random) -> int:
    """Deliveries of the approved, conforming heats of the last `days` days (one grade and size each, a few heats
    per delivery) and their certificates, issued through the services; one is superseded by a correction and
    reissued. Returns the number of certificates."""
    from django.utils import timezone

    from wanghua.lab.services import certificates

    certificates.configure_lab(reviewer, enterprise, lab_name="抚顺新钢铁有限责任公司智检中心",
                               number_pattern="XG-ZB{year}-{seq:05d}", seal=_seal())
    since = timezone.now() - timedelta(days=days)
    heats = list(LabOrder.objects.filter(enterprise=enterprise, review=Review.APPROVED, verdict=Verdict.PASS,
                                         sampled_at__gte=since).order_by("sampled_at"))
    groups: dict[tuple[str, int], list[LabOrder]] = {}
    issued: list[Certificate] = []
    for heat in heats:
        group = groups.setdefault((heat.grade, heat.diameter), [])
        group.append(heat)
        if len(group) >= rng.choice((2, 3, 4)):
            customer, code = rng.choice(CUSTOMERS)
            delivery = certificates.create_delivery(
                inspector, customer=customer, contract=f"HT-{code}-{heat.sampled_at:%Y%m}-{len(issued) + 1:03d}",
                grade=heat.grade, diameter=heat.diameter, bundles=len(group) * rng.randint(8, 12),
                weight=f"{len(group) * rng.uniform(28, 36):.3f}", orders=[h.pk for h in group])
            issued.append(certificates.issue_certificate(inspector, delivery.pk))
            groups[(heat.grade, heat.diameter)] = []
    if issued:  # a bend result corrected after issue: the certificate is void at once, reviewed, reissued
        first = issued[0]
        order = first.delivery.orders.order_by("heat").first()
        assert order is not None  # a delivery has its heats
        bend = order.specimens.filter(kind=TestKind.BEND).order_by("number").first()
        assert bend is not None  # every heat has its bend specimens
        lab.post_result(inspector, bend.pk, correction=True, reason="复核弯曲试验录像，原记录无误，补录确认",
                        passed_bend=True)
        from wanghua.lab.services import review

        review.approve(reviewer, order.pk, note="复核无误")
        issued.append(certificates.issue_certificate(inspector, first.delivery_id))
    return len(issued)


def _seal() -> bytes:
    """A round red seal, drawn (the lab uploads its own scan)."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (240, 240), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(200, 20, 20, 255), width=10)
    draw.regular_polygon((120, 120, 40), 5, rotation=-90, fill=(200, 20, 20, 255))
    draw.line((50, 175, 190, 175), fill=(200, 20, 20, 255), width=6)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


LAB_ENTERPRISE = "ent-fxgt"
LAB_DAYS = 365
HEATS_PER_DAY = 3
CERTIFIED_DAYS = 60  # deliveries and certificates of the last two months


def build() -> None:
    """A year of 抚顺新钢铁's bar-line heats; the test robot took over half-way through it."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from wanghua.org.models import Unit

    enterprise = Unit.objects.get(code=LAB_ENTERPRISE)
    if LabOrder.objects.filter(enterprise=enterprise).exists():
        return
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=LAB_DAYS)
    users = get_user_model().objects
    inspector, reviewer = users.get(username="lab"), users.get(username="lab_reviewer")
    generate(enterprise, inspector, start=start, days=LAB_DAYS, heats_per_day=HEATS_PER_DAY,
             robot_from=start + timedelta(days=LAB_DAYS // 2), rng=random.Random(1499), reviewer=reviewer)
    certify(enterprise, inspector, reviewer, days=CERTIFIED_DAYS, rng=random.Random(2018))
