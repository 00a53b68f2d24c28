"""The product standards the 智检中心 tests against, shipped as data: created after every migrate if
missing (like the built-in roles), never overwritten — a revised standard is a new version row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

# grade: ReL min, Rm min, A min, Agt min, Rm°/ReL° min, ReL°/ReL max, bend mandrel × d by diameter, re-bend
ORDINARY = [[25, 4], [40, 5], [50, 6]]
HIGH = [[25, 6], [40, 7], [50, 8]]
WEIGHT = [[12, 5.5], [20, 4.5], [50, 3.5]]  # ± % of the theoretical weight
GB_T_1499_2_2018 = {
    "HRB400": (400, 540, 16, 7.5, None, None, ORDINARY, False),
    "HRBF400": (400, 540, 16, 7.5, None, None, ORDINARY, False),
    "HRB400E": (400, 540, None, 9.0, 1.25, 1.30, ORDINARY, True),
    "HRBF400E": (400, 540, None, 9.0, 1.25, 1.30, ORDINARY, True),
    "HRB500": (500, 630, 15, 7.5, None, None, HIGH, False),
    "HRBF500": (500, 630, 15, 7.5, None, None, HIGH, False),
    "HRB500E": (500, 630, None, 9.0, 1.25, 1.30, HIGH, True),
    "HRBF500E": (500, 630, None, 9.0, 1.25, 1.30, HIGH, True),
    "HRB600": (600, 730, 14, 7.5, None, None, HIGH, False),
}

# Table 2, melt analysis (熔炼分析), mass fraction in %, not more than: C, Si, Mn, P, S, Ceq.
CHEMISTRY_400 = (0.25, 0.80, 1.60, 0.045, 0.045, 0.54)
CHEMISTRY_500 = (0.25, 0.80, 1.60, 0.045, 0.045, 0.55)
CHEMISTRY_2018 = {"HRB400": CHEMISTRY_400, "HRBF400": CHEMISTRY_400, "HRB400E": CHEMISTRY_400,
                  "HRBF400E": CHEMISTRY_400, "HRB500": CHEMISTRY_500, "HRBF500": CHEMISTRY_500,
                  "HRB500E": CHEMISTRY_500, "HRBF500E": CHEMISTRY_500, "HRB600": (0.28, 0.80, 1.60, 0.045, 0.045, 0.58)}
CHEMISTRY_FIELDS = ("c_max", "si_max", "mn_max", "p_max", "s_max", "ceq_max")


def sync_standards(**kwargs: Any) -> None:
    """post_migrate: GB/T 1499.2-2018 (hot-rolled ribbed bars) and its grades."""
    from .models import GradeLimit, Standard

    standard, _created = Standard.objects.get_or_create(
        code="GB/T 1499.2", version="2018",
        defaults={"title": "钢筋混凝土用钢 第2部分：热轧带肋钢筋", "effective_on": date(2018, 11, 1)})
    for grade, (rel, rm, a, agt, ratio, over, mandrels, rebend) in GB_T_1499_2_2018.items():
        chemistry = {f: Decimal(str(v)) for f, v in zip(CHEMISTRY_FIELDS, CHEMISTRY_2018[grade], strict=True)}
        limits, _created = GradeLimit.objects.get_or_create(standard=standard, grade=grade, defaults={
            "yield_min": rel, "tensile_min": rm, "elongation_min": a, "agt_min": agt,
            "tensile_yield_ratio_min": ratio, "yield_overstrength_max": over, "bend_mandrels": mandrels,
            "rebend": rebend, "weight_tolerances": WEIGHT, **chemistry})
        if limits.ceq_max is None:  # rows from before the chemistry limits: filled in once, never overwritten
            GradeLimit.objects.filter(pk=limits.pk).update(**chemistry)
