"""Files for the supervisors: the dashboard table and the tickets behind a number, as CSV
(UTF-8 with a byte-order mark, so Excel reads the Chinese) or XLSX (openpyxl, imported only
when a workbook is asked for, so web workers do not load it otherwise)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

Cell = str | int | float | None


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file in UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], caption: str | None = None
) -> bytes:
    """A one-sheet workbook: an optional caption line, a bold header, then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    if caption:
        sheet.append([caption])
        sheet.cell(row=1, column=1).font = Font(bold=True)
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, _name in enumerate(header, start=1):
        sheet.column_dimensions[
            sheet.cell(row=sheet.max_row, column=index).column_letter
        ].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str) -> str:
    """An attachment header that keeps a non-ASCII file name (RFC 6266 / 5987)."""

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
