"""Input at the boundary: the ranges and characters every page, API route and import accepts.

One place decides what a date, a number and a text may be, so that no input reaches the database or a
later export in a shape that breaks it: dates and years lie within 1900–2100, numbers within what every
database column (and JavaScript) holds, and text carries no control characters (NUL cannot be stored by
PostgreSQL; the others make XML ill-formed and openpyxl refuse to write the cell)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any, overload

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext as _

MIN_YEAR, MAX_YEAR = 1900, 2100
# The largest whole number every layer holds exactly: PostgreSQL's bigint, SQLite's integer and JavaScript.
MAX_NUMBER = 9_007_199_254_740_991
# What an integer column holds, by field class (a value beyond it is a database error, not a refusal).
INTEGER_RANGES: dict[type, tuple[int, int]] = {
    models.SmallIntegerField: (-32_768, 32_767), models.PositiveSmallIntegerField: (0, 32_767),
    models.IntegerField: (-2_147_483_648, 2_147_483_647), models.PositiveIntegerField: (0, 2_147_483_647),
    models.BigIntegerField: (-MAX_NUMBER, MAX_NUMBER), models.PositiveBigIntegerField: (0, MAX_NUMBER),
}

# Control characters (C0 but tab, newline and carriage return; DEL; C1), lone surrogates and the two
# non-characters XML 1.0 forbids. Single-line text refuses tab, newline and carriage return as well.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
MULTI_LINE_BAD = re.compile(f"[{_CONTROL}]")
SINGLE_LINE_BAD = re.compile(f"[{_CONTROL}\t\n\r]")


class BadQuery(BadRequest):
    """A query parameter outside its range: the page answers 400 with this (translated) message."""


# --- text -------------------------------------------------------------------------------------------------

def text_problem(value: str, multi_line: bool = True) -> str | None:
    """Why a text may not be stored (None when it may)."""
    if (MULTI_LINE_BAD if multi_line else SINGLE_LINE_BAD).search(value):
        if "\x00" in value:
            return _("Text must not contain NUL characters.")
        return _("Text must not contain control characters.")
    return None


def validate_text(value: Any) -> None:
    """Validator for multi-line text (tab, newline and carriage return allowed)."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise ValidationError(problem, code="control_character")


def validate_line(value: Any) -> None:
    """Validator for single-line text."""
    if isinstance(value, str) and (problem := text_problem(value, multi_line=False)):
        raise ValidationError(problem, code="control_character")


def printable(value: str) -> str:
    """A stored text as an export may write it: control characters dropped (rows stored before the check,
    or by a path that skipped it, still export)."""
    return MULTI_LINE_BAD.sub("", value)


# --- dates and numbers ------------------------------------------------------------------------------------

