"""Per-mu evaluation (亩均效益综合评价): rulesets, run inputs, runs, results, objections.

A run is reproducible: it names one ruleset version (YAML text + digest) and keeps a snapshot of
its input frame (Parquet bytes + digest) in RunSnapshot; its results can be recomputed from
those two and compared (services.recompute).
"""
import json

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import Zone, ZoneScopedModel
from zoneops.core.scoping import ZoneQuerySet, zone_ids_for
from zoneops.registry.models import Enterprise, validate_year


class RulesetQuerySet(ZoneQuerySet):
    def visible_to(self, user):
        """The user's zones' rulesets and the province-wide presets (zone empty)."""
        ids = zone_ids_for(user)
        if ids is None:
            return self
        return self.filter(models.Q(zone__isnull=True) | models.Q(zone_id__in=ids))

    def writable_by(self, user):
        """Rulesets the user may edit: their writable zones' ones; presets only for superusers."""
        ids = zone_ids_for(user, "change")
        if ids is None:
            return self
        return self.filter(zone_id__in=ids)


@track
class Ruleset(models.Model):
    """A named evaluation ruleset; its content lives in versions (every save is a new version).

    zone empty = a province-wide preset, readable by everyone, editable by superusers only."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("开发区"),
                             help_text=_("留空为全省通用预设"))
    name = models.SlugField(_("代码"), max_length=64, help_text=_("英文字母、数字、下划线或连字符，如 huangyan_2022"))
    title = models.CharField(_("名称"), max_length=200)
    source = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies",
                               verbose_name=_("复制自"))
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RulesetQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价规则")
        verbose_name_plural = _("评价规则")
        ordering = ["zone_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="unique_ruleset_name_per_zone",
                                    violation_error_message=_("本开发区已有同代码的评价规则。")),
            models.UniqueConstraint(fields=["name"], condition=models.Q(zone__isnull=True),
                                    name="unique_preset_ruleset_name"),
        ]

    def __str__(self):
        return f"{self.title}（{self.name}）"

    def get_absolute_url(self):
        return reverse("evaluation:ruleset", args=[self.pk])

    @property
    def is_preset(self):
        return self.zone_id is None

    def latest_version(self):
        return self.versions.order_by("-number").first()


class RulesetVersion(models.Model):
    """One saved text of a ruleset; runs point at the version they used, so edits never change a run."""

    ruleset = models.ForeignKey(Ruleset, on_delete=models.CASCADE, related_name="versions",
                                verbose_name=_("评价规则"))
    number = models.PositiveIntegerField(_("版本号"))
    yaml = models.TextField(_("规则（YAML）"))
    digest = models.CharField(_("摘要（SHA-256）"), max_length=64)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("保存人"))
    created = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价规则版本")
        verbose_name_plural = _("评价规则版本")
        ordering = ["ruleset", "-number"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "number"], name="unique_ruleset_version")]

    def __str__(self):
        return f"{self.ruleset.title} v{self.number}"

    @property
    def zone_id(self):
        return self.ruleset.zone_id

    def get_absolute_url(self):
        return reverse("evaluation:ruleset", args=[self.ruleset_id]) + f"?version={self.number}"

    def parsed(self):
        from .ruleset import Ruleset as Rules

        return Rules.from_yaml(self.yaml)


# -- run inputs staff maintain per zone and year ------------------------------------------------

@track
class Exemption(ZoneScopedModel):
    """A firm that takes part but gets no class (utilities, start-ups, projects under construction)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("企业"))
    year = models.PositiveSmallIntegerField(_("评价年度"), validators=[validate_year])
    reason = models.CharField(_("免评原因"), max_length=200)

    class Meta:
        verbose_name = _("免评企业")
        verbose_name_plural = _("免评企业")
        ordering = ["-year", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="unique_exemption",
                                               violation_error_message=_("该企业这一年度已登记免评。"))]

    def __str__(self):
        return f"{self.enterprise} {self.year}年 免评"

    def get_absolute_url(self):
        return reverse("evaluation:exemption_detail", args=[self.pk])


