"""The project ledger (项目台账) as the district keeps it in Excel: import with row-level errors and nothing
saved unless every row is right; export in the same layout (queries.ledger_rows), so a sheet can go out and come back.

A row whose 项目编号 exists updates that project (a stage may only stay or take its next step); any other row
creates one. Headers and list/stage names are Chinese whatever the page language: that is the ledger."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from zipfile import BadZipFile

from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from wanghua.core import audit
from wanghua.core.access import can
from wanghua.core.models import User
from wanghua.core.transitions import TransitionError
from wanghua.org.models import Person, Region, RegionLevel, Unit, Zone

from ..models import PROJECT_FLOW, Project, ProjectList, ProjectStep, Stage
from . import check_amounts

# (header, field): the ledger's columns, in its order.
COLUMNS = [
    ("项目编号", "code"), ("项目名称", "name"), ("所属清单", "project_list"), ("功能区", "zone"),
    ("行业", "industry"), ("建设单位", "sponsor"), ("新建/续建", "continuing"), ("建设阶段", "stage"),
    ("总投资（万元）", "total_investment"), ("年度计划投资（万元）", "annual_plan"), ("计划开工", "planned_start"),
    ("实际开工", "started_on"), ("计划竣工", "planned_completion"), ("实际竣工", "completed_on"),
    ("项目管家", "steward"), ("主管单位", "competent_unit"), ("包保领导", "leader"), ("镇街", "town"),
    ("建设地点", "location"),
]
HEADERS = [header for header, _field in COLUMNS]
REQUIRED = {"code", "name", "project_list", "zone", "industry", "sponsor", "stage", "total_investment",
            "annual_plan", "steward", "competent_unit", "leader", "town"}
MAX_ROWS = 20_000
SHEET_TITLE = "项目台账"
REFERENCES = ["zone", "town", "competent_unit", "steward", "leader"]
CONTINUING_WORDS = {"续建": True, "新建": False}


@dataclass
class RowError:
    row: int  # the sheet's row number, as Excel shows it
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class LedgerError(ValidationError):
    """The ledger was refused: `errors` says which row and column, nothing was saved."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        row = _("row")
        super().__init__([f"{row} {e.row} · {e.column}: {e.message}" for e in errors[:50]])


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Chinese label or code → code."""
    with translation.override("zh-hans"):
        found = {str(label): value for value, label in choices.choices}
    return {**found, **{value: value for value in choices.values}}


class _Lookups:
    """Names in the sheet → records, loaded once per import."""

    def __init__(self, people: set[str]) -> None:
        self.zones = {z.name: z for z in Zone.objects.all()} | {z.code: z for z in Zone.objects.all()}
        self.towns = {r.name: r for r in Region.objects.filter(level=RegionLevel.STREET)}
        self.units: dict[str, Unit | None] = {}
        for unit in Unit.objects.filter(active=True):
            for name in {unit.name, unit.short_name} - {""}:
                self.units[name] = None if name in self.units else unit  # None: two units share the name
        self.people: dict[str, Person | None] = {}
        for person in Person.objects.filter(name__in=people).only("pk", "name"):
            self.people[person.name] = None if person.name in self.people else person
        self.lists, self.stages = _labels(ProjectList), _labels(Stage)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(_text(value).replace(",", ""))
    except InvalidOperation as exc:
        raise ValidationError(_("“%(value)s” is not an amount in 万元.") % {"value": _text(value)}) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("An amount cannot be negative."))
    return amount.quantize(Decimal("0.01"))


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?", _text(value))
    if not match:
        raise ValidationError(_("“%(value)s” is not a date (2026-03-15 or 2026-03).") % {"value": _text(value)})
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError as exc:
        raise ValidationError(_("“%(value)s” is not a date (2026-03-15 or 2026-03).") % {"value": _text(value)}) \
            from exc


def _named(table: dict[str, Any], value: Any, what: str) -> Any:
    name = _text(value)
    if name not in table:
        raise ValidationError(_("No %(what)s is called “%(name)s”.") % {"what": what, "name": name})
    if table[name] is None:
        raise ValidationError(_("More than one %(what)s is called “%(name)s”.") % {"what": what, "name": name})
    return table[name]


def _parse_row(cells: dict[str, Any], lookups: _Lookups) -> tuple[dict[str, Any], dict[str, str]]:
    """Field values of one row, and its errors by field."""
    values, errors = {}, {}
    parsers: dict[str, Callable[[Any], Any]] = {
        "project_list": lambda v: _named(lookups.lists, v, _("list")),
        "stage": lambda v: _named(lookups.stages, v, _("stage")),
        "zone": lambda v: _named(lookups.zones, v, _("zone")),
        "town": lambda v: _named(lookups.towns, v, _("town/street")),
        "competent_unit": lambda v: _named(lookups.units, v, _("unit")),
        "steward": lambda v: _named(lookups.people, v, _("person")),
        "leader": lambda v: _named(lookups.people, v, _("person")),
        "continuing": lambda v: _named(CONTINUING_WORDS, v or "新建", "新建/续建"),
        "total_investment": _amount, "annual_plan": _amount,
        "planned_start": _date, "started_on": _date, "planned_completion": _date, "completed_on": _date,
    }
    for _header, name in COLUMNS:
        raw = cells.get(name)
        if name in REQUIRED and _text(raw) == "":
            errors[name] = _("Required.")
            continue
        try:
            parse: Callable[[Any], Any] = parsers.get(name, _text)
            values[name] = parse(raw)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    return values, errors


# What a broken or hostile file raises while it is read: not a workbook, ill-formed XML, or XML with entity
# definitions (defusedxml, which openpyxl reads through, refuses them: no "billion laughs" expansion).
UNREADABLE = (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, IndexError, SyntaxError,
              DefusedXmlException)


def _read_rows(upload: UploadedFile[Any] | IO[bytes]) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        yield from _sheet_rows(upload)
    except UNREADABLE as exc:
        raise LedgerError([RowError(0, "—", _("This is not an Excel workbook (.xlsx)."))]) from exc


def _sheet_rows(upload: UploadedFile[Any] | IO[bytes]) -> Iterable[tuple[int, dict[str, Any]]]:
    sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise LedgerError([RowError(1, h, _("Column missing from the header row.")) for h in missing])
    position = {name: header.index(h) for h, name in COLUMNS}
    for number, row in enumerate(rows, start=2):
        if not any(_text(v) for v in row):
            continue
        if number > MAX_ROWS + 1:
            raise LedgerError([RowError(number, "—", _("A ledger holds at most %(n)s rows.") % {"n": MAX_ROWS})])
        yield number, {name: row[i] if i < len(row) else None for name, i in position.items()}


def _apply(values: dict[str, Any], existing: Project | None) -> tuple[Project, list[str]]:
    """The project the row describes; changed field names (empty for an unchanged project). A new stage of an
    existing project is not set here: it is a step of the project's table (`_take_stage_step`)."""
    project = existing or Project()
    changed = []
    for name, value in values.items():
        if existing is not None and name == "stage":
            continue
        if existing is None or getattr(project, name) != value:
            setattr(project, name, value)
            changed.append(name)
    return project, changed


