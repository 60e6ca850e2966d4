"""Print a zone's land figures for a period: manage.py land_figures --zone luqiao --from 2024-01-01 --to 2024-06-30"""
import datetime

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.models import Zone
from zoneops.land import figures


def _date(value, what):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{what}“{value}”不是有效日期（应为 YYYY-MM-DD）。") from None


class Command(BaseCommand):
    help = "打印开发区一段时期的土地流转统计（做地、挂牌、出让、供地、收储、搬迁签约、存量）"

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="开发区代码，如 luqiao；all 表示全部开发区")
        parser.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD（含）")

    def handle(self, *args, zone, start, end, **options):
        start, end = _date(start, "开始日期"), _date(end, "结束日期")
        if end < start:
            raise CommandError("结束日期早于开始日期。")
        zones = list(Zone.objects.all()) if zone == "all" else list(Zone.objects.filter(code=zone))
        if not zones:
            raise CommandError("还没有任何开发区。" if zone == "all" else f"没有代码为“{zone}”的开发区。")
        data = figures.period_figures([z.pk for z in zones], start, end, use_cache=False)
        name = "全部开发区" if zone == "all" else zones[0].name
        self.stdout.write(f"{name} 土地流转统计 {start} — {end}")
        for title, headers, rows in figures.tables(data).values():
            self.stdout.write("")
            self.stdout.write(f"【{title}】")
            self.stdout.write("\t".join(headers))
            for row in rows or [["（无）"]]:
                self.stdout.write("\t".join("—" if v is None else str(v) for v in row))
