"""`manage.py escalate_problems`: run the 督办 sweep now (or show what it would do)."""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zoneops.core.changelog import change_context
from zoneops.service import escalation, figures, tasks


class Command(BaseCommand):
    help = "督办：对所有未办结诉求按工作日计算到期提醒、黄牌、红牌，并通知经办人、部门负责人和开发区领导。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD，默认今天）")
        parser.add_argument("--dry-run", action="store_true", help="只统计将要督办的诉求，不写入")
        parser.add_argument("--schedule", action="store_true",
                            help="在后台任务队列中安排每日督办（每天 6 点由 db_worker 执行）")

    def handle(self, *args, date=None, dry_run=False, schedule=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from None
        if schedule:
            queued = tasks.schedule_next()
            self.stdout.write("已安排每日督办。" if queued else "每日督办已在队列中（或当前任务后端不支持定时）。")
            return
        day = today or timezone.localdate()
        if dry_run:
            counts = escalation.due_counts(day)
            self.stdout.write(f"将到期提醒 {counts.get(1, 0)} 项，黄牌 {counts.get(2, 0)} 项，红牌 {counts.get(3, 0)} 项。")
            return
        with change_context():
            result = escalation.sweep(day)
        figures.warm(day)  # the first view of the day's figures is then served from the cache
        self.stdout.write(f"到期提醒 {result['reminder']} 项，黄牌督办 {result['yellow']} 项，"
                          f"红牌督办 {result['red']} 项；发出通知 {result['notifications']} 条。")
