"""Reading training records from the CSV file an HR or learning system exports.

Columns (any order, any case): ``email`` and ``course`` are needed; ``name``, ``unit``,
``completed_on`` (also read from "date", "completed" or "completion date") and
``evidence_url`` (also "evidence" or "link") are read when present. Dates are written
2026-03-31 or, as UK spreadsheets save them, 31/03/2026. Rows are named as the person
sees them in the file: ``row 5`` is the fifth line, the header being row 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError

from projects.data_csv import decode_csv

COLUMNS = ("email", "name", "unit", "course", "completed_on", "evidence_url")
REQUIRED = ("email", "course", "completed_on")
ALIASES = {
    "e-mail": "email",
    "email address": "email",
    "full name": "name",
    "full_name": "name",
    "ward": "unit",
    "team": "unit",
    "department": "unit",
    "course name": "course",
    "date": "completed_on",
    "completed": "completed_on",
    "completion date": "completed_on",
    "completed on": "completed_on",
    "evidence": "evidence_url",
    "link": "evidence_url",
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y")
TEMPLATE = "email,name,unit,course,completed_on,evidence_url\n"


def _invalid(message: str, field: str = "file") -> ValidationError:
    return ValidationError({field: ValidationError(message, code="invalid")})


@dataclass(frozen=True)
class Row:
    """One data row of the file: its name in the file (``row 5``) and its cells."""

    label: str
    email: str
    name: str
    unit: str
    course: str
    completed_on: str
    evidence_url: str


def parse_date(text: str) -> date | None:
    """A date as people write it in a spreadsheet, or None when it is not one."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _columns(header: list[str]) -> list[str | None]:
    columns: list[str | None] = []
    for raw in header:
        name = raw.strip().lower()
        name = ALIASES.get(name, name.replace(" ", "_"))
        if not name:
            columns.append(None)
            continue
        if name not in COLUMNS:
            raise _invalid(
                f"Unknown column {raw.strip()!r}. The columns are: {', '.join(COLUMNS)}.", "header"
            )
        if name in columns:
            raise _invalid(f"The column {name!r} appears twice.", "header")
        columns.append(name)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise _invalid(
            f"The file needs the column{'s' * (len(missing) > 1)} {' and '.join(missing)}.",
            "header",
        )
    return columns


def parse_records_csv(raw: bytes) -> list[Row]:
    """Each data row of the file, its cells stripped; blank lines are skipped."""
    reader = csv.reader(io.StringIO(decode_csv(raw)))
    try:
        columns = _columns(next(reader))
    except StopIteration:
        raise _invalid("The file is empty: it needs a header row and data rows.") from None
    except csv.Error as error:
        raise _invalid(f"Row 1 cannot be read as CSV: {error}.") from None
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            label = f"row {reader.line_num}"
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                raise _invalid(f"Row {reader.line_num} has more cells than the header.", label)
            values = dict.fromkeys(COLUMNS, "")
            for column, cell in zip(columns, cells, strict=False):
                if column is not None:
                    values[column] = cell.strip()
            rows.append(Row(label=label, **values))
    except csv.Error as error:
        raise _invalid(f"Row {reader.line_num} cannot be read as CSV: {error}.") from None
    if not rows:
        raise _invalid("The file has a header but no data rows.")
    return rows
