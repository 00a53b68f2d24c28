"""The industrial belt of the demo: 抚顺特钢's 精品汽车钢生产线 (automotive special steel) and 抚顺新钢铁's bar
line (rebar), each with its own grades and heat series, and 90 days of history so that 30-day OEE, the stop
Pareto and MTBF are counted from records: the history before the last hours is generated at minute
resolution (stops, the alarm journal, heats, rollups: industry/history.py), the last hours go through the real
ingest pipeline sample by sample (alarms, hot and cold stops as they are detected)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from wanghua.core import audit
from wanghua.industry import history
from wanghua.industry.models import ProductFamily, ProductionLine
from wanghua.industry.simulator import backfill, install_line, local_sender, simulators_for
from wanghua.org.models import RoleAssignment, Unit

LINES = [("ent-fste", "FS-AUTO1", "精品汽车钢生产线", 12000, ProductFamily.AUTO_STEEL),
         ("ent-fxgt", "XG-BAR1", "棒材生产线（集控）", 600000, ProductFamily.REBAR)]
HISTORY_DAYS = 90  # generated, at minute resolution
PIPELINE = timedelta(hours=6)  # the last hours, through the ingest pipeline
STEP_SECONDS = 10.0


def build() -> list[ProductionLine]:
    anchor = datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())  # a 夜班 of crew 甲
    lines = []
    with audit.acting_as(None), audit.labelled(audit.Label.DEMO, "wanghua demo: production lines"):
        for enterprise, code, name, capacity, family in LINES:
            line = ProductionLine.objects.filter(code=code).first()
            if line is None:
                line = install_line(Unit.objects.get(code=enterprise), code, name, capacity_tonnes=capacity,
                                    shift_anchor=anchor, family=family)
            lines.append(line)
    fresh = [line for line in lines if not hasattr(line, "snapshot")]
    if fresh:
        now = timezone.now()
        handover = now - PIPELINE
        with audit.acting_as(None), audit.summarised(audit.Label.DEMO,
                                                     f"generated {HISTORY_DAYS} days of production-line history"):
            for line in fresh:
                history.generate(line, now - timedelta(days=HISTORY_DAYS), handover, seed=sum(map(ord, line.code)),
                                 operator=_operator(line))
        backfill(simulators_for(fresh, fault_every=history.FAULT_EVERY), handover, now, step=STEP_SECONDS,
                 send=local_sender())
    return lines


def _operator(line: ProductionLine):
    """Who acknowledged the line's alarms and gave its stops' reasons: its operator, else its plant manager."""
    for role in ("operator", "plant_manager"):
        grant = RoleAssignment.objects.filter(unit=line.enterprise, role__code=role).select_related("user").first()
        if grant is not None:
            return grant.user
    return None
