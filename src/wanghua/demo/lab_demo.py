"""A lab history for 抚顺新钢铁's 智检中心: heats on the bar line, robot-run tensile, bend and re-bend
tests, failures and their double retests, every result judged and hash-chained exactly as the services
do it. The robot takes over half-way, and the turnaround the dashboard shows is measured from these
records (the article: 50 % shorter). Also used by the benchmark to build a million results."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from wanghua.core import audit
from wanghua.lab import services as lab
from wanghua.lab.models import LabChain, LabOrder, Specimen, Standard, TestKind, TestResult, Verdict

BAR_LINE = [("HRB400E", [12, 16, 20, 25, 28, 32]), ("HRB500E", [16, 20, 25, 32]), ("HRB400", [12, 14, 16])]
FAILING_HEATS = 0.03  # about 3 heats in 100 fail one test first
ROBOT = "拉伸弯曲机器人-1"
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


@transaction.atomic
def generate(enterprise, recorder, *, start: datetime, days: int, heats_per_day: int, robot_from: datetime,
             rng: random.Random, prefix: str = "") -> int:
    """Heats from `start` for `days`; returns the number of results written."""
    standard = Standard.objects.filter(code="GB/T 1499.2", active=True).order_by("-effective_on").first()
    limits = {grade: lab.limits_of(standard, grade) for grade, _sizes in BAR_LINE}
    writer = _Writer(recorder)
    written = 0
    with audit.summarised("demo", f"generated {days} days of lab orders and results"):
        for day in range(days):
            orders = _orders(enterprise, standard, start + timedelta(days=day), heats_per_day, rng, prefix)
            specimens = _specimens(orders, limits)
            for order in orders:
                written += _test_heat(order, specimens[order.pk], limits[order.grade], writer, rng,
                                      robot=order.sampled_at >= robot_from)
            writer.flush()
            _decide(orders)
    return written


def _orders(enterprise, standard, day: datetime, count: int, rng: random.Random, prefix: str) -> list[LabOrder]:
    orders = []
    for n in range(count):
        grade, sizes = rng.choices(BAR_LINE, weights=[6, 3, 1])[0]
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
    order.latest = latest
    return written


def _decide(orders: list[LabOrder]) -> None:
    for order in orders:
        specimens = [r.specimen for r in order.latest.values()]
        decision, _retests = lab._heat_decision(specimens, {pk: r for pk, r in order.latest.items()})
        order.verdict, order.verdict_rule = decision.verdict, decision.rule[:300]
        order.decided_at = max(r.recorded_at for r in order.latest.values())
        if decision.verdict in (Verdict.PASS, Verdict.FAIL):
            order.certificate_token = secrets.token_urlsafe(16)
    LabOrder.objects.bulk_update(orders, ["verdict", "verdict_rule", "decided_at", "certificate_token"])


LAB_ENTERPRISE = "ent-fxgt"
LAB_DAYS = 365
HEATS_PER_DAY = 3


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
    generate(enterprise, get_user_model().objects.get(username="lab"), start=start, days=LAB_DAYS,
             heats_per_day=HEATS_PER_DAY, robot_from=start + timedelta(days=LAB_DAYS // 2), rng=random.Random(1499))
