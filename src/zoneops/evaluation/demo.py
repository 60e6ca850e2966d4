"""Demo evaluations: for each zone, the 黄岩 preset run of the last two years (so the Sankey has
data); the year before last is final (终评), the last year is in 公示 with a few 调档 entries, one
exemption and one pending objection. Deterministic for a seed."""
import datetime
import random

from django.core.files.base import ContentFile

from zoneops.core.changelog import change_context
from zoneops.core.models import Membership

from . import services
from .models import Exemption, Result, Ruleset, Run, RunStatus

ADJUST_REASONS = ("技改项目已竣工投产，产能释放在下一年度，经管委会会议研究上调一档",
                  "当年发生较大环保处罚，经会议研究下调一档",
                  "企业兼并重组，税收在集团内汇总缴纳，按实际情况上调一档")
EXEMPT_REASON = "供水公用事业企业，参评不定档"


def load_demo(zones, *, seed, last_year, stdout=None):
    services.ensure_presets()
    version = Ruleset.objects.get(zone__isnull=True, name="huangyan_2022").latest_version()
    today = datetime.date.today()
    for zone in zones:
        r = random.Random(f"{seed}-evaluation-{zone.code}")
        staff = (Membership.objects.filter(zone=zone, role__in=(Membership.Role.ADMIN, Membership.Role.STAFF))
                 .select_related("user").order_by("role", "id").first())
        user = staff.user if staff else None
        with change_context(user=user):
            if services.count_inputs(zone, last_year) == 0:
                continue
            from zoneops.registry.models import EnterpriseYear

            ids = sorted(EnterpriseYear.objects.filter(zone=zone, year=last_year, enterprise__scale="below")
                         .values_list("enterprise_id", flat=True)[:200])
            if ids:
                Exemption.objects.get_or_create(zone=zone, enterprise_id=r.choice(ids), year=last_year,
                                                defaults={"reason": EXEMPT_REASON})
            runs = []
            for year in (last_year - 1, last_year):
                if services.count_inputs(zone, year) == 0:
                    continue
                run = services.create_run(zone, year, version, user=user, background=False,
                                          title=f"{zone.name}{year}年度亩均效益评价")
                if run.status != RunStatus.DONE:
                    raise RuntimeError(f"demo evaluation of {zone.code} {year} failed: {run.message}")
                runs.append(run)
            for i, run in enumerate(runs):
                last = i == len(runs) - 1
                candidates = list(Result.objects.filter(run=run, included=True, exempt=False)
                                  .exclude(final_class="").order_by("enterprise_id")
                                  .values_list("pk", "final_class", "group"))
                for pk, cls, group in r.sample(candidates, min(3, len(candidates))):
                    classes = services.classes_of(run, group)
                    at = classes.index(cls)
                    new = classes[at - 1] if at > 0 and r.random() < 0.7 else classes[min(at + 1, len(classes) - 1)]
                    if new != cls:
                        services.adjust_class(Result.objects.get(pk=pk), new, r.choice(ADJUST_REASONS), user)
                start = today - datetime.timedelta(days=2) if last else datetime.date(run.year + 1, 4, 1)
                services.publish(run, start, start + datetime.timedelta(days=6), user)
                if last and candidates:
                    pk = r.choice(candidates)[0]
                    services.file_objection(Result.objects.get(pk=pk), "企业提出：部分税收由总部汇总缴纳，申请按实际缴纳额核定。",
                                            ContentFile(b"%PDF-1.4 demo evidence", name="纳税证明.pdf"), user)
                if not last:
                    services.finalize(run, user)
            if stdout is not None and runs:
                counts = {}
                for per in Run.objects.get(pk=runs[-1].pk).class_counts.values():
                    for c, n in per.items():
                        counts[c or "无等级"] = counts.get(c or "无等级", 0) + n
                stdout.write(f"  亩均评价 {zone.name}：{len(runs)} 次评价，{last_year} 年 "
                             + "，".join(f"{c} {n}" for c, n in sorted(counts.items())))
