"""Reading a measure's data from a CSV file, as people save them from a spreadsheet, or
from cells pasted out of one.

Rows are named as the user sees them in the file: ``row 5`` is the fifth line, the
header being row 1. Columns: period, value, numerator, denominator, note (any order,
any case; "date" and "month" are read as period, "notes" and "comment" as note). Pasted
cells may leave the header out: then the columns are period and value (or numerator and
denominator for a measure of a proportion or rate), and a note.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from projects.serializers import DataPointRowSerializer

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


def _is_header(cells: list[str]) -> bool:
    first = cells[0].strip().lower() if cells else ""
    return ALIASES.get(first, first) in COLUMNS


def parse_data_csv(
    text: str, *, delimiter: str = ",", headless: Sequence[str] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """Each data row of the file as (its name in the file, its cells by column).

    Blank lines are skipped; a blank number cell means "no value". With ``headless``
    columns, a first row that is not a header is data in those columns.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except StopIteration:
        raise _invalid("The file is empty: it needs a header row and data rows.") from None
    except csv.Error as error:
        raise _invalid(f"Row 1 cannot be read as CSV: {error}.") from None
    rows = []
    if headless is not None and not _is_header(header):
        columns: list[str | None] = list(headless)
        rows.append(_row(f"row {reader.line_num}", header, columns, reader.line_num))
    else:
        columns = _header(header)
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            rows.append(_row(f"row {reader.line_num}", cells, columns, reader.line_num))
    except csv.Error as error:
        raise _invalid(f"Row {reader.line_num} cannot be read as CSV: {error}.") from None
    if not rows:
        raise _invalid("The file has a header but no data rows.")
    return rows


def _row(
    label: str, cells: list[str], columns: list[str | None], line: int
) -> tuple[str, dict[str, Any]]:
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        raise _invalid(f"Row {line} has more cells than the header.", label)
    # A short row (trailing cells left off by the spreadsheet) has blank cells.
    cells = cells + [""] * (len(columns) - len(cells))
    row = {
        column: _cell(column, cell)
        for column, cell in zip(columns, cells, strict=False)
        if column is not None
    }
    return label, row


def parse_pasted_data(text: str, *, ratio: bool) -> list[tuple[str, dict[str, Any]]]:
    """Cells pasted from a spreadsheet (tab-separated) or typed as CSV, with or without a
    header; without one, period and value (``ratio``: numerator and denominator), note."""
    text = text.strip("\n\r")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first else ";" if ";" in first and "," not in first else ","
    headless = (
        ("period", "numerator", "denominator", "note") if ratio else ("period", "value", "note")
    )
    return parse_data_csv(text, delimiter=delimiter, headless=headless)


def read_rows(
    parsed: list[tuple[str, dict[str, Any]]],
) -> tuple[list[dict], list[str], dict[str, list[str]]]:
    """Each parsed row read as a data row (dates and numbers), and every bad cell of every
    row by its row and column (``row 5.value``), the good rows kept apart from the bad."""
    rows, labels, errors = [], [], {}
    for label, cells in parsed:
        row = DataPointRowSerializer(data=cells)
        if row.is_valid():
            rows.append(dict(row.validated_data))
            labels.append(label)
        else:
            for name, messages in row.errors.items():
                errors[f"{label}.{name}"] = [str(message) for message in messages]
    return rows, labels, errors


def typed_rows(parsed: list[tuple[str, dict[str, Any]]]) -> tuple[list[dict], list[str]]:
    """Each parsed row as a data row; a ``ValidationError`` naming every bad cell of every
    row at once if any is bad."""
    rows, labels, errors = read_rows(parsed)
    if errors:
        raise ValidationError(errors)
    return rows, labels


def row_number(key: str) -> int:
    """The row a problem's key names (``row 5.value`` -> 5); 0 for the file as a whole."""
    head = key.partition(".")[0]
    return int(head[4:]) if head.startswith("row ") and head[4:].isdigit() else 0
