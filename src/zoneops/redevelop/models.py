"""低效用地 rules and redevelopment cases (改造项目).

A case covers one or more parcels (`CaseParcel`, which keeps each parcel's figures as they were
when the case was opened). Its "before" figures are filled from the data at opening and never
recomputed; its "after" figures are entered at completion. Opening and completing move the
parcels' statuses through the land app's `transition` (see services.py).
"""
import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ZoneScopedModel
from zoneops.registry.models import Parcel

from . import engine

TEXT_MAX = 2000
NON_NEGATIVE = [MinValueValidator(0, _("不能为负数。"))]
FAR = [MinValueValidator(0, _("容积率不能为负数。")), MaxValueValidator(30, _("容积率不能大于 30。"))]


def validate_classes(value):
    classes = engine.parse_classes(value)
    if len(classes) > 10 or any(not re.fullmatch(r"[A-Z][A-Z0-9]{0,3}", c) for c in classes):
        raise ValidationError(_("等级应为以逗号分隔的等级代码（1–4 位字母或数字，以字母开头），如“C,D”。"))


class Combine(models.TextChoices):
    ALL = engine.ALL, _("同时满足全部条件（且）")
    ANY = engine.ANY, _("满足任一条件（或）")


@track
class CandidateRule(ZoneScopedModel):
    """A rule set of a zone (zone admins edit them). A parcel is a candidate when any active rule set
    of its zone matches; a zone without any rule set uses engine.DEFAULT_RULES."""

    name = models.CharField(_("规则名称"), max_length=100, help_text=_("如：D 类企业用地、低容积率用地、批而未用土地"))
    active = models.BooleanField(_("启用"), default=True)
    classes = models.CharField(_("亩均评价等级"), max_length=60, blank=True, default="D", validators=[validate_classes],
                               help_text=_("使用企业最新亩均评价等级在其中即符合，多个以逗号分隔，如“C,D”；留空则不按等级"))
    max_tax_per_mu = models.DecimalField(_("亩均税收低于（万元/亩）"), max_digits=10, decimal_places=2, null=True,
                                         blank=True, validators=NON_NEGATIVE, help_text=_("留空则不按亩均税收"))
    max_far = models.DecimalField(_("容积率低于"), max_digits=6, decimal_places=2, null=True, blank=True,
                                  validators=FAR, help_text=_("留空则不按容积率"))
    idle_months = models.PositiveSmallIntegerField(_("闲置超过（月）"), null=True, blank=True,
                                                   validators=[MaxValueValidator(600, _("月数不能超过 600。"))],
                                                   help_text=_("已出让未开工、或无使用企业的地块，自状态变更起超过该月数即符合；留空则不按闲置"))
    min_area_mu = models.DecimalField(_("最小面积（亩）"), max_digits=10, decimal_places=2, null=True, blank=True,
                                      validators=NON_NEGATIVE, help_text=_("小于该面积的地块不列入（始终适用）"))
    combine = models.CharField(_("条件组合"), max_length=8, choices=Combine.choices, default=Combine.ALL)
    include_marked = models.BooleanField(_("已标记低效的地块始终列入"), default=True)
    note = models.CharField(_("依据与说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("低效用地识别规则")
        verbose_name_plural = _("低效用地识别规则")
        ordering = ["zone_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_candidate_rule_name",
                                               violation_error_message=_("本开发区已有同名的识别规则。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("redevelop:candidaterule_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.classes = ",".join(engine.parse_classes(self.classes))
        self.name = (self.name or "").strip()
        super().save(*args, **kwargs)

    def rules(self, today=None):
        today = today or timezone.localdate()
        return engine.Rules(
            classes=engine.parse_classes(self.classes),
            max_tax_per_mu=None if self.max_tax_per_mu is None else float(self.max_tax_per_mu),
            max_far=None if self.max_far is None else float(self.max_far),
            idle_before=None if self.idle_months is None else engine.months_before(today, self.idle_months),
            min_area_mu=None if self.min_area_mu is None else float(self.min_area_mu),
            combine=self.combine, include_marked=self.include_marked)


class Approach(models.TextChoices):
    """Who drives the redevelopment (the seeds' list, less 单体/连片 which is the extent)."""

    GOVERNMENT = "government", _("政府推动")
    SOE = "soe", _("国企主导")
    PRIVATE = "private", _("民企联建")


class Extent(models.TextChoices):
    SINGLE = "single", _("单体改造")
    CONTIGUOUS = "contiguous", _("连片改造")


class CaseStatus(models.TextChoices):
    OPENED = "opened", _("立项")
    ACTIVE = "active", _("实施中")
    DONE = "done", _("已完成")
    STOPPED = "stopped", _("已终止")


OPEN_STATUSES = (CaseStatus.OPENED, CaseStatus.ACTIVE)


@track
class RedevelopmentCase(ZoneScopedModel):
    name = models.CharField(_("项目名称"), max_length=200)
    approach = models.CharField(_("改造方式"), max_length=16, choices=Approach.choices)
    extent = models.CharField(_("改造范围"), max_length=16, choices=Extent.choices, editable=False,
                              default=Extent.SINGLE, help_text=_("按地块数自动确定：一宗为单体改造，多宗为连片改造"))
    parcels = models.ManyToManyField(Parcel, through="CaseParcel", related_name="redevelopment_cases",
                                     verbose_name=_("地块"))
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPENED,
                              editable=False)
    opened_on = models.DateField(_("立项日期"), default=datetime.date.today)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    target_far = models.DecimalField(_("目标容积率"), max_digits=6, decimal_places=2, null=True, blank=True,
                                     validators=FAR)
    planned_investment = models.DecimalField(_("计划投资（万元）"), max_digits=14, decimal_places=2, null=True,
                                             blank=True, validators=NON_NEGATIVE)
    # Filled from the data at opening (see services.open_case), never recomputed.
    area_mu = models.DecimalField(_("改造面积（亩）"), max_digits=14, decimal_places=4, default=0, editable=False)
    far_before = models.DecimalField(_("改造前容积率"), max_digits=6, decimal_places=2, null=True, blank=True,
                                     editable=False)
    tax_per_mu_before = models.DecimalField(_("改造前亩均税收（万元/亩）"), max_digits=12, decimal_places=2, null=True,
                                            blank=True, editable=False)
    # Entered at completion.
    far_after = models.DecimalField(_("改造后容积率"), max_digits=6, decimal_places=2, null=True, blank=True,
                                    validators=FAR, editable=False)
    tax_per_mu_after = models.DecimalField(_("改造后亩均税收（万元/亩）"), max_digits=12, decimal_places=2, null=True,
                                           blank=True, validators=NON_NEGATIVE, editable=False)
    freed_floor_m2 = models.DecimalField(_("腾退建筑面积（㎡）"), max_digits=14, decimal_places=2, null=True, blank=True,
                                         validators=NON_NEGATIVE)
    new_floor_m2 = models.DecimalField(_("新增建筑面积（㎡）"), max_digits=14, decimal_places=2, null=True, blank=True,
                                       validators=NON_NEGATIVE)
    stop_reason = models.CharField(_("终止原因"), max_length=500, blank=True, editable=False)
    notes = models.TextField(_("备注"), blank=True, max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)])

    class Meta:
        verbose_name = _("改造项目")
        verbose_name_plural = _("改造项目")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["zone", "status"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("redevelop:redevelopmentcase_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


@track
class CaseParcel(ZoneScopedModel):
    """A parcel of a case, with its figures when the case was opened (carries the case's zone)."""

    case = models.ForeignKey(RedevelopmentCase, on_delete=models.CASCADE, related_name="case_parcels",
                             verbose_name=_("改造项目"))
    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="case_links", verbose_name=_("地块"))
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=14, decimal_places=4)
    holder_name = models.CharField(_("原使用企业"), max_length=200, blank=True)
    holder_class = models.CharField(_("原亩均等级"), max_length=8, blank=True)
    far_before = models.DecimalField(_("改造前容积率"), max_digits=6, decimal_places=2, null=True, blank=True)
    tax_per_mu_before = models.DecimalField(_("改造前亩均税收（万元/亩）"), max_digits=12, decimal_places=2, null=True,
                                            blank=True)
    status_before = models.CharField(_("原状态"), max_length=16, blank=True)
    reasons = models.CharField(_("认定理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("改造地块")
        verbose_name_plural = _("改造地块")
        ordering = ["case_id", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "parcel"], name="unique_case_parcel")]

    def __str__(self):
        return f"{self.case} · {self.parcel}"

    def get_absolute_url(self):
        return self.case.get_absolute_url() + f"#parcel-{self.pk}"


@track
class Milestone(ZoneScopedModel):
    case = models.ForeignKey(RedevelopmentCase, on_delete=models.CASCADE, related_name="milestones",
                             verbose_name=_("改造项目"))
    title = models.CharField(_("节点"), max_length=200)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)
    done = models.BooleanField(_("已完成"), default=False)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["case_id", "planned_on", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.case.get_absolute_url() + f"#milestone-{self.pk}"

    def clean(self):
        super().clean()
        errors = {}
        if self.title and not self.title.strip():
            errors["title"] = _("节点名称不能为空。")
        if self.actual_on and self.actual_on > timezone.localdate():
            errors["actual_on"] = _("实际日期不能晚于今天。")
        if errors:
            raise ValidationError(errors)
        if self.done and not self.actual_on:
            self.actual_on = timezone.localdate()
