"""Investment projects (招商项目): the pipeline from lead to full output, approvals, stage events
and the dispatch meetings (两周一调度) that review them.

Each stage's planned and actual dates are columns of the project (planned_<stage>, <stage>_on):
the figures (签约 by size band, 拿地即开工 days …) are plain aggregates over one table, and the
status against plan is a stored `next_due` date, so 滞后 is `next_due < today` without a nightly job.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ImportBatch, ZoneScopedModel

from . import engine

NON_NEGATIVE = [MinValueValidator(0, message=_("不能为负数。"))]


class Stage(models.TextChoices):
    LEAD = engine.LEAD, _("线索")
    TALKS = engine.TALKS, _("洽谈")
    SIGNED = engine.SIGNED, _("签约")
    LAND = engine.LAND, _("供地")
    STARTED = engine.STARTED, _("开工")
    ENTERED = engine.ENTERED, _("入库")
    PRODUCING = engine.PRODUCING, _("竣工投产")
    FULL = engine.FULL, _("达产")
    TERMINATED = engine.TERMINATED, _("终止")
    PAUSED = engine.PAUSED, _("暂缓")


class ChainTag(models.TextChoices):
    FILL = "fill", _("补链")
    STRENGTHEN = "strengthen", _("强链")
    EXTEND = "extend", _("延链")


class ProjectSource(models.TextChoices):
    REFERRAL = "referral", _("以商引商")
    AGENT = "agent", _("中介招商")
    FUND = "fund", _("基金招商")
    MAP = "map", _("招商地图")
    EXPO = "expo", _("展会/推介会")
    DIRECT = "direct", _("上门招商")
    OTHER = "other", _("其他")


class PlanStatus(models.TextChoices):
    AHEAD = engine.AHEAD, _("超前")
    ON_PLAN = engine.ON_PLAN, _("正常")
    BEHIND = engine.BEHIND, _("滞后")


def validate_stage_list(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("阶段模板应为非空列表。"))
    bad = [s for s in value if s not in engine.PIPELINE]
    if bad:
        raise ValidationError(_("未知阶段：%(s)s（可选：%(all)s）") % {"s": "、".join(map(str, bad)),
                                                                "all": "、".join(engine.PIPELINE)})
    if sorted(value, key=engine.PIPELINE.index) != value or len(set(value)) != len(value):
        raise ValidationError(_("阶段须按 线索→达产 的顺序且不重复。"))


def validate_name_list(value):
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise ValidationError(_("审批事项应为名称列表。"))


# name -> (stage template, approvals checklist); a zone's admin may change them (ProjectType).
DEFAULT_TYPES = {
    "产业": (list(engine.PIPELINE), list(engine.DEFAULT_APPROVALS)),
    "科创": ([engine.LEAD, engine.TALKS, engine.SIGNED, engine.LAND, engine.STARTED, engine.ENTERED,
             engine.PRODUCING], list(engine.DEFAULT_APPROVALS)),
    "总部": ([engine.LEAD, engine.TALKS, engine.SIGNED, engine.ENTERED, engine.PRODUCING], ["立项/备案"]),
    "商贸": ([engine.LEAD, engine.TALKS, engine.SIGNED, engine.ENTERED, engine.PRODUCING], ["立项/备案"]),
}


@track
class ProjectType(ZoneScopedModel):
    """A kind of project (产业 / 总部 / 科创 / 商贸 …) with its stage template and approvals."""

    name = models.CharField(_("类型名称"), max_length=30)
    stages = models.JSONField(_("阶段模板"), default=list, validators=[validate_stage_list],
                              help_text=_("阶段代码列表，如 [\"lead\", \"talks\", \"signed\"]"))
    approvals = models.JSONField(_("审批事项"), default=list, blank=True, validators=[validate_name_list])
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("项目类型")
        verbose_name_plural = _("项目类型")
        ordering = ["zone", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_project_type_per_zone",
                                               violation_error_message=_("本开发区已有同名的项目类型。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:projecttype_detail", args=[self.pk])

    @property
    def stage_labels(self):
        return "→".join(engine.LABELS[s] for s in self.stages)

    @classmethod
    def ensure_defaults(cls, zone_ids):
        """Give every zone in `zone_ids` the default types (once)."""
        zone_ids = set(zone_ids or ())
        have = set(cls.objects.filter(zone_id__in=zone_ids).values_list("zone_id", flat=True))
        new = [cls(zone_id=z, name=name, stages=stages, approvals=approvals, order=i)
               for z in zone_ids - have for i, (name, (stages, approvals)) in enumerate(DEFAULT_TYPES.items())]
        cls.objects.bulk_create(new)


def _date(label):
    return models.DateField(label, null=True, blank=True)


@track
class Project(ZoneScopedModel):
    name = models.CharField(_("项目名称"), max_length=200)
    project_type = models.ForeignKey(ProjectType, on_delete=models.PROTECT, related_name="projects",
                                     verbose_name=_("项目类型"))
    investor = models.ForeignKey("registry.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="projects", verbose_name=_("投资企业（企业库）"))
    investor_name = models.CharField(_("投资方"), max_length=200, blank=True,
                                     help_text=_("区外企业的名称；投资企业已在企业库时可留空"))
    segment = models.ForeignKey("chains.Segment", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="projects", verbose_name=_("产业链环节"))
    chain_tag = models.CharField(_("链上作用"), max_length=12, choices=ChainTag.choices, blank=True)
    agreed_investment = models.DecimalField(_("协议总投资（万元）"), max_digits=14, decimal_places=2, null=True,
                                            blank=True, validators=NON_NEGATIVE)
    fixed_investment = models.DecimalField(_("固定资产投资（万元）"), max_digits=14, decimal_places=2, null=True,
                                           blank=True, validators=NON_NEGATIVE)
    land_mu = models.DecimalField(_("用地需求（亩）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    parcel = models.ForeignKey("registry.Parcel", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="projects", verbose_name=_("地块"))
    expected_output = models.DecimalField(_("预计年产值（万元）"), max_digits=14, decimal_places=2, null=True,
                                          blank=True, validators=NON_NEGATIVE)
    expected_tax = models.DecimalField(_("预计年税收（万元）"), max_digits=14, decimal_places=2, null=True,
                                       blank=True, validators=NON_NEGATIVE)
    source = models.CharField(_("项目来源"), max_length=12, choices=ProjectSource.choices, default=ProjectSource.DIRECT)
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="led_projects", verbose_name=_("招商专员（牵头）"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="project_teams",
                                     verbose_name=_("服务团队成员"))
    responsible_leader = models.CharField(_("责任领导"), max_length=60, blank=True)
    stage = models.CharField(_("当前阶段"), max_length=12, choices=Stage.choices, default=Stage.LEAD,
                             editable=False)
    paused_from = models.CharField(_("暂缓前阶段"), max_length=12, choices=Stage.choices, blank=True,
                                   editable=False)
    termination_reason = models.TextField(_("终止原因"), blank=True, max_length=1000, editable=False)
    # The planned date of the next stage not reached (滞后 = next_due < today) and whether the
    # stage reached last came before its plan (超前); kept by services.refresh_plan.
    next_due = models.DateField(_("下一节点计划日期"), null=True, blank=True, editable=False)
    ahead = models.BooleanField(_("超前"), default=False, editable=False)
    notes = models.TextField(_("备注"), blank=True, max_length=2000)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("导入批次"), editable=False)

    planned_lead = _date(_("计划：线索"))
    planned_talks = _date(_("计划：洽谈"))
    planned_signed = _date(_("计划签约日期"))
    planned_land = _date(_("计划供地日期"))
    planned_started = _date(_("计划开工日期"))
    planned_entered = _date(_("计划入库日期"))
    planned_producing = _date(_("计划投产日期"))
    planned_full = _date(_("计划达产日期"))
    lead_on = _date(_("线索日期"))
    talks_on = _date(_("洽谈日期"))
    signed_on = _date(_("签约日期"))
    land_on = _date(_("供地日期"))
    started_on = _date(_("开工日期"))
    entered_on = _date(_("入库日期"))
    producing_on = _date(_("投产日期"))
    full_on = _date(_("达产日期"))

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-id"]
        indexes = [
            # the board's columns: a zone's cards of one stage, most recently changed first
            models.Index(fields=["zone", "stage", "-updated", "-id"], name="project_board_idx"),
            models.Index(fields=["zone", "signed_on"]),
            models.Index(fields=["zone", "started_on"]),
            models.Index(fields=["zone", "next_due"]),
            models.Index(fields=["lead_officer", "stage"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])

    # -- stage dates as dicts, for the engine ---------------------------------------------
    def planned(self):
        return {s: getattr(self, f"planned_{s}") for s in engine.PIPELINE if getattr(self, f"planned_{s}")}

    def actual(self):
        return {s: getattr(self, f"{s}_on") for s in engine.PIPELINE if getattr(self, f"{s}_on")}

    @property
    def template(self):
        return list(self.project_type.stages)

    @property
    def investor_display(self):
        return self.investor.name if self.investor_id else self.investor_name

    @property
    def plan_status(self):
        return engine.plan_status(self.next_due, self.ahead, timezone.localdate(), self.stage)

    @property
    def plan_status_label(self):
        s = self.plan_status
        return engine.PLAN_LABELS[s] if s else "—"

    @property
    def size_band(self):
        return engine.size_band(self.agreed_investment)

    def stage_rows(self):
        """[(stage, label, planned, actual, state)] for the timeline."""
        today = timezone.localdate()
        base = self.paused_from if self.stage == engine.PAUSED else self.stage
        reached = engine.stage_index(self.template, base)
        rows = []
        for i, s in enumerate(self.template):
            planned, actual = getattr(self, f"planned_{s}"), getattr(self, f"{s}_on")
            if i <= reached and self.stage != engine.TERMINATED or actual:
                state = "done"
            elif planned and planned < today:
                state = "late"
            else:
                state = "todo"
            rows.append({"stage": s, "label": engine.LABELS[s], "planned": planned, "actual": actual,
                         "state": state, "current": s == base,
                         "late_days": (actual - planned).days if actual and planned else None})
        return rows

    def save(self, *args, **kwargs):
        """Every save keeps the plan marks; a new project gets its type's approvals checklist and
        its first stage event (forms, API and the shell alike; the importer does the same in bulk)."""
        created = self.pk is None
        self.next_due, self.ahead = engine.plan_marks(self.template, self.stage, self.planned(), self.actual(),
                                                      self.paused_from)
        super().save(*args, **kwargs)
        if created:
            from zoneops.core.changelog import current_context

            Approval.objects.bulk_create([Approval(zone_id=self.zone_id, project=self, name=n, order=i)
                                          for i, n in enumerate(self.project_type.approvals)])
            user = current_context().get("user")
            user = user if getattr(user, "is_authenticated", False) else None
            StageEvent.objects.create(zone_id=self.zone_id, project=self, from_stage="", to_stage=self.stage,
                                      actual_on=getattr(self, f"{self.stage}_on", None), user=user,
                                      user_name=(user.get_full_name() or user.get_username()) if user else "system",
                                      note="登记项目")

    def clean(self):
        super().clean()
        if not self.investor_id and not (self.investor_name or "").strip():
            raise ValidationError({"investor_name": _("请选择企业库中的投资企业或填写投资方名称。")})
        if self.fixed_investment is not None and self.agreed_investment is not None \
                and self.fixed_investment > self.agreed_investment:
            raise ValidationError({"fixed_investment": _("固定资产投资不能大于协议总投资。")})
        if self.parcel_id and self.parcel.zone_id != self.zone_id:
            raise ValidationError({"parcel": _("所选地块不属于该开发区。")})


class StageEvent(ZoneScopedModel):
    """One move of a project: from, to, the actual date given, who and when (the change history
    holds the same move as a named action)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events", verbose_name=_("项目"))
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=Stage.choices)
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("操作人"))
    user_name = models.CharField(_("操作人"), max_length=150, blank=True)
    time = models.DateTimeField(_("操作时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["zone", "time"]), models.Index(fields=["project", "time"])]

    def __str__(self):
        return f"{self.project} {self.get_from_stage_display() or '—'} → {self.get_to_stage_display()}"

    def get_absolute_url(self):
        return reverse("projects:stageevent_detail", args=[self.pk])


@track
class Approval(ZoneScopedModel):
    """One item of a project's approvals checklist (立项/备案, 施工许可证 …) with its dates."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("项目"))
    name = models.CharField(_("审批事项"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    granted_on = models.DateField(_("办结日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("项目审批")
        verbose_name_plural = _("项目审批")
        ordering = ["project", "order", "id"]
        indexes = [models.Index(fields=["zone", "granted_on"])]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_approval_per_project",
                                               violation_error_message=_("该项目已有这个审批事项。"))]

    def __str__(self):
        return f"{self.project} · {self.name}"

    def get_absolute_url(self):
        return reverse("projects:approval_detail", args=[self.pk])

    @property
    def lead_days(self):
        return engine.days_between(self.applied_on, self.granted_on)

    def clean(self):
        super().clean()
        if self.granted_on and not self.applied_on:
            raise ValidationError({"applied_on": _("填写办结日期时须填写申请日期。")})
        if self.granted_on and self.applied_on and self.granted_on < self.applied_on:
            raise ValidationError({"granted_on": _("办结日期不能早于申请日期。")})
        if self.project_id and self.zone_id and self.project.zone_id != self.zone_id:
            raise ValidationError({"project": _("所选项目不属于该开发区。")})


@track
class MeetingSeries(ZoneScopedModel):
    """A recurring dispatch meeting (e.g. 重点项目两周一调度) with its cadence."""

    name = models.CharField(_("调度会名称"), max_length=100)
    cadence_days = models.PositiveSmallIntegerField(
        _("周期（天）"), default=14, validators=[MinValueValidator(1, message=_("周期至少 1 天。")),
                                             MaxValueValidator(366, message=_("周期不能超过 366 天。"))])
    location = models.CharField(_("默认地点"), max_length=100, blank=True)
    chair = models.CharField(_("默认主持人"), max_length=60, blank=True)
    attendees = models.CharField(_("默认参会人员"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("调度会系列")
        verbose_name_plural = _("调度会系列")
        ordering = ["zone", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_meeting_series_per_zone",
                                               violation_error_message=_("本开发区已有同名的调度会。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:meetingseries_detail", args=[self.pk])

    def next_date(self):
        last = self.meetings.order_by("-held_on").values_list("held_on", flat=True).first()
        return (last + datetime.timedelta(days=self.cadence_days)) if last else timezone.localdate()


@track
class Meeting(ZoneScopedModel):
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="meetings",
                               verbose_name=_("调度会系列"))
    held_on = models.DateField(_("会议日期"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    chair = models.CharField(_("主持"), max_length=60, blank=True)
    attendees = models.CharField(_("参会人员"), max_length=500, blank=True)
    notes = models.TextField(_("会议要求"), blank=True, max_length=4000)
    agenda_built = models.DateTimeField(_("议程生成时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("调度会")
        verbose_name_plural = _("调度会")
        ordering = ["-held_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["series", "held_on"], name="unique_meeting_per_day",
                                               violation_error_message=_("该调度会在这一天已有会议。"))]

    def __str__(self):
        return f"{self.series} {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("projects:meeting_detail", args=[self.pk])

    def previous(self):
        return Meeting.objects.filter(series_id=self.series_id, held_on__lt=self.held_on).order_by("-held_on").first()

    def clean(self):
        super().clean()
        if self.series_id and self.zone_id and self.series.zone_id != self.zone_id:
            raise ValidationError({"series": _("所选调度会系列不属于该开发区。")})


class MeetingItem(ZoneScopedModel):
    """One project on a meeting's agenda, with what the meeting decided.

    Items are inserted only by services.build_agenda, in one INSERT … SELECT from the zone's
    projects and the meeting, so every reference is valid by construction; deletes cascade in
    Django (CASCADE/PROTECT work without database constraints). The three foreign keys have no
    database constraint: their per-row checks at commit were two thirds of an agenda build of
    8,000 items (benchmark in docs/benchmarks.md). Nor do zone and meeting have an index of their
    own: items are read by meeting, which leads the unique (meeting, project) index, and every
    index is written for each inserted item."""

    zone = models.ForeignKey("core.Zone", on_delete=models.PROTECT, verbose_name=_("开发区"), db_constraint=False,
                             db_index=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("调度会"),
                                db_constraint=False, db_index=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meeting_items",
                                verbose_name=_("项目"), db_constraint=False)
    order = models.PositiveIntegerField(_("序号"), default=0)
    reasons = models.JSONField(_("上会原因"), default=list, blank=True)
    stage = models.CharField(_("上会时阶段"), max_length=12, choices=Stage.choices, blank=True)
    decision = models.TextField(_("会议决定"), blank=True, max_length=2000)
    next_steps = models.TextField(_("下一步工作"), blank=True, max_length=2000)
    problem_ids = models.JSONField(_("会上提出的问题"), default=list, blank=True)

    class Meta:
        verbose_name = _("调度事项")
        verbose_name_plural = _("调度事项")
        ordering = ["meeting", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "project"], name="unique_item_per_meeting")]

    def __str__(self):
        return f"{self.meeting} · {self.project}"

    def get_absolute_url(self):
        return reverse("projects:meeting_detail", args=[self.meeting_id]) + f"#item-{self.pk}"

    @property
    def reason_labels(self):
        return [engine.REASON_LABELS.get(r, r) for r in self.reasons]
