"""python manage.py import_data {enterprises|parcels|figures} FILE --zone CODE [--dry-run] [--valid-only] [--user NAME]

The same import as the web pages (validate, then commit in one transaction), with a progress bar
on stderr and a summary on stdout. Exit status: 0 when everything was imported (or, with
--dry-run, when no row was rejected); 1 when rows were rejected and not imported, or nothing was
imported; 2 for a wrong argument (unknown zone, user or kind, unreadable file).
"""
import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zoneops.core.changelog import change_context
from zoneops.core.importing import service
from zoneops.core.importing.engine import reason_text
from zoneops.core.importing.importer import all_kinds
from zoneops.core.models import ImportBatch, Zone

SHOWN_REJECTED = 20


class ProgressBar:
    """A one-line progress bar on a terminal; a line every few seconds when stderr is a log file."""

    def __init__(self, stream, enabled=True):
        self.stream = stream  # a Django OutputWrapper
        self.enabled = enabled
        self.tty = stream.isatty() if hasattr(stream, "isatty") else False
        self.every = 0.2 if self.tty else 2.0
        self.start = time.monotonic()
        self.last = 0.0
        self.phase = None

    def _write(self, text):
        self.stream.write(text, ending="")
        self.stream.flush()

    def __call__(self, phase, done, total):
        if not self.enabled:
            return
        now = time.monotonic()
        if phase != self.phase:
            if self.phase is not None and self.tty:
                self._write("\n")
            self.phase, self.start = phase, now
        elif now - self.last < self.every and done < total:
            return
        self.last = now
        label = {"validate": "校验", "commit": "写入"}.get(phase, phase)
        total = max(total or 0, done, 1)
        width = 30
        filled = int(width * done / total)
        rate = done / max(now - self.start, 1e-6)
        line = f"{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} 行  {rate:,.0f} 行/秒"
        self._write(f"\r{line}" if self.tty else f"{line}\n")

    def finish(self):
        if self.enabled and self.phase is not None and self.tty:
            self._write("\n")
        self.phase = None


class Command(BaseCommand):
    help = "从 Excel/CSV 文件导入企业、地块或年度指标（与网页导入相同的校验）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(cls.kind for cls in all_kinds()), help="导入类型")
        parser.add_argument("file", help=".xlsx / .xls / .csv 文件路径")
        parser.add_argument("--zone", required=True, help="开发区代码（如 luqiao）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入数据库")
        parser.add_argument("--valid-only", action="store_true", help="有被拒绝的行时仍导入其余有效行")
        parser.add_argument("--user", help="记为导入人的用户名（须有该开发区的写权限）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **opts):
        zone = Zone.objects.filter(code=opts["zone"]).first()
        if zone is None:
            codes = "、".join(Zone.objects.order_by("code").values_list("code", flat=True)[:20]) or "（无）"
            raise CommandError(f"没有代码为“{opts['zone']}”的开发区。现有开发区代码：{codes}", returncode=2)
        user = None
        if opts.get("user"):
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"没有用户名为“{opts['user']}”的用户。", returncode=2)
        path = opts["file"]
        if not os.path.isfile(path):
            raise CommandError(f"找不到文件：{path}", returncode=2)
        with open(path, "rb") as f:
            data = f.read()
        try:
            batch = service.create_batch(zone, opts["kind"], os.path.basename(path), data, user,
                                         valid_only=opts["valid_only"])
        except service.ImportRefused as e:
            raise CommandError(str(e), returncode=2) from None
        show = not opts["no_progress"]
        bar = ProgressBar(self.stderr, enabled=show)
        with change_context(user=user):
            service.validate_batch(batch, progress=bar)
            bar.finish()
            self.report(batch)
            if batch.status != ImportBatch.Status.VALIDATED:
                raise CommandError(batch.message, returncode=2)
            if opts["dry_run"]:
                self.stdout.write("试运行（--dry-run）：未写入数据库。")
                if batch.rejected_count:
                    raise CommandError(f"有 {batch.rejected_count} 行被拒绝。", returncode=1)
                return
            if batch.rejected_count and not batch.valid_only:
                raise CommandError(f"有 {batch.rejected_count} 行被拒绝，未导入任何数据。修正后重新导入，"
                                   "或加 --valid-only 只导入有效行。", returncode=1)
            if not (batch.created_count or batch.updated_count):
                self.stdout.write("没有需要新增或更新的数据，未写入。")
                return
            try:
                service.commit_batch(batch, progress=bar)
            except service.ImportRefused as e:
                bar.finish()
                raise CommandError(str(e), returncode=1) from None
            bar.finish()
        self.stdout.write(self.style.SUCCESS(f"批次 #{batch.pk}：{batch.message}"))
        if batch.rejected_count:
            raise CommandError(f"已导入有效行；{batch.rejected_count} 行被拒绝，未导入。", returncode=1)

    def report(self, batch):
        out = self.stdout
        out.write(f"批次 #{batch.pk}（{batch.zone.name}，{batch.file_name}）：{batch.get_status_display()}")
        for notice in batch.notices or []:
            out.write(f"  提示：{notice}")
        if batch.status == ImportBatch.Status.FAILED:
            self.stderr.write(batch.message)
            return
        out.write(f"  总行数 {batch.total_rows:,}：新增 {batch.created_count:,}，更新 {batch.updated_count:,}，"
                  f"未变化 {batch.unchanged_count:,}，拒绝 {batch.rejected_count:,}")
        if batch.rejected_count:
            meta, rows = service.RejectedStore.read(batch)
            shown = 0
            out.write(f"  被拒绝的行（前 {SHOWN_REJECTED} 行）：")
            for item in rows:
                if shown >= SHOWN_REJECTED:
                    rows.close()
                    break
                reasons = "；".join(reason_text(label, reason) for _, label, reason in item["errors"])
                out.write(f"    第 {item['line']} 行：{reasons}")
                shown += 1
            if batch.rejected_count > SHOWN_REJECTED:
                out.write(f"    ……共 {batch.rejected_count:,} 行被拒绝，完整的错误报告在网页上的批次 #{batch.pk} 下载。")
