"""Write rows to .xlsx or .csv exactly as shown, neutralising spreadsheet formulas."""
import csv
import datetime
import decimal
import io

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell(value):
    """Numbers stay numbers (so Excel can sum them); everything else becomes safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def _ascii_name(name):
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


def attachment(response, filename):
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename=\"{_ascii_name(filename)}\"; filename*=UTF-8''{quote(filename)}")
    return response


def xlsx_bytes(headers, rows, sheet="数据", highlight=None, widths=None):
    """highlight: {(row_index, col_index)} of cells to mark red (0-based, data rows)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "constant_memory": not highlight})
    ws = book.add_worksheet(sheet[:31])
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    for c, h in enumerate(headers):
        ws.write_string(0, c, str(h), head)
        ws.set_column(c, c, (widths or {}).get(c, max(10, min(40, len(str(h)) * 2 + 2))))
    ws.freeze_panes(1, 0)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            v = cell(value)
            fmt = bad if highlight and (r, c) in highlight else None
            if isinstance(v, (int, float)):
                ws.write_number(r + 1, c, v, fmt)
            else:
                ws.write_string(r + 1, c, v, fmt)
    book.close()
    return buf.getvalue()


def csv_bytes(headers, rows):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    for row in rows:
        w.writerow([cell(v) for v in row])
    # BOM so that Excel opens UTF-8 CSV with Chinese correctly.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def response(fmt, headers, rows, basename):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        resp = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
        return attachment(resp, f"{basename}-{stamp}.csv")
    resp = HttpResponse(xlsx_bytes(headers, rows),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return attachment(resp, f"{basename}-{stamp}.xlsx")
