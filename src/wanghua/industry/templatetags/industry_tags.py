"""Template filters of the line pages."""

from django import template

from wanghua.industry.models import device_state_label

register = template.Library()


@register.filter
def device_state(value: str) -> str:
    """A discrete tag's value as words: "fault" reads 故障."""
    return device_state_label(value)
