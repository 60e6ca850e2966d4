"""Reading uploaded spreadsheets: bytes → sheets of (row number, cells). No Django.

- .xlsx / .xlsm / .xlsb / .xls / .ods through python-calamine (Rust; about 15× openpyxl), merged
  cells filled with the value of their top-left cell, row numbers as Excel shows them.
- .csv / .txt in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GB18030/GBK
  (what Chinese Excel saves), comma, tab, semicolon or bar separated; the encoding and separator
  are detected, not taken from the file name.

Every failure is an `ImportFileError` with a Chinese message for the user.
"""
import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_MAGICS = {b"%PDF": "PDF 文档", b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"Rar!": "RAR 压缩包",
                 b"7z\xbc\xaf": "7z 压缩包", b"\x1f\x8b": "gzip 压缩包", b"{\\rtf": "RTF 文档"}


class ImportFileError(Exception):
    """The file cannot be read; the message says why, in Chinese."""


@dataclass
class Sheet:
    name: str
    reader: object  # callable returning an iterator of (line, cells)
    col_offset: int = 0  # Excel column index of the first cell of every row
    size_hint: int = 0  # number of rows, for progress

    def rows(self):
        return self.reader()


@dataclass
class Workbook:
    kind: str  # "xlsx", "xls", "ods", "csv"
    sheets: list
    encoding: str = ""
    delimiter: str = ""

    @property
    def description(self):
        if self.kind == "csv":
            names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带 BOM）", "gb18030": "GBK/GB18030", "utf-16": "UTF-16"}
            seps = {",": "逗号", "\t": "制表符", ";": "分号", "|": "竖线"}
            return f"CSV，{names.get(self.encoding, self.encoding)} 编码，{seps.get(self.delimiter, self.delimiter)}分隔"
        return {"xlsx": "Excel 工作簿（.xlsx）", "xls": "Excel 97-2003 工作簿（.xls）",
                "ods": "OpenDocument 表格（.ods）"}.get(self.kind, self.kind)


