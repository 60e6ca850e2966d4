"""Import batches: upload → dry run (validate) → commit, for every registered import kind.

- `create_batch` stores the uploaded file (with its SHA-256) as an ImportBatch.
- `validate_batch` reads the file, cleans every row and compares it with the database of the
  batch's zone: counts of rows to create / update / leave unchanged / reject. Rejected rows and
  their reasons are kept next to the file (`imports/rejected/batch-<id>.jsonl`) for the preview
  page and the error report.
- `commit_batch` does the same again inside ONE transaction and writes: everything or nothing.
  It refuses when rows were rejected, unless the batch says `valid_only`.

Large files run in the background worker (see tasks.py); the batch's `processed_rows` shows the
progress. Every failure leaves a Chinese message in `batch.message` and the database unchanged.
"""
import hashlib
import io
import itertools
import json
import logging
import os
import tempfile
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from zoneops.core.changelog import current_context
from zoneops.core.models import ImportBatch, Zone
from zoneops.core.scoping import CHANGE, can

from . import engine, readers
from .importer import WriteContext, importer_class
from .readers import ImportFileError

logger = logging.getLogger(__name__)

CHUNK = 5000  # rows matched against the database at a time
FLUSH = 20000  # changes written at a time (one COPY per table on PostgreSQL)
PREVIEW_ERRORS = 500  # rejected cells listed on the batch page
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv")
Status = ImportBatch.Status


class ImportRefused(Exception):
    """The commit did not happen; the message says why (in Chinese). The database is unchanged."""


