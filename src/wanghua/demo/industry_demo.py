"""The industrial belt of the demo: 抚顺特钢's 精品汽车钢生产线 and 抚顺新钢铁's bar line, with a
day of simulated history (alarms, hot and cold stops) so every page has something to show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from wanghua.core import audit
from wanghua.demo import lab_demo
from wanghua.industry.models import ProductionLine
from wanghua.industry.simulator import backfill, install_line, local_sender, simulators_for
from wanghua.org.models import Unit

LINES = [("ent-fste", "FS-AUTO1", "精品汽车钢生产线", 12000), ("ent-fxgt", "XG-BAR1", "棒材生产线（集控）", 600000)]
HISTORY = timedelta(hours=12)
STEP_SECONDS = 10.0


def build() -> list[ProductionLine]:
    anchor = datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())  # a 夜班 of crew 甲
    lines = []
    with audit.acting_as(None), audit.labelled("demo", "wanghua demo: production lines"):
        for enterprise, code, name, capacity in LINES:
            line = ProductionLine.objects.filter(code=code).first()
            if line is None:
                line = install_line(Unit.objects.get(code=enterprise), code, name, capacity_tonnes=capacity,
                                    shift_anchor=anchor)
            lines.append(line)
    build_lab()
    fresh = [line for line in lines if not hasattr(line, "snapshot")]
    if fresh:
        now = timezone.now()
        backfill(simulators_for(fresh), now - HISTORY, now, step=STEP_SECONDS, send=local_sender())
    return lines


LAB_ENTERPRISE = "ent-fxgt"
LAB_DAYS = 365
HEATS_PER_DAY = 3


def build_lab() -> None:
    """A year of 抚顺新钢铁's bar-line heats; the test robot took over half-way through it."""
    from django.contrib.auth import get_user_model

    from wanghua.industry.models import LabOrder

    enterprise = Unit.objects.get(code=LAB_ENTERPRISE)
    if LabOrder.objects.filter(enterprise=enterprise).exists():
        return
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=LAB_DAYS)
    lab_demo.generate(enterprise, get_user_model().objects.get(username="lab"), start=start, days=LAB_DAYS,
                      heats_per_day=HEATS_PER_DAY, robot_from=start + timedelta(days=LAB_DAYS // 2),
                      rng=random.Random(1499))