def open_workbook(data, file_name=""):
    """A `Workbook` for the bytes of an uploaded file; raises ImportFileError."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise ImportFileError("文件是空的，没有任何内容。")
    if data.startswith(codecs.BOM_UTF8) and not data[3:].strip(b" \t\r\n,;\x00"):
        raise ImportFileError("文件是空的，没有任何内容。")
    if data.startswith(ZIP_MAGIC):
        return _open_zip(data)
    if data.startswith(OLE_MAGIC):
        return _open_calamine(data, "xls")
    for magic, what in BINARY_MAGICS.items():
        if data.startswith(magic):
            raise ImportFileError(f"这是{what}，不是 Excel 或 CSV 文件。请上传 .xlsx 或 .csv 文件。")
    return _open_csv(data)


def _open_zip(data):
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, EOFError, OSError):
        raise ImportFileError("文件不完整或已损坏（可能上传中断或保存未完成）。请在 Excel 中重新打开、另存为 .xlsx 后再上传。"
                              ) from None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return _open_calamine(data, "xlsx")
    if "content.xml" in names:
        return _open_calamine(data, "ods")
    if "word/document.xml" in names:
        raise ImportFileError("这是 Word 文档，不是 Excel 表格。请上传 .xlsx 或 .csv 文件。")
    raise ImportFileError("这是一个压缩包，不是 Excel 工作簿。请上传 .xlsx 或 .csv 文件。")


def _open_calamine(data, kind):
    import python_calamine as pc

    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = list(book.sheets_metadata)
    except pc.PasswordError:
        raise ImportFileError("文件设置了打开密码。请在 Excel 中取消密码后另存为 .xlsx 再上传。") from None
    except Exception as e:  # calamine raises CalamineError, XmlError, ZipError …
        if kind == "xls":
            raise ImportFileError("无法读取这个 .xls 文件：文件已损坏、已加密，或不是 Excel 文件。"
                                  "请在 Excel 中另存为 .xlsx 后上传。") from e
        raise ImportFileError(f"文件已损坏，无法读取（{_short(e)}）。请在 Excel 中重新打开、另存为 .xlsx 后再上传。") from e
    sheets = []
    for index, meta in enumerate(metas):
        if "WorkSheet" not in str(meta.typ) or "Visible" not in str(meta.visible) or "Hidden" in str(meta.visible):
            continue
        sheets.append(_calamine_sheet(book, index, meta.name))
    if not sheets:
        raise ImportFileError("工作簿中没有可见的工作表。")
    return Workbook(kind=kind, sheets=sheets)


def _short(error):
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 80 else text[:79] + "…"


class _LazySheet:
    """Loads a calamine sheet on first use (a workbook's other sheets may never be needed)."""

    def __init__(self, book, index, name):
        self.book, self.index, self.name = book, index, name
        self._sheet = None

    def sheet(self):
        if self._sheet is None:
            try:
                self._sheet = self.book.get_sheet_by_index(self.index)
            except Exception as e:
                raise ImportFileError(f"工作表“{self.name}”已损坏，无法读取（{_short(e)}）。"
                                      "请在 Excel 中重新保存后再上传。") from e
        return self._sheet


def _calamine_sheet(book, index, name):
    lazy = _LazySheet(book, index, name)
    sheet = Sheet(name=name, reader=None)

    def reader():
        ws = lazy.sheet()
        start = ws.start
        col_offset = start[1] if start else 0
        sheet.col_offset = col_offset
        sheet.size_hint = ws.total_height or 0
        merged = getattr(ws, "merged_cell_ranges", None) or []
        return _with_merges(ws.iter_rows() if start else iter(()), merged, col_offset)

    sheet.reader = reader
    return sheet


def _with_merges(rows, merged, col_offset):
    """(line, cells) with every cell of a merged range holding the value of its top-left cell."""
    if not merged:
        for i, cells in enumerate(rows):
            yield i + 1, cells
        return
    pending = sorted(merged)  # [((r0, c0), (r1, c1))], absolute 0-based
    active = []  # [r1, c0, c1, value]
    p = 0
    for i, cells in enumerate(rows):
        while p < len(pending) and pending[p][0][0] == i:
            (r0, c0), (r1, c1) = pending[p]
            j = c0 - col_offset
            value = cells[j] if 0 <= j < len(cells) else ""
            if value not in ("", None):
                active.append([r1, c0, c1, value])
            p += 1
        while p < len(pending) and pending[p][0][0] < i:
            p += 1  # a range that started on a row calamine skipped
        if active:
            cells = list(cells)
            for r1, c0, c1, value in active:
                for c in range(c0, c1 + 1):
                    j = c - col_offset
                    if 0 <= j < len(cells) and cells[j] in ("", None):
                        cells[j] = value
            active = [a for a in active if a[0] > i]
        yield i + 1, cells


# ---------------------------------------------------------------------------------------------
# CSV

def detect_encoding(data):
    """'utf-8-sig', 'utf-16', 'utf-8' or 'gb18030'; ImportFileError when none fits."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start:start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError("无法识别文件的文字编码（既不是 UTF-8 也不是 GBK）。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"
                          "或 .xlsx 后上传。")


def detect_delimiter(sample):
    """The separator that splits the first lines most consistently; comma on ties."""
    lines = [ln for ln in sample.splitlines()[:30] if ln.strip()]
    best, best_score = ",", 0
    for delim in (",", "\t", ";", "|"):
        counts = sorted(ln.count(delim) for ln in lines)
        if not counts:
            continue
        # The upper quartile: title rows above the header have fewer separators.
        score = counts[(3 * len(counts)) // 4]
        if score > best_score:
            best, best_score = delim, score
    return best


def _open_csv(data):
    encoding = detect_encoding(data)
    head = data[:65536].decode(encoding, errors="ignore")
    if "\x00" in head:
        raise ImportFileError("文件含有二进制内容，不是 CSV 文本文件。请上传 .xlsx 或 .csv 文件。")
    delimiter = detect_delimiter(head)
    if not head.lstrip("\ufeff").strip():
        raise ImportFileError("文件是空的，没有任何内容。")
    size_hint = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)

    def reader():
        stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        rows = csv.reader(stream, delimiter=delimiter)
        line = 0
        try:
            for line, cells in enumerate(rows, start=1):
                yield line, cells
        except csv.Error as e:
            raise ImportFileError(f"第 {line + 1} 行附近的 CSV 格式有误（{_short(e)}），请检查引号是否成对。") from None

    return Workbook(kind="csv", sheets=[Sheet(name="CSV", reader=reader, size_hint=size_hint)],
                    encoding=encoding, delimiter=delimiter)


# ---------------------------------------------------------------------------------------------
# Size estimates (for choosing between the request and the background worker)

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"')


def estimate_rows(data):
    """A quick estimate of the number of rows, without parsing the whole file."""
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                sheets = sorted(n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
                if not sheets:
                    return len(data) // 100
                name = sheets[0]
                with z.open(name) as f:
                    head = f.read(4096)
                m = _DIMENSION.search(head)
                if m:
                    return int(m.group(2) or m.group(1))
                return z.getinfo(name).file_size // 150
        except (zipfile.BadZipFile, EOFError, OSError, KeyError):
            return 0
    if data.startswith(OLE_MAGIC):
        return len(data) // 60
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.count(b"\n\x00")
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