@track
class Adjustment(ZoneScopedModel):
    """A bonus or deduction item (from the ruleset's catalogue) for one firm and year."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("企业"))
    year = models.PositiveSmallIntegerField(_("评价年度"), validators=[validate_year])
    code = models.CharField(_("加减分项代码"), max_length=64, help_text=_("评价规则中加减分项的代码"))
    reason = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["-year", "enterprise_id", "code"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "code"], name="unique_adjustment",
                                               violation_error_message=_("该企业这一年度已登记此加减分项。"))]

    def __str__(self):
        return f"{self.enterprise} {self.year}年 {self.code}"

    def get_absolute_url(self):
        return reverse("evaluation:adjustment_detail", args=[self.pk])


@track
class MergeGroup(ZoneScopedModel):
    """Firms sharing one parcel, evaluated as one unit (figures and land summed)."""

    name = models.CharField(_("合并名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("评价年度"), validators=[validate_year])
    enterprises = models.ManyToManyField(Enterprise, related_name="+", verbose_name=_("合并企业"))
    reason = models.CharField(_("合并依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("合并评价")
        verbose_name_plural = _("合并评价")
        ordering = ["-year", "name"]

    def __str__(self):
        return f"{self.name}（{self.year}年）"

    def get_absolute_url(self):
        return reverse("evaluation:mergegroup_detail", args=[self.pk])


# -- runs -----------------------------------------------------------------------------------

class RunState(models.TextChoices):
    COMPUTED = "computed", _("初评")
    ADJUSTING = "adjusting", _("调档")
    PUBLISHED = "published", _("公示")
    OBJECTION = "objection", _("异议")
    FINAL = "final", _("终评")


class RunStatus(models.TextChoices):
    """The computation (separate from the workflow state)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Run(ZoneScopedModel):
    """An evaluation run. Not @track: its history is the named workflow actions (services.py),
    not every status update of the computation."""

    year = models.PositiveSmallIntegerField(_("评价年度"), validators=[validate_year])
    ruleset_version = models.ForeignKey(RulesetVersion, on_delete=models.PROTECT, related_name="runs",
                                        verbose_name=_("规则版本"))
    title = models.CharField(_("名称"), max_length=200, blank=True)
    state = models.CharField(_("阶段"), max_length=16, choices=RunState.choices, default=RunState.COMPUTED)
    status = models.CharField(_("计算状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    message = models.TextField(_("说明"), blank=True)
    publish_from = models.DateField(_("公示开始"), null=True, blank=True)
    publish_to = models.DateField(_("公示结束"), null=True, blank=True)
    input_digest = models.CharField(_("输入摘要（SHA-256）"), max_length=64, blank=True)
    input_rows = models.PositiveIntegerField(_("输入行数"), default=0)
    # What the engine used: {group: {indicator: value}} and {group: {class: lowest total}}.
    benchmarks = models.JSONField(_("基准值"), default=dict, blank=True)
    cut_scores = models.JSONField(_("分档线"), default=dict, blank=True)
    # {group: {class: count}} of final classes, kept current by the services (cheap run lists).
    class_counts = models.JSONField(_("分档统计"), default=dict, blank=True)
    seconds = models.FloatField(_("计算耗时（秒）"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))
    finalized_at = models.DateTimeField(_("终评时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价批次")
        verbose_name_plural = _("评价批次")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["zone", "year", "status"])]

    def __str__(self):
        return self.title or f"{self.year}年度亩均评价 #{self.pk}"

    def get_absolute_url(self):
        return reverse("evaluation:run_detail", args=[self.pk])

    @property
    def is_final(self):
        return self.state == RunState.FINAL

    @property
    def is_done(self):
        return self.status == RunStatus.DONE

    @property
    def is_public(self):
        """Visible to the evaluated firms (from 公示 on)."""
        return self.state in (RunState.PUBLISHED, RunState.OBJECTION, RunState.FINAL)


class RunSnapshot(models.Model):
    """The run's input, frozen: the figures frame and the adjustments frame as Parquet."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, related_name="snapshot", primary_key=True)
    figures = models.BinaryField(_("输入数据（Parquet）"))
    adjustments = models.BinaryField(_("加减分（Parquet）"))
    digest = models.CharField(_("摘要（SHA-256）"), max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价输入快照")
        verbose_name_plural = _("评价输入快照")


class PlainJSONField(models.JSONField):
    """JSON kept as PostgreSQL `json` (syntax-checked text) rather than `jsonb`: bulk-loading a
    million results is about twice as fast, and nothing queries inside these documents."""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, (str, bytes, bytearray)):
            return value  # psycopg already decoded a `json` column
        return super().from_db_value(value, expression, connection)


# The indicator catalogue (ruleset.INDICATORS) in order; Result has v_/s_ columns for each.
ITEM_CODES = ("tax_per_mu", "va_per_mu", "revenue_per_mu", "va_per_energy", "va_per_emission",
              "labour_productivity", "rd_intensity", "tax_per_power")
ITEM_FIELDS = tuple(f"{p}_{c}" for c in ITEM_CODES for p in ("v", "s"))
EXPLAIN_FIELDS = ("next_class", "gap_score", "need_tax_per_mu", "need_va_per_mu", "drag")


class Result(ZoneScopedModel):
    """One firm's result in one run. Written in bulk (no change signals); 调档 and 异议 log actions."""

    # Bulk writes of a million rows: no single-column indexes (the composite ones below cover these
    # keys) and no database-enforced foreign keys (a deferred check per row and key tripled the
    # write time). The rows come from the registry read in the same transaction; Django's
    # on_delete still cascades (enterprise, run) and protects (zone) deletions made through the ORM.
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, db_index=False, db_constraint=False,
                             verbose_name=_("开发区"))
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results", db_index=False,
                            db_constraint=False, verbose_name=_("评价批次"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="evaluation_results",
                                   db_index=False, db_constraint=False, verbose_name=_("企业"))
    unit_key = models.BigIntegerField(_("评价单元"), help_text=_("合并评价时为单元中最小的企业编号"))
    group = models.CharField(_("组别"), max_length=16, blank=True)
    included = models.BooleanField(_("参评"), default=True)
    exclusion_reason = models.CharField(_("不参评原因"), max_length=200, blank=True)
    exempt = models.BooleanField(_("免评"), default=False)
    exemption_reason = models.CharField(_("免评原因"), max_length=200, blank=True)
    land_mu = models.FloatField(_("用地面积（亩）"), null=True, blank=True)
    total = models.FloatField(_("得分"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("组内排名"), null=True, blank=True)
    group_size = models.PositiveIntegerField(_("组内企业数"), null=True, blank=True)
    percentile = models.FloatField(_("百分位"), null=True, blank=True)
    class_code = models.CharField(_("初评等级"), max_length=8, blank=True)
    final_class = models.CharField(_("等级"), max_length=8, blank=True)
    class_note = models.CharField(_("调档/异议说明"), max_length=300, blank=True)
    # The item breakdown in typed columns (a bulk write of floats is ~3× faster than of JSON
    # documents, and the pages read them the same way through `items` / `explanation` below):
    # value v_<code> and score s_<code> of each catalogue indicator (empty when not in the firm's
    # group), item notes as a small JSON object (only rows that have any), bonus/deduction points.
    v_tax_per_mu = models.FloatField(null=True, blank=True)
    s_tax_per_mu = models.FloatField(null=True, blank=True)
    v_va_per_mu = models.FloatField(null=True, blank=True)
    s_va_per_mu = models.FloatField(null=True, blank=True)
    v_revenue_per_mu = models.FloatField(null=True, blank=True)
    s_revenue_per_mu = models.FloatField(null=True, blank=True)
    v_va_per_energy = models.FloatField(null=True, blank=True)
    s_va_per_energy = models.FloatField(null=True, blank=True)
    v_va_per_emission = models.FloatField(null=True, blank=True)
    s_va_per_emission = models.FloatField(null=True, blank=True)
    v_labour_productivity = models.FloatField(null=True, blank=True)
    s_labour_productivity = models.FloatField(null=True, blank=True)
    v_rd_intensity = models.FloatField(null=True, blank=True)
    s_rd_intensity = models.FloatField(null=True, blank=True)
    v_tax_per_power = models.FloatField(null=True, blank=True)
    s_tax_per_power = models.FloatField(null=True, blank=True)
    item_notes = models.TextField(_("指标说明"), blank=True)
    adjust_points = models.FloatField(_("加减分"), null=True, blank=True)
    adjust_notes = models.CharField(_("加减分说明"), max_length=500, blank=True)
    # The explanation: next class, score gap, what-if 亩均税收 / 亩均增加值, the dragging indicators.
    next_class = models.CharField(_("可升等级"), max_length=8, blank=True)
    gap_score = models.FloatField(_("距上一档分差"), null=True, blank=True)
    need_tax_per_mu = models.FloatField(_("所需亩均税收"), null=True, blank=True)
    need_va_per_mu = models.FloatField(_("所需亩均增加值"), null=True, blank=True)
    drag = models.CharField(_("拖后腿指标"), max_length=200, blank=True, help_text=_("指标代码，逗号分隔"))

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["run", "group", "rank", "enterprise_id"]
        # Three indexes only (with the primary key): each one costs about a third of a bulk write.
        constraints = [models.UniqueConstraint(fields=["enterprise", "run"], name="unique_result_per_run")]
        indexes = [models.Index(fields=["run", "group", "rank"])]

    def __str__(self):
        return f"{self.enterprise} · {self.run}"

    def get_absolute_url(self):
        return reverse("evaluation:result_detail", args=[self.pk])

    @property
    def items(self):
        """{code: {"v", "s"[, "n"]}} of the indicators the firm has, and adjust_points/notes."""
        notes = json.loads(self.item_notes) if self.item_notes else {}
        out = {}
        for code in ITEM_CODES:
            v, s, n = getattr(self, f"v_{code}"), getattr(self, f"s_{code}"), notes.get(code)
            if v is None and s is None and n is None:
                continue
            out[code] = {"v": v, "s": s, **({"n": n} if n is not None else {})}
        if self.adjust_points is not None:
            out["adjust_points"], out["adjust_notes"] = self.adjust_points, self.adjust_notes or None
        return out

    @items.setter
    def items(self, value):
        value = value or {}
        notes = {}
        for code in ITEM_CODES:
            item = value.get(code) or {}
            setattr(self, f"v_{code}", item.get("v"))
            setattr(self, f"s_{code}", item.get("s"))
            if item.get("n") is not None:
                notes[code] = item["n"]
        self.item_notes = json.dumps(notes, ensure_ascii=False) if notes else ""
        self.adjust_points = value.get("adjust_points")
        self.adjust_notes = value.get("adjust_notes") or ""

    @property
    def explanation(self):
        return {"next_class": self.next_class or None, "gap_score": self.gap_score,
                "need_tax_per_mu": self.need_tax_per_mu, "need_va_per_mu": self.need_va_per_mu,
                "drag": self.drag.split(",") if self.drag else None}

    @explanation.setter
    def explanation(self, value):
        value = value or {}
        self.next_class = value.get("next_class") or ""
        for name in ("gap_score", "need_tax_per_mu", "need_va_per_mu"):
            setattr(self, name, value.get(name))
        self.drag = ",".join(value.get("drag") or ())


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("不予采纳")


@track
class Objection(ZoneScopedModel):
    """异议: a firm (or staff on its behalf) disputes its published result, with evidence."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="objections", verbose_name=_("评价批次"))
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="objections",
                               verbose_name=_("评价结果"))
    text = models.TextField(_("异议内容"), max_length=2000)
    evidence = models.FileField(_("佐证材料"), upload_to="evaluation/objections/%Y/%m/", max_length=255)
    evidence_name = models.CharField(_("材料文件名"), max_length=255, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("提出人"))
    by_enterprise = models.BooleanField(_("企业自行提出"), default=False)
    status = models.CharField(_("处理结果"), max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.PENDING)
    decision_reason = models.CharField(_("处理理由"), max_length=500, blank=True)
    # Corrected figures {field: value} (an accepted objection re-scores with them).
    corrections = models.JSONField(_("更正数据"), default=dict, blank=True)
    new_class = models.CharField(_("改定等级"), max_length=8, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.result.enterprise} 的异议 #{self.pk}"

    def get_absolute_url(self):
        return reverse("evaluation:objection_detail", args=[self.pk])
