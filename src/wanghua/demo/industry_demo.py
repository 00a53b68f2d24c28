"""The industrial belt of the demo: 抚顺特钢's 精品汽车钢生产线 and 抚顺新钢铁's bar line, with a
day of simulated history (alarms, hot and cold stops) so every page has something to show."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from wanghua.core import audit
from wanghua.industry.models import ProductionLine
from wanghua.industry.simulator import backfill, install_line, local_sender, simulators_for
from wanghua.org.models import Unit

LINES = [("ent-fste", "FS-AUTO1", "精品汽车钢生产线", 12000), ("ent-fxgt", "XG-BAR1", "棒材生产线（集控）", 600000)]
HISTORY = timedelta(hours=12)
STEP_SECONDS = 10.0


def build() -> list[ProductionLine]:
    anchor = datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())  # a 夜班 of crew 甲
    lines = []
    with audit.acting_as(None), audit.labelled(audit.Label.DEMO, "wanghua demo: production lines"):
        for enterprise, code, name, capacity in LINES:
            line = ProductionLine.objects.filter(code=code).first()
            if line is None:
                line = install_line(Unit.objects.get(code=enterprise), code, name, capacity_tonnes=capacity,
                                    shift_anchor=anchor)
            lines.append(line)
    fresh = [line for line in lines if not hasattr(line, "snapshot")]
    if fresh:
        now = timezone.now()
        backfill(simulators_for(fresh), now - HISTORY, now, step=STEP_SECONDS, send=local_sender())
    return lines
