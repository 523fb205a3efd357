"""Reading a measure's data from a CSV file, as people save them from a spreadsheet.

Rows are named as the user sees them in the file: ``row 5`` is the fifth line, the
header being row 1. Columns: period, value, numerator, denominator, note (any order,
any case; "date" and "month" are read as period, "notes" and "comment" as note).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.core.exceptions import ValidationError

MAX_CSV_BYTES = 2 * 1024 * 1024
COLUMNS = ("period", "value", "numerator", "denominator", "note")
ALIASES = {"date": "period", "month": "period", "notes": "note", "comment": "note"}
NUMBER_COLUMNS = frozenset({"value", "numerator", "denominator"})
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


def _invalid(message: str, field: str = "file") -> ValidationError:
    return ValidationError({field: ValidationError(message, code="invalid")})


def decode_csv(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without Excel's byte-order mark), else Windows-1252,
    which is what Excel on Windows saves as "CSV"."""
    if len(raw) > MAX_CSV_BYTES:
        raise _invalid(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _header(names: list[str]) -> list[str | None]:
    columns: list[str | None] = []
    for raw_name in names:
        name = raw_name.strip().lower()
        name = ALIASES.get(name, name)
        if not name:
            columns.append(None)  # an empty trailing column from a spreadsheet
            continue
        if name not in COLUMNS:
            raise _invalid(
                f"Unknown column {raw_name.strip()!r}. The columns are: {', '.join(COLUMNS)}.",
                "header",
            )
        if name in columns:
            raise _invalid(f"The column {name!r} appears twice.", "header")
        columns.append(name)
    if "period" not in columns:
        raise _invalid("The file needs a 'period' column (the first day of each period).", "header")
    return columns


def _cell(column: str, text: str) -> Any:
    text = text.strip() if column != "note" else text
    if column in NUMBER_COLUMNS:
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")  # "1,204" as a spreadsheet shows it
        return text or None
    if column == "note" and text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]  # the guard our export put in front of a formula-like note
    return text


def parse_data_csv(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Each data row of the file as (its name in the file, its cells by column).

    Blank lines are skipped; a blank number cell means "no value".
    """
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise _invalid("The file is empty: it needs a header row and data rows.") from None
    except csv.Error as error:
        raise _invalid(f"Row 1 cannot be read as CSV: {error}.") from None
    columns = _header(header)
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            label = f"row {reader.line_num}"
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                raise _invalid(f"Row {reader.line_num} has more cells than the header.", label)
            # A short row (trailing cells left off by the spreadsheet) has blank cells.
            cells = cells + [""] * (len(columns) - len(cells))
            row = {
                column: _cell(column, cell)
                for column, cell in zip(columns, cells, strict=False)
                if column is not None
            }
            rows.append((label, row))
    except csv.Error as error:
        raise _invalid(f"Row {reader.line_num} cannot be read as CSV: {error}.") from None
    if not rows:
        raise _invalid("The file has a header but no data rows.")
    return rows
