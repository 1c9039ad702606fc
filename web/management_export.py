"""The management information as CSV and as an XLSX workbook: exactly the tables on the page.

CSV: one line per figure (periode; tabel; rij; kolom; waarde), semicolons and UTF-8 with a byte
order mark, as Dutch Excel opens it without asking. The value is the text the page shows ("12",
"4,5", "80%", "niet getoond"). XLSX (openpyxl): a sheet "Uitleg" and one sheet per table, as on
the page, with figures as numbers and a hidden figure as the words "niet getoond".

A label that starts like a formula (=, +, -, @) gets a leading apostrophe, so no spreadsheet runs
a process or task name someone typed as a formula.
"""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from engine.management_report import HIDDEN, THRESHOLD, Report

_FORMULA_START = ("=", "+", "-", "@")
_SHEET_TITLE_MAX = 31  # Excel's limit


def safe(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def explanation(report: Report) -> list[str]:
    return [f"Managementinformatie ZVT over {report.label} "
            f"({report.period.first.isoformat()} tot en met {report.period.last.isoformat()}).",
            f"Zonder persoonsgegevens. Een aantal van 1 tot en met {THRESHOLD - 1} staat er als \"{HIDDEN}\", "
            "net als soms één ander getal, zodat niemand te herkennen is.",
            "Doorlooptijden in kalenderdagen. Mediaan: de helft was binnen deze tijd klaar. "
            "9 van de 10 binnen: zo lang duurde het hoogstens bij 9 van de 10."]


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["periode", "tabel", "rij", "kolom", "waarde"])
    for table in report.tables:
        for row in table.rows:
            labels = " – ".join(c.text for c in row.cells if isinstance(c.value, str))
            for cell, column in zip(row.cells, table.columns):
                if not isinstance(cell.value, str):
                    writer.writerow([report.label, table.title, safe(labels), column, cell.text])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # the one a new workbook has
    sheet.title = "Uitleg"
    for line in explanation(report):
        sheet.append([line])
    titles = {"Uitleg"}
    for table in report.tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, titles))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append([table.explanation])
        sheet.append(list(table.columns))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([safe(c.text) if isinstance(c.value, str) else (c.text if c.value is None else c.value)
                          for c in row.cells])
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def _sheet_title(title: str, taken: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:_SHEET_TITLE_MAX]
    name, n = base, 2
    while name in taken:
        name = f"{base[:_SHEET_TITLE_MAX - 3]} {n}"
        n += 1
    taken.add(name)
    return name
