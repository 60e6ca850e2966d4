"""Helpers for the import tests: spreadsheets with real-world mess, built in the test itself."""
import csv
import datetime
import io
from pathlib import Path

import openpyxl
import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


def uscc_vectors(expected=None):
    """Rows of tests/data/import/uscc_vectors.csv (from python-stdnum), optionally filtered."""
    with open(DATA / "uscc_vectors.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if expected == "invalid":
        return [r for r in rows if r["expected"] != "valid"]
    if expected:
        return [r for r in rows if r["expected"] == expected]
    return rows


def valid_codes():
    return list(dict.fromkeys(r["compact"] for r in uscc_vectors("valid")))


def make_csv(rows, encoding="utf-8", bom=False, delimiter=","):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    text = buf.getvalue()
    data = text.encode(encoding)
    if bom:
        data = "\ufeff".encode(encoding) + data if encoding.startswith("utf-8") else data
    return data


def make_xlsx(rows, merges=(), start="A1", formats=None):
    """An .xlsx (openpyxl) with `rows` from cell `start`; `merges` like 'A1:A2'; `formats`
    {(row, col): number_format} 0-based within `rows`."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据"
    first = sheet[start]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            cell = sheet.cell(row=first.row + r, column=first.column + c, value=value)
            if formats and (r, c) in formats:
                cell.number_format = formats[(r, c)]
    for rng in merges:
        sheet.merge_cells(rng)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def read_xlsx(data):
    """(sheet) of an .xlsx, via openpyxl, for checking reports and templates."""
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def db_counts():
    from zoneops.core.models import ObjectChange
    from zoneops.registry.models import Enterprise, EnterpriseYear, Parcel

    return {"enterprises": Enterprise.objects.count(), "parcels": Parcel.objects.count(),
            "figures": EnterpriseYear.objects.count(), "changes": ObjectChange.objects.count()}


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files and rejected-row stores go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def immediate_tasks(settings):
    """The background worker path, run in-process (django-tasks ImmediateBackend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ZONEOPS_IMPORT_BACKGROUND_ROWS = 3


def run(zone, kind, data, user=None, name="data.csv", commit=False, valid_only=False):
    """Create and validate a batch; commit it when asked. Returns the batch."""
    from zoneops.core.importing import service

    batch = service.create_batch(zone, kind, name, data, user, valid_only=valid_only)
    service.validate_batch(batch)
    if commit:
        service.commit_batch(batch)
    return batch


TODAY = datetime.date.today()