def _take_stage_step(actor: User, project: Project, to: str, changed: list[str]) -> None:
    """A ledger row may leave the stage as it is or take its next step, as the page would."""
    if to == project.stage:
        return
    try:
        if to not in ProjectStep.values:
            raise TransitionError(to)
        PROJECT_FLOW.perform(actor, project, to, save=False)  # saved with the rest of the sheet
    except TransitionError:
        raise ValidationError({"stage": _("From “%(now)s” the project can only move to its next stage.")
                               % {"now": project.get_stage_display()}}) from None
    except ValidationError as exc:  # the table's own rule (only a continuing project resumes)
        raise ValidationError({"stage": exc.messages[0]}) from None
    changed.append("stage")


@transaction.atomic
def import_ledger(actor: User, upload: UploadedFile[Any] | IO[bytes]) -> ImportResult:
    """All rows or none: a single broken row refuses the sheet with every row's errors listed."""
    rows = list(_read_rows(upload))
    lookups, result = _Lookups({_text(c[k]) for _n, c in rows for k in ("steward", "leader")}), ImportResult()
    codes = [_text(cells["code"]) for _n, cells in rows]
    existing = {p.code: p for p in Project.objects.select_related(*REFERENCES).select_for_update(of=("self",))
                .filter(code__in=codes)}
    headers = dict((name, header) for header, name in COLUMNS)
    seen: dict[str, int] = {}
    pending: list[tuple[Project, list[str]]] = []
    for number, cells in rows:
        values, errors = _parse_row(cells, lookups)
        code = values.get("code", "")
        if code in seen:
            errors["code"] = _("The same code is on row %(row)s.") % {"row": seen[code]}
        seen[code] = number
        if not errors:
            try:
                project, changed = _apply(values, existing.get(code))
                if not can(actor, "change" if project.pk else "add", project):
                    raise ValidationError({"competent_unit": _("You may not keep projects of this unit.")})
                if project.pk:
                    _take_stage_step(actor, project, values["stage"], changed)
                check_amounts(project)
                project.full_clean(exclude=REFERENCES, validate_unique=False)  # the lookups found them
                pending.append((project, changed))
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict")
                              else {"code": exc.messages[0]})
        result.errors += [RowError(number, headers.get(k, k), m) for k, m in errors.items()]
    if result.errors:
        raise LedgerError(result.errors)
    with audit.acting_as(actor), audit.labelled(audit.Label.LEDGER_IMPORT), audit.batched():
        for project, changed in pending:
            if project.pk is None:
                project.save()
                result.created += 1
            elif changed:
                project.save(update_fields=[*changed])
                result.updated += 1
            else:
                result.unchanged += 1
    return result
