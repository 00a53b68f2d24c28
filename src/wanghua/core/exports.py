"""Excel export of any list, streamed row by row (openpyxl write-only mode)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .boundary import printable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXPORT_ROWS = 200_000


def _cell_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal | dt.date):  # numbers stay numbers, so officials can sum them
        return value
    # openpyxl refuses control characters (IllegalCharacterError): a row stored before the input boundary
    # refused them still exports, without them.
    return printable(str(value))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(ws: WriteOnlyWorksheet, value: object) -> object:
    """Text that Excel would run as a formula (=HYPERLINK(...) in a name) is written as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    # A sheet's name may not hold []:*?/\ (openpyxl refuses it): a title made from a record's name loses them.
    ws = wb.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "", printable(title))[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    for index, header in enumerate(headers):
        ws.column_dimensions[get_column_letter(index + 1)].width = max(12, len(str(header)) * 2.2)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=str(header))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B22222")
        header_cells.append(cell)
    ws.append(header_cells)
    for count, row in enumerate(rows):
        if count >= MAX_EXPORT_ROWS:
            break
        ws.append([_safe_cell(ws, _cell_value(v)) for v in row])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                  title: str = "") -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(workbook_bytes(title or filename, headers, rows), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.xlsx')}"
    return response
