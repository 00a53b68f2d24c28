from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_html(context: template.Context, part: str) -> str:
    """The shell's menu (`main` or `account`) for the page's user, as core.menu keeps it rendered."""
    from wanghua.core.menu import menu_html as rendered

    return rendered(context["user"], part)


@register.filter
def history_url(obj: models.Model) -> str:
    """Link to the audit trail of a record."""
    content_type = ContentType.objects.get_for_model(type(obj))
    return reverse("core:object_trail", args=[content_type.pk, obj.pk])


@register.filter
def step_label(label: str | None) -> str:
    """An audit label as people read it: `transition:errand.start` → the step's own name."""
    from wanghua.core.transitions import step_label as label_of

    return label_of(label or "")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def yi(wan: Decimal | float | str | None) -> Decimal | str:
    """An amount in 万元 shown in 亿元 (two decimals), as district reports give large sums."""
    from decimal import ROUND_HALF_UP, Decimal

    if wan in (None, ""):
        return "—"
    return (Decimal(wan) / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP)


@register.filter
def figure(value: object) -> str:
    """A stored indicator value as people read it: thousands separated, no trailing zeros, — for none."""
    from decimal import Decimal

    if value in (None, ""):
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


@register.filter
def sparkline(values: Iterable[float | Decimal | str] | None, size: str = "96x24") -> str:
    """A trend as a tiny inline SVG line (no script, prints and renders anywhere)."""
    from django.utils.safestring import mark_safe

    points = [float(v) for v in values or []]
    if len(points) < 2:
        return ""
    width, height = (int(n) for n in size.split("x"))
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    step = (width - 2) / (len(points) - 1)
    coords = " ".join(f"{1 + i * step:.1f},{height - 2 - (p - low) / span * (height - 4):.1f}"
                      for i, p in enumerate(points))
    return mark_safe(f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
                     f'aria-hidden="true"><polyline fill="none" stroke="currentColor" stroke-width="1.5" '
                     f'points="{coords}"/></svg>')


@register.filter
def goal_scores(board: Iterable[Any]) -> dict[str, list[Any]]:
    """The six goals' scores as chart data ({names, counts}), 0 where nothing has a target."""
    return {"names": [str(g.goal.label) for g in board], "counts": [float(g.score or 0) for g in board]}


@register.filter
def trail_value(value: object) -> object:
    """A value of the audit trail: a dash for none, a JSON document as code."""
    from django.utils.html import format_html

    from wanghua.core.audit_display import StructuredValue

    if value is None:
        return "—"
    if isinstance(value, StructuredValue):
        return format_html('<code class="small text-break">{}</code>', value)
    return value
