"""Form widgets the pages render often."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """A <select> whose options are written in Python. Django renders each option through a template, about a
    tenth of a millisecond apiece, and a list's region filter alone has a hundred options on every request."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: BaseRenderer | None = None) -> SafeString:
        final = {**self.build_attrs(self.attrs, attrs), "name": name}
        selected = {str(v) for v in self.format_value(value)}
        return format_html("<select{}>{}</select>", flatatt(final), self._options(self.choices, selected))

    def _options(self, choices: Iterable[tuple[Any, Any]], selected: set[str]) -> SafeString:
        parts = []
        for option_value, label in choices:
            if isinstance(label, list | tuple):  # an optgroup
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', option_value,
                                         self._options(label, selected)))
                continue
            value = "" if option_value is None else str(option_value)
            parts.append(format_html('<option value="{}"{}>{}</option>', value,
                                     mark_safe(" selected") if value in selected else "", label))
        return mark_safe("".join(parts))


def fast(field: forms.Field) -> None:
    """Swap a plain Select for a FastSelect that keeps its attributes and choices."""
    widget = field.widget
    if type(widget) is not forms.Select:
        return
    from .choices import KeptModelChoices, keepable

    faster = FastSelect(attrs=widget.attrs)
    faster.choices = KeptModelChoices(field) if keepable(field) else widget.choices  # type: ignore[arg-type]  # keepable: a ModelChoiceField
    faster.is_required = widget.is_required
    field.widget = faster
