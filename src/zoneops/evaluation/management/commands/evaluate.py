"""`python manage.py evaluate --zone CODE --year YYYY --ruleset NAME [--publish]`: one evaluation run,
computed in this process, with progress and a summary. Errors in Chinese, exit status 1."""
import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from zoneops.core.changelog import change_context
from zoneops.core.models import Zone
from zoneops.evaluation import services
from zoneops.evaluation.models import Run, RunStatus
from zoneops.evaluation.ruleset import GROUP_NAMES

STEPS = 4


class Command(BaseCommand):
    help = "按评价规则计算一个开发区某年度的亩均效益评价（初评），可直接进入公示。"

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="开发区代码，如 luqiao")
        parser.add_argument("--year", required=True, type=int, help="评价年度，如 2024")
        parser.add_argument("--ruleset", required=True, help="评价规则代码，如 huangyan_2022（本区规则优先，其次全省预设）")
        parser.add_argument("--publish", action="store_true", help="计算后进入公示")
        parser.add_argument("--days", type=int, default=7, help="公示天数（默认 7 天，从今天起）")

    def handle(self, *args, zone, year, ruleset, publish, days, **options):
        z = Zone.objects.filter(code=zone).first()
        if z is None:
            raise CommandError(f"没有代码为“{zone}”的开发区。")
        rules = services.find_ruleset(z, ruleset)
        if rules is None:
            raise CommandError(f"没有代码为“{ruleset}”的评价规则（{z.name}本区规则或全省预设）。")
        version = rules.latest_version()
        n = services.count_inputs(z, year)
        if n == 0:
            raise CommandError(f"{z.name} {year} 年度没有企业年度指标，无法评价。")
        if not 1 <= days <= 60:
            raise CommandError("公示天数应在 1–60 天之间。")
        started = time.perf_counter()
        self.stdout.write(f"{z.name} {year} 年度，规则 {version}，{n} 条企业年度指标")
        with change_context(user=None):
            run = Run.objects.create(zone=z, year=year, ruleset_version=version, input_rows=n,
                                     title=f"{year}年度亩均评价（命令行）")
            services.log_action(run, "新建评价", None, {"year": year, "规则版本": str(version)})
            try:
                services.compute_run(run, progress=self.progress)
            except Exception as e:  # noqa: BLE001 - reported in Chinese, the run stays FAILED
                raise CommandError(f"计算失败：{e}") from None
            run.refresh_from_db()
            if run.status != RunStatus.DONE:
                raise CommandError(f"计算失败：{run.message}")
            if publish:
                today = datetime.date.today()
                try:
                    services.publish(run, today, today + datetime.timedelta(days=days - 1))
                except services.WorkflowError as e:
                    raise CommandError(str(e)) from None
                run.refresh_from_db()
        self.summary(run, time.perf_counter() - started)

    def progress(self, step, text):
        bar = "#" * (step * 20 // STEPS)
        self.stdout.write(f"[{bar:<20}] {step}/{STEPS} {text}")

    def summary(self, run, seconds):
        self.stdout.write(self.style.SUCCESS(f"完成：评价批次 #{run.pk}，阶段 {run.get_state_display()}，用时 {seconds:.1f} 秒"))
        for group, counts in sorted(run.class_counts.items()):
            parts = "，".join(f"{c or '无等级'} {n}" for c, n in sorted(counts.items(), key=lambda kv: kv[0] or "~"))
            name = GROUP_NAMES.get(group, group or "未分组")
            self.stdout.write(f"  {name}：{parts}（共 {sum(counts.values())} 家）")
        if run.message:
            self.stdout.write(self.style.WARNING(run.message))
        if run.publish_from:
            self.stdout.write(f"公示期：{run.publish_from} 至 {run.publish_to}")