class _Rollback(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Creating a batch

def create_batch(zone, kind, file_name, data, user=None, valid_only=False):
    """Store an uploaded file as a new ImportBatch (status 等待校验). Raises ImportRefused when the
    kind is unknown, the user may not write in the zone, or the file is too large or empty."""
    if importer_class(kind) is None:
        raise ImportRefused(f"没有“{kind}”这种导入类型。")
    if user is not None and not can(user, zone.pk, CHANGE):
        raise ImportRefused(f"您没有向“{zone.name}”导入数据的权限。")
    limit = settings.ZONEOPS_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportRefused(f"文件太大（{len(data) / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB。"
                            "请拆分后分批导入。")
    if not data:
        raise ImportRefused("文件是空的，没有任何内容。")
    sha = hashlib.sha256(data).hexdigest()
    base = os.path.basename(str(file_name or "")).strip() or "import"
    ext = os.path.splitext(base)[1].lower()
    stored = f"{kind}-{sha[:16]}{ext if ext in EXTENSIONS else '.bin'}"
    batch = ImportBatch(zone=zone, kind=kind, user=user if getattr(user, "is_authenticated", False) else None,
                        file_name=base[:255], file_sha256=sha, file_size=len(data), valid_only=valid_only,
                        total_rows=readers.estimate_rows(data))
    batch.file.save(stored, ContentFile(data), save=False)
    batch.save()
    return batch


def runs_in_background(batch):
    return batch.total_rows > settings.ZONEOPS_IMPORT_BACKGROUND_ROWS


def start_validation(batch):
    """Validate now, or hand a large file to the worker. True when it went to the worker."""
    if runs_in_background(batch):
        from .tasks import validate_import

        try:
            validate_import.enqueue(batch.pk)
        except Exception:
            logger.exception("import batch %s: could not enqueue the validation", batch.pk)
            _fail(batch, "无法把校验任务交给后台处理，请稍后重新上传或联系管理员。")
        return True
    validate_batch(batch)
    return False


def start_commit(batch, valid_only=None):
    """Commit now, or hand a large file to the worker. True when it went to the worker.
    Raises ImportRefused when the batch cannot be committed."""
    if valid_only is not None and batch.valid_only != valid_only:
        batch.valid_only = valid_only
        batch.save(update_fields=["valid_only"])
    check_committable(batch)
    if runs_in_background(batch):
        claim_commit(batch)
        from .tasks import commit_import

        try:
            commit_import.enqueue(batch.pk)
        except Exception:
            logger.exception("import batch %s: could not enqueue the commit", batch.pk)
            ImportBatch.objects.filter(pk=batch.pk, status=Status.COMMITTING).update(status=Status.VALIDATED)
            batch.status = Status.VALIDATED
            raise ImportRefused("无法把任务交给后台处理，请稍后重试或联系管理员。") from None
        return True
    commit_batch(batch)
    return False


# ---------------------------------------------------------------------------------------------
# Running

class Progress:
    """Reports progress to the batch row (for the page) and to an optional callback (the CLI)."""

    def __init__(self, batch, callback=None, store=True, every=0.5):
        self.batch, self.callback, self.store, self.every = batch, callback, store, every
        self.last = time.monotonic()
        self.total = batch.total_rows

    def __call__(self, phase, done, total=None, force=False):
        if total is not None:
            self.total = total
        if self.callback is not None:
            self.callback(phase, done, self.total)
        now = time.monotonic()
        if self.store and (force or now - self.last >= self.every):
            self.last = now
            ImportBatch.objects.filter(pk=self.batch.pk).update(processed_rows=done, total_rows=max(self.total, done))


class Result:
    def __init__(self):
        self.created = self.updated = self.unchanged = self.rejected = 0
        self.rows = 0
        self.notices = []


def _read(batch):
    try:
        with batch.file.open("rb") as f:
            return f.read()
    except (FileNotFoundError, OSError, ValueError):
        raise ImportFileError("找不到这个批次上传的文件（可能已被清理），请重新上传。") from None


def locate(book, spec):
    """(sheet, layout, data rows) of the first sheet whose header fits the spec."""
    first_errors = None
    for sheet in book.sheets:
        rows = sheet.rows()
        head = list(itertools.islice(rows, engine.HEADER_SEARCH_ROWS))
        if not any(any(c not in ("", None) for c in cells) for _, cells in head):
            if first_errors is None and len(book.sheets) == 1:
                first_errors = ["文件中没有数据，只有空白。"]
            continue
        layout = engine.find_layout(spec, head, sheet.col_offset)
        if layout.header_line:
            unit = engine.sheet_unit(head, layout.header_line)
            if unit:
                layout = engine.find_layout(spec, head, sheet.col_offset, sheet_units=unit)
        if layout.ok:
            if len(book.sheets) > 1:
                layout.notices.insert(0, f"读取了工作表“{sheet.name}”。")
            return sheet, layout, itertools.chain(head[layout.skip:], rows)
        if first_errors is None:
            first_errors = layout.errors
    raise ImportFileError(" ".join(first_errors or ["文件中没有数据，只有空白。"]))


def run(batch, write=False, progress=None, ctx=None):
    """Read, clean and match every row of the batch's file; write when `write`. Returns a Result.
    Raises ImportFileError when the file cannot be imported at all."""
    importer = importer_class(batch.kind)(zone=batch.zone, user=batch.user, batch=batch)
    spec = importer.spec
    book = readers.open_workbook(_read(batch), batch.file_name)
    sheet, layout, data_rows = locate(book, spec)
    importer.layout = layout
    result = Result()
    result.notices = [f"文件格式：{book.description}。", *layout.notices]
    total = max(0, (sheet.size_hint or batch.total_rows) - layout.header_line)
    cleaner = engine.Cleaner(spec, layout)
    present = layout.present()
    store = RejectedStore(batch, layout)
    progress = progress or (lambda *a, **k: None)
    progress("validate", 0, total, force=True)
    rows = cleaner.clean(data_rows)
    pending = []  # changes not yet written: large writes keep the database busy while Python works
    try:
        while True:
            chunk = list(itertools.islice(rows, CHUNK))
            if not chunk:
                break
            changes = importer.plan(chunk, present)
            for row in chunk:
                if row.errors:
                    store.add(row)
            for change in changes:
                if change.action == "create":
                    result.created += 1
                elif change.action == "update":
                    result.updated += 1
                else:
                    result.unchanged += 1
            result.rows += len(chunk)
            # A commit that will be refused (rejected rows, not valid_only) stops writing: it is rolled back.
            if write and (batch.valid_only or not store.count):
                pending += [c for c in changes if c.action != "unchanged"]
                if len(pending) >= FLUSH:
                    importer.write(pending, present, ctx)
                    pending = []
            progress("commit" if write else "validate", result.rows, max(total, result.rows))
        if write and pending and (batch.valid_only or not store.count):
            importer.write(pending, present, ctx)
        result.rejected = store.count
        if result.rows == 0:
            raise ImportFileError(f"第 {layout.header_line} 行是表头，但下面没有数据行。")
        result.notices += cleaner.notices()
        store.save()
    finally:
        store.close()
    return result


def _notices(batch, result):
    notices = list(result.notices)
    earlier = (ImportBatch.objects.filter(zone_id=batch.zone_id, kind=batch.kind, file_sha256=batch.file_sha256,
                                          status=Status.DONE).exclude(pk=batch.pk).order_by("-committed_at").first())
    if earlier is not None and earlier.committed_at:
        notices.append(f"同一文件已于 {timezone.localtime(earlier.committed_at):%Y-%m-%d %H:%M} 导入过（批次 #{earlier.pk}）。")
    return notices


def _summary(result):
    return f"新增 {result.created} 条，更新 {result.updated} 条，未变化 {result.unchanged} 条，拒绝 {result.rejected} 条。"


def _apply(batch, result):
    batch.total_rows = batch.processed_rows = result.rows
    batch.created_count, batch.updated_count = result.created, result.updated
    batch.unchanged_count, batch.rejected_count = result.unchanged, result.rejected


def _fail(batch, message):
    batch.status = Status.FAILED
    batch.message = message
    batch.save()
    return batch


def validate_batch(batch, progress=None):
    """The dry run: fills the batch's counts, notices and rejected rows; status 已校验 or 失败."""
    batch.status = Status.VALIDATING
    batch.processed_rows = 0
    batch.message = ""
    batch.save(update_fields=["status", "processed_rows", "message", "updated"])
    try:
        result = run(batch, write=False, progress=Progress(batch, progress))
    except ImportFileError as e:
        RejectedStore.delete(batch)
        _apply(batch, Result())
        return _fail(batch, str(e))
    except Exception as e:
        logger.exception("import batch %s: validation failed", batch.pk)
        return _fail(batch, f"校验时发生内部错误（{type(e).__name__}），请联系管理员。")
    _apply(batch, result)
    batch.notices = _notices(batch, result)
    batch.status = Status.VALIDATED
    batch.validated_at = timezone.now()
    batch.message = "校验完成：" + _summary(result)
    batch.save()
    return batch


def check_committable(batch):
    if batch.status == Status.DONE:
        raise ImportRefused("这个批次已经导入过了。")
    if batch.status == Status.CANCELLED:
        raise ImportRefused("这个批次已取消，请重新上传文件。")
    if batch.status == Status.COMMITTING:
        raise ImportRefused("这个批次正在写入，请稍候。")
    if batch.status != Status.VALIDATED:
        raise ImportRefused("这个批次尚未通过校验，不能导入。")
    if batch.rejected_count and not batch.valid_only:
        raise ImportRefused(f"有 {batch.rejected_count} 行被拒绝。请修正后重新上传，或选择“仅导入有效行”。")
    if not (batch.created_count or batch.updated_count):
        raise ImportRefused("没有需要新增或更新的数据。")


def claim_commit(batch):
    """VALIDATED → COMMITTING, atomically (a second click or a second worker gets refused)."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=Status.VALIDATED).update(
        status=Status.COMMITTING, processed_rows=0, updated=timezone.now())
    if not claimed:
        batch.refresh_from_db()
        check_committable(batch)
        raise ImportRefused("这个批次的状态已变化，请刷新页面。")
    batch.status = Status.COMMITTING
    batch.processed_rows = 0


def commit_batch(batch, progress=None):
    """Write the batch in one transaction. Raises ImportRefused when it cannot (nothing written)."""
    check_committable(batch)
    claim_commit(batch)
    return commit_claimed(batch, progress)


def commit_claimed(batch, progress=None):
    """The commit of a batch already in status 写入中 (claimed by `claim_commit`)."""
    ctx = WriteContext(batch=batch, user=batch.user, request_id=current_context().get("request_id") or uuid.uuid4(),
                       now=timezone.now())
    try:
        with transaction.atomic():
            result = run(batch, write=True, progress=Progress(batch, progress, store=False), ctx=ctx)
            if result.rejected and not batch.valid_only:
                raise _Rollback(result)
            if result.created or result.updated:
                Zone.touch([batch.zone_id])  # cached zone figures are stale now
    except _Rollback as r:
        result = r.args[0]
        _apply(batch, result)
        batch.status = Status.VALIDATED
        batch.message = ("数据在校验后发生了变化，现在有 " f"{result.rejected} 行被拒绝，未导入任何数据。"
                         "请查看拒绝原因，修正后重新上传，或选择“仅导入有效行”。")
        batch.save()
        raise ImportRefused(batch.message) from None
    except ImportFileError as e:
        _fail(batch, f"导入失败，未写入任何数据：{e}")
        raise ImportRefused(batch.message) from None
    except Exception as e:
        logger.exception("import batch %s: commit failed", batch.pk)
        _fail(batch, f"写入时发生错误，已全部回滚，未写入任何数据（{type(e).__name__}: {str(e)[:200]}）。")
        raise ImportRefused(batch.message) from None
    _apply(batch, result)
    batch.notices = _notices(batch, result)
    batch.status = Status.DONE
    batch.committed_at = timezone.now()
    batch.message = "导入完成：" + _summary(result)
    batch.save()
    return batch


def cancel_batch(batch):
    if batch.status not in (Status.PENDING, Status.VALIDATED, Status.FAILED):
        raise ImportRefused("只有等待校验、已校验或失败的批次可以取消。")
    batch.status = Status.CANCELLED
    batch.message = "已取消，未导入任何数据。"
    batch.save(update_fields=["status", "message", "updated"])
    return batch


# ---------------------------------------------------------------------------------------------
# Rejected rows

def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return str(value)
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class RejectedStore:
    """Rejected rows of a batch as JSON lines in the default storage; first line: the headers."""

    def __init__(self, batch, layout):
        self.batch = batch
        self.count = 0
        self.file = tempfile.TemporaryFile(mode="w+b")
        self.width = len(layout.headers)
        letters = [engine.excel_column(i + layout.col_offset) for i in range(self.width)]
        self._write({"headers": layout.headers, "letters": letters, "header_line": layout.header_line})

    def _write(self, obj):
        self.file.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")

    def add(self, row):
        self.count += 1
        raw = [_jsonable(v) for v in row.raw[: max(self.width, 1)]]
        self._write({"line": row.line, "values": raw, "errors": [list(e) for e in row.errors]})

    def save(self):
        name = self.name(self.batch)
        self.delete(self.batch)
        self.file.seek(0)
        default_storage.save(name, File(self.file, name=os.path.basename(name)))

    def close(self):
        self.file.close()

    @staticmethod
    def name(batch):
        return f"imports/rejected/batch-{batch.pk}.jsonl"

    @classmethod
    def delete(cls, batch):
        name = cls.name(batch)
        if default_storage.exists(name):
            default_storage.delete(name)

    @classmethod
    def read(cls, batch):
        """(meta, iterator of rows) of the stored rejected rows; empty when none."""
        name = cls.name(batch)
        if not default_storage.exists(name):
            return {"headers": [], "letters": []}, (r for r in ())
        f = default_storage.open(name, "rb")
        meta = json.loads(f.readline() or b"{}")

        def rows():
            # Not `for line in f`: Django's File iterates from the start again.
            with f:
                while line := f.readline():
                    yield json.loads(line)

        return meta, rows()


def rejected_preview(batch, limit=PREVIEW_ERRORS):
    """[(line, column letter, header, value, reason)] of the first rejected cells."""
    meta, rows = RejectedStore.read(batch)
    headers, letters = meta.get("headers", []), meta.get("letters", [])
    out = []
    for item in rows:
        values = item["values"]
        for index, label, reason in item["errors"]:
            if len(out) >= limit:
                rows.close()
                return out
            if index is None:
                out.append((item["line"], "", label, "", reason))
            else:
                value = values[index] if index < len(values) else ""
                letter = letters[index] if index < len(letters) else engine.excel_column(index)
                header = headers[index] if index < len(headers) and headers[index] else label
                out.append((item["line"], letter, header, "" if value is None else value, reason))
    return out


def error_report(batch):
    """The rejected rows as .xlsx: the original columns, 错误原因, 原文件行号; bad cells in red."""
    from zoneops.core.export import xlsx_bytes

    meta, rows = RejectedStore.read(batch)
    headers = list(meta.get("headers") or [])
    width = len(headers)
    out, highlight = [], set()
    for r, item in enumerate(rows):
        values = list(item["values"][:width]) + [""] * max(0, width - len(item["values"]))
        reasons = []
        for index, label, reason in item["errors"]:
            reasons.append(engine.reason_text(label, reason))
            if index is not None and index < width:
                highlight.add((r, index))
        out.append([*values, "；".join(reasons), item["line"]])
    headers = [h or f"（第 {i + 1} 列）" for i, h in enumerate(headers)] + ["错误原因", "原文件行号"]
    widths = {len(headers) - 2: 60}
    return xlsx_bytes(headers, out, sheet="错误报告", highlight=highlight, widths=widths)


# ---------------------------------------------------------------------------------------------
# Templates

def template_xlsx(kind):
    """The downloadable template: Chinese headers with units, an example row, and a sheet of notes."""
    import xlsxwriter

    cls = importer_class(kind)
    importer = cls(zone=None)
    spec = importer.spec
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet(cls.title or cls.label)
    required = book.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1, "text_wrap": True})
    optional = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    columns = [c for c in spec.columns if not getattr(c, "template_hidden", False)]
    for i, col in enumerate(columns):
        sheet.write_string(0, i, col.header, required if col.needed else optional)
        as_text = isinstance(col.parser, (engine.UsccParser, engine.TextParser, engine.IndustryParser))
        sheet.set_column(i, i, max(12, min(40, len(col.header) * 2 + 2)), text if as_text else None)
        example = col.example
        if example in ("", None):
            continue
        if hasattr(example, "year") and hasattr(example, "month"):
            sheet.write_datetime(1, i, timezone.datetime(example.year, example.month, example.day), date)
        elif isinstance(example, (int, float)) and not isinstance(example, bool) and not as_text:
            sheet.write_number(1, i, example)
        else:
            sheet.write_string(1, i, str(example), text if as_text else None)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for i, h in enumerate(["列名", "是否必填", "单位", "填写说明", "也可写作"]):
        notes.write_string(0, i, h, head)
    for r, col in enumerate(columns, start=1):
        notes.write_string(r, 0, col.label, wrap)
        notes.write_string(r, 1, "必填" if col.needed else "选填", wrap)
        notes.write_string(r, 2, col.unit, wrap)
        notes.write_string(r, 3, col.note or (col.parser.describe() if col.parser else "仅供核对，不导入"), wrap)
        notes.write_string(r, 4, "、".join(col.synonyms), wrap)
    notes.set_column(0, 0, 22)
    notes.set_column(1, 2, 10)
    notes.set_column(3, 3, 60)
    notes.set_column(4, 4, 50)
    r = len(columns) + 2
    for line in GENERAL_NOTES:
        notes.write_string(r, 0, line)
        r += 1
    book.close()
    return buf.getvalue()


GENERAL_NOTES = [
    "说明：",
    "1. 第一个工作表的第 1 行是表头，示例行（第 2 行）请删除或替换；表头上方可以有标题行，列的顺序不限。",
    "2. 列名可用“也可写作”中的写法；全角/半角、空格、括号中的单位（如“（万元）”“（千元）”“（公顷）”）都能识别，单位会自动换算。",
    "3. 更新已有数据时只需包含要修改的列；空白单元格不会覆盖已有数据。",
    "4. 统一社会信用代码请设为“文本”格式，否则 Excel 会把全数字的代码变成科学计数法。",
    "5. 也可以上传 CSV（UTF-8 或 GBK 编码）。",
]