def year_problem(year: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return _("The year must lie between %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR}
    return None


def validate_moment(value: Any) -> None:
    """Validator for dates and times: within 1900–2100."""
    if isinstance(value, dt.date) and (problem := year_problem(value.year)):
        raise ValidationError(problem, code="year_range")


def sane_year(year: int) -> int:
    """A year from a URL or a query: within range, or the request is refused (400)."""
    if problem := year_problem(year):
        raise BadQuery(problem)
    return year


def sane_date(year: int, month: int, day: int = 1) -> dt.date:
    """A date from a URL's numbers: a real day within range, or the request is refused (400)."""
    sane_year(year)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise BadQuery(_("Enter a valid date.")) from exc


def posted_date(value: str | None, field: str = "on") -> dt.date | None:
    """A date posted by a form (YYYY-MM-DD): None when absent, a ValidationError on `field` when not a real
    day within 1900–2100 (a page's `perform` shows it and nothing changes)."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationError({field: _("Enter a valid date.")}) from exc
    if problem := year_problem(day.year):
        raise ValidationError({field: problem})
    return day


@overload
def query_date(value: str | None, default: dt.date) -> dt.date: ...
@overload
def query_date(value: str | None, default: None = None) -> dt.date | None: ...
def query_date(value: str | None, default: dt.date | None = None) -> dt.date | None:
    """A date from a query string (YYYY-MM-DD): `default` when absent, 400 when not a real day in range."""
    try:
        return posted_date(value) or default
    except ValidationError as exc:
        raise BadQuery(exc.messages[0]) from exc


def query_int(value: str | None, default: int | None = None, low: int = 0, high: int = MAX_NUMBER) -> int | None:
    """A whole number from a query string: `default` when absent, 400 when not one or out of range."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise BadQuery(_("Enter a whole number.")) from exc
    if not low <= number <= high:
        raise BadQuery(_("The number must lie between %(low)s and %(high)s.") % {"low": low, "high": high})
    return number


def bound_form(form: forms.BaseForm) -> None:
    """Give every field of a (filter or page) form the boundary's ranges where it has none of its own:
    dates within 1900–2100, numbers within what the database holds, text without control characters."""
    for field in form.fields.values():
        bound_field(field)


def bound_field(field: forms.Field) -> None:
    if getattr(field, "_bounded", False):
        return
    field._bounded = True  # type: ignore[attr-defined]  # a marker on the form field: bounded once
    if isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(validate_moment)
    elif isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        if field.max_value is None:
            field.validators.append(MaxValueValidator(MAX_NUMBER))
        if field.min_value is None:
            field.validators.append(MinValueValidator(-MAX_NUMBER))
    elif isinstance(field, forms.CharField):
        multi_line = isinstance(field.widget, forms.Textarea)
        field.validators.append(validate_text if multi_line else validate_line)


# --- JSON bodies ------------------------------------------------------------------------------------------

MAX_JSON_DEPTH = 32  # no API body nests deeper than a few levels; thousands would exhaust the stack


def json_depth(value: Any) -> int:
    """How deeply a parsed JSON value nests (counted without recursion, so any depth can be measured)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_json_body(body: bytes) -> Any:
    """An API request's JSON body, refused (ValueError) when it nests deeper than MAX_JSON_DEPTH. The body's
    size is bounded before it is read (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    import json

    try:
        data = json.loads(body)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    if json_depth(data) > MAX_JSON_DEPTH:
        raise ValueError("nested too deeply")
    return data


# --- stored records ---------------------------------------------------------------------------------------

def record_problems(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, list[str]]:
    """What in a record the boundary refuses, by field: control characters, text beyond its column's length,
    dates outside 1900–2100, integers beyond their column."""
    problems: dict[str, list[str]] = {}
    skipped = {*exclude, *getattr(instance, "boundary_exempt", ())}
    for field in instance._meta.concrete_fields:
        if field.name in skipped:
            continue
        value = getattr(instance, field.attname, None)
        if value is None:
            continue
        if problem := _field_problem(field, value):
            problems.setdefault(field.name, []).append(problem)
    return problems


def _field_problem(field: models.Field[Any, Any], value: Any) -> str | None:
    label = str(field.verbose_name)
    if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
        # Stored text may hold tabs and line breaks (a reason typed into a text area); forms refuse them where
        # the input is one line.
        if problem := text_problem(value):
            return f"{label}: {problem}"
        if field.max_length and len(value) > field.max_length:
            return _("%(field)s: at most %(count)s characters (it has %(length)s).") % {
                "field": label, "count": field.max_length, "length": len(value)}
    elif isinstance(field, models.DateField) and isinstance(value, dt.date):
        if problem := year_problem(value.year):
            return f"{label}: {problem}"
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        low, high = next((r for kind, r in INTEGER_RANGES.items() if type(field) is kind), (None, None))
        if low is not None and high is not None and not low <= value <= high:
            return _("%(field)s: the number must lie between %(low)s and %(high)s.") % {
                "field": label, "low": low, "high": high}
    return None


class BoundedModel(models.Model):
    """A record that refuses, on every save, what the boundary refuses — whichever path it came by (a page,
    the API, Open311, an import, a service that took a value straight from a request). `full_clean` reports
    the same problems per field, so a model form shows them beside the field."""

    boundary_exempt: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if problems := record_problems(self):
            raise ValidationError(problems)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        errors: dict[str, list[Any]] = {}  # Django's ValidationErrors, then the boundary's messages
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = dict(exc.error_dict)
        for name, problems in record_problems(self, exclude=set(exclude or ()) | set(errors)).items():
            errors[name] = problems
        if errors:
            raise ValidationError(errors)
