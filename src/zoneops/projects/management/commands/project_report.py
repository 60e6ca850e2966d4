"""python manage.py project_report --zone CODE --from DATE --to DATE: the period figures as text."""
import datetime

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.models import Zone
from zoneops.projects import reports, services


class Command(BaseCommand):
    help = "打印开发区在指定期间的招商项目统计（签约规模分档、投资与用地合计、开工率、推进时长、审批用时、专员业绩）"

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="开发区代码")
        parser.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD（含）")

    def handle(self, *args, zone, start, end, **opts):
        z = Zone.objects.filter(code=zone).first()
        if z is None:
            raise CommandError(f"没有代码为 {zone} 的开发区")
        try:
            start_d, end_d = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD") from None
        if end_d < start_d:
            raise CommandError("结束日期早于开始日期")
        figures = services.period_figures([z.pk], start_d, end_d)
        self.stdout.write(f"{z.name} 招商项目统计 {start_d} — {end_d}\n")
        for title, headers, rows in reports.figure_tables(figures).values():
            self.stdout.write(f"\n【{title}】\n")
            widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
                      for i, h in enumerate(headers)]
            self.stdout.write("  ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + "\n")
            for r in rows:
                self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(r, widths)) + "\n")
            if not rows:
                self.stdout.write("（无）\n")
