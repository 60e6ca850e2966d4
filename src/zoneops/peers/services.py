"""Reading an uploaded report, running the extractor, and the review (accept / correct / drop)."""
import io
import os
import re
import zipfile
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.core.changelog import log_bulk, make_change, snapshot

from .engine import normalise
from .extract import extract
from .models import MAX_TEXT_CHARS, Kind, PeerFigure, PeerReport, ReportStatus

MAX_UNZIPPED = 30 * 1024 * 1024  # a .docx whose parts unpack to more is refused (zip bomb)


def text_from_upload(f):
    """The text of an uploaded .txt or .docx, or a ValidationError in Chinese saying what is wrong."""
    name = os.path.basename(getattr(f, "name", "") or "")[:80]
    ext = os.path.splitext(name)[1].lower()
    data = f.read(MAX_TEXT_CHARS * 4 + 1) if ext == ".txt" else f.read()
    if not data:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": name})
    if ext == ".txt":
        if len(data) > MAX_TEXT_CHARS * 4:
            raise ValidationError(_("文件“%(name)s”超过 %(max)s 个字符的上限，不像是一篇报告；请只上传报告正文。")
                                  % {"name": name, "max": f"{MAX_TEXT_CHARS:,}"})
        if b"\x00" in data[:65536]:
            raise ValidationError(_("文件“%(name)s”是二进制文件，不是文本；请上传 UTF-8 或 GBK 编码的 .txt 文件。")
                                  % {"name": name})
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("文件“%(name)s”的编码无法识别，请另存为 UTF-8 编码的 .txt 文件。") % {"name": name})
    if ext == ".docx":
        return _docx_text(data, name)
    raise ValidationError(_("文件“%(name)s”的类型不支持：只能上传 .txt 或 .docx 文件（PDF 请先复制文字后粘贴）。")
                          % {"name": name})


def _docx_text(data, name):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED or "word/document.xml" not in z.namelist():
                raise ValidationError(_("文件“%(name)s”不是有效的 Word (.docx) 文档。") % {"name": name})
        import docx

        document = docx.Document(io.BytesIO(data))
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 — any parser failure means the file is not a usable .docx
        raise ValidationError(_("文件“%(name)s”不是有效的 Word (.docx) 文档，无法读取。") % {"name": name}) from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("，".join(c.text for c in row.cells))
    return "\n".join(parts)


def run_extraction(report):
    """Extract the report's figures into its candidates (all pending) and save it."""
    figures = extract(report.text, report.report_date)
    if report.pk:  # figures accepted from an earlier text keep their values but no longer point at a row
        PeerFigure.objects.filter(report=report).update(candidate_index=None)
    report.candidates = [{**f.as_dict(), "index": i, "status": "pending"} for i, f in enumerate(figures)]
    report.status = ReportStatus.PENDING if figures else ReportStatus.REVIEWED
    report.save()
    return report


def parse_value(raw, where):
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    text = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("%(where)s：数值“%(v)s”不是数字。") % {"where": where, "v": str(raw)[:30]}) from None
    if not value.is_finite() or abs(value) >= Decimal("1e17"):
        raise ValidationError(_("%(where)s：数值“%(v)s”超出范围。") % {"where": where, "v": str(raw)[:30]})
    return value


def review(report, rows, user, indicators=None):
    """Apply the staff's decisions. `rows`: dicts with index, action (accept / drop / keep) and the
    possibly corrected metric, value, unit, period, kind, indicator (id or None). Everything is
    checked first; then the accepted figures are written in one transaction, or nothing is.
    Returns (accepted, dropped)."""
    candidates = list(report.candidates or [])
    errors, decisions = [], []
    indicators = indicators or {}
    for row in rows:
        try:
            idx = int(row.get("index"))
            cand = candidates[idx]
        except (TypeError, ValueError, IndexError):
            errors.append(_("提取序号“%(i)s”不存在。") % {"i": str(row.get("index"))[:10]})
            continue
        action = row.get("action") or "keep"
        if action not in ("accept", "drop", "keep") or cand.get("status") == "accepted":
            continue
        where = _("第 %(n)s 条") % {"n": idx + 1}
        if action != "accept":
            decisions.append((idx, action, None))
            continue
        metric = (row.get("metric") or "").strip()[:100]
        unit = (row.get("unit") or "").strip()[:16]
        period = (row.get("period") or "").strip()[:16]
        kind = row.get("kind") or cand["kind"]
        try:
            value = parse_value(row.get("value", cand["value"]), where)
        except ValidationError as e:
            errors.extend(e.messages)
            continue
        if not metric:
            errors.append(_("%(where)s：请填写指标名称。") % {"where": where})
            continue
        if kind not in Kind.values:
            errors.append(_("%(where)s：类型“%(k)s”无效。") % {"where": where, "k": str(kind)[:20]})
            continue
        if period and not re.fullmatch(r"[0-9A-Za-z~\-]{1,16}", period):
            errors.append(_("%(where)s：期间“%(p)s”格式不对，应如 2023、2023-01~06、2023-Q1。")
                          % {"where": where, "p": period})
            continue
        ind = row.get("indicator")
        if ind not in (None, "", 0, "0"):
            try:
                ind = indicators[int(ind)]
            except (KeyError, ValueError, TypeError):
                errors.append(_("%(where)s：对应指标不存在。") % {"where": where})
                continue
        else:
            ind = None
        norm_value, norm_unit = normalise(value, unit, kind)
        corrected = (metric != cand["metric"] or unit != cand["unit"] or period != cand["period"]
                     or kind != cand["kind"] or abs(float(value) - float(cand["value"])) > 1e-9)
        decisions.append((idx, "accept", dict(
            metric=metric, value=value, unit=unit, norm_value=Decimal(str(round(norm_value, 6))),
            norm_unit=norm_unit, period=period, kind=kind, indicator=ind, corrected=corrected)))
    if errors:
        raise ValidationError(errors)
    accepted = dropped = 0
    with transaction.atomic():
        report = PeerReport.objects.select_for_update().get(pk=report.pk)
        candidates = list(report.candidates or [])
        new = []
        for idx, action, data in decisions:
            cand = candidates[idx]
            if cand.get("status") == "accepted":
                continue
            if action == "drop":
                cand["status"] = "dropped"
                dropped += 1
            elif action == "keep":
                cand["status"] = "pending"
            else:
                cand["status"] = "accepted"
                new.append(PeerFigure(
                    zone_id=report.zone_id, report=report, peer_name=report.peer_name, sentence=cand["sentence"],
                    start=cand["start"], end=cand["end"], candidate_index=idx, reviewed_by=user, **data))
                accepted += 1
        PeerFigure.objects.bulk_create(new)
        report.candidates = candidates
        if all(c.get("status") in ("accepted", "dropped") for c in candidates):
            report.status = ReportStatus.REVIEWED
        report.save()
        if new:
            log_bulk([make_change(f, "create", None, snapshot(f)) for f in new])
    return accepted, dropped


def accept_all(report, user):
    rows = [{"index": c["index"], "action": "accept", "metric": c["metric"] or _("（未命名）"), "value": c["value"],
             "unit": c["unit"], "period": c["period"], "kind": c["kind"]}
            for c in report.candidates or [] if c.get("status") == "pending"]
    return review(report, rows, user)
