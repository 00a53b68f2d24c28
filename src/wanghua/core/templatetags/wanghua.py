from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

register = template.Library()


@register.filter
def history_url(obj) -> str:
    """Link to the audit trail of a record."""
    content_type = ContentType.objects.get_for_model(type(obj))
    return reverse("core:object_trail", args=[content_type.pk, obj.pk])


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def yi(wan):
    """An amount in 万元 shown in 亿元 (two decimals), as district reports give large sums."""
    from decimal import ROUND_HALF_UP, Decimal

    if wan in (None, ""):
        return "—"
    return (Decimal(wan) / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP)
