"""`manage.py map_chains --zone CODE [--chain NAME]`: re-run the automatic mapping of a zone's
enterprises to its chain segments (confirmed and rejected mappings are kept as staff decided)."""
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from zoneops.chains import services
from zoneops.chains.models import Chain
from zoneops.core.changelog import change_context
from zoneops.core.models import Zone


class Command(BaseCommand):
    help = "重新匹配开发区企业到产业链环节（人工确认和否决的结果保持不变）。"

    def add_arguments(self, parser):
        parser.add_argument("--zone", required=True, help="开发区代码，如 luqiao")
        parser.add_argument("--chain", help="只匹配这条产业链（名称）；默认该开发区的全部产业链")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, zone, chain, no_progress, verbosity, **options):
        z = Zone.objects.filter(code=zone).first()
        if z is None:
            raise CommandError(f"没有代码为“{zone}”的开发区。")
        chains = Chain.objects.filter(zone=z)
        if chain:
            chains = chains.filter(name=chain)
            if not chains.exists():
                names = "、".join(Chain.objects.filter(zone=z).values_list("name", flat=True)) or "（无）"
                raise CommandError(f"{z.name}没有名为“{chain}”的产业链。现有：{names}")
        chains = list(chains)
        if not chains:
            raise CommandError(f"{z.name}还没有产业链。请先在页面上从模板新建。")
        started = time.monotonic()
        show = verbosity and not no_progress

        def progress(done, total):
            if not show:
                return
            width = 30
            filled = int(width * done / total) if total else width
            rate = done / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(f"\r匹配 [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} 家 "
                             f"{rate:,.0f} 家/秒")
            sys.stderr.flush()

        with change_context():
            result = services.run_mapping(z, chains, progress=progress)
            n = services.map_candidates(z)
        if show:
            sys.stderr.write("\n")
        if verbosity:
            self.stdout.write(f"{z.name}：{len(chains)} 条产业链，{result['firms']:,} 家企业，新增 {result['created']:,}、"
                              f"更新 {result['updated']:,}、移除 {result['deleted']:,} 条自动匹配，"
                              f"招商目标匹配 {n:,} 条，用时 {result['seconds']} 秒。")
