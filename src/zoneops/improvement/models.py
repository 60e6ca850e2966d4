"""一企一策 improvement plans and the differentiated-policy table per evaluation class.

A plan copies the firm's evaluation year, class and score when it is created (`eval_*`): the
plan was made because of that result, and stays readable as such after a re-run or a 调档.
Measures and progress notes carry their plan's zone so that every query of them starts from
`restrict()` like any other zone data.
"""
import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ZoneScopedModel
from zoneops.registry.models import Enterprise

TEXT_MAX = 2000
CLASS_CODE_RE = re.compile(r"^[A-Z][A-Z0-9+\-]{0,3}$", re.IGNORECASE)  # stored upper-case


def validate_class_code(value):
    if not CLASS_CODE_RE.match(value or ""):
        raise ValidationError(_("等级代码须为 1–4 位大写字母或数字（以字母开头），如 A、B、C、D。"))


def validate_not_blank(value):
    if not (value or "").strip():
        raise ValidationError(_("内容不能为空。"))


class MeasureCategory(models.TextChoices):
    """The six kinds of measures named in the seed (长三角（湖州）产业合作区 2023)."""

    SUPERVISE = "supervise", _("督促做实")
    EXCEL = "excel", _("引导创优")
    TRANSFORM = "transform", _("鼓励转型")
    MERGE = "merge", _("帮扶并强")
    RENOVATE = "renovate", _("支持改新")
    REVITALIZE = "revitalize", _("强制盘活")


class PlanStatus(models.TextChoices):
    DRAFTING = "drafting", _("制定中")
    ACTIVE = "active", _("实施中")
    DONE = "done", _("已完成")
    STOPPED = "stopped", _("已终止")


OPEN_STATUSES = (PlanStatus.DRAFTING, PlanStatus.ACTIVE)


class MeasureState(models.TextChoices):
    PENDING = "pending", _("未开始")
    DOING = "doing", _("推进中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


@track
class ImprovementPlan(ZoneScopedModel):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="improvement_plans",
                                   verbose_name=_("企业"))
    title = models.CharField(_("方案名称"), max_length=200, blank=True,
                             help_text=_("留空则按“企业名称 + 一企一策”命名"))
    # The evaluation result the plan answers, copied at creation (see the module docstring).
    eval_year = models.PositiveSmallIntegerField(_("评价年度"), null=True, blank=True, editable=False)
    eval_class = models.CharField(_("制定时等级"), max_length=8, blank=True, editable=False)
    eval_total = models.FloatField(_("制定时得分"), null=True, blank=True, editable=False)
    situation = models.TextField(_("现状与问题"), blank=True, max_length=TEXT_MAX,
                                 validators=[MaxLengthValidator(TEXT_MAX)])
    target_tax_per_mu = models.DecimalField(_("目标亩均税收（万元/亩）"), max_digits=12, decimal_places=2, null=True,
                                            blank=True, validators=[MinValueValidator(0, _("不能为负数。"))])
    target_class = models.CharField(_("目标等级"), max_length=8, blank=True, validators=[validate_class_code])
    target_text = models.TextField(_("其他目标"), blank=True, max_length=TEXT_MAX,
                                   validators=[MaxLengthValidator(TEXT_MAX)])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                              verbose_name=_("责任人"))
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFTING)
    stop_reason = models.CharField(_("终止原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("一企一策")
        verbose_name_plural = _("一企一策")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["zone", "status"]), models.Index(fields=["enterprise", "status"])]

    def __str__(self):
        return self.title or f"{self.enterprise.name} 一企一策"

    def get_absolute_url(self):
        return reverse("improvement:improvementplan_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def clean(self):
        super().clean()
        errors = {}
        created = timezone.localdate(self.created) if self.created else timezone.localdate()
        if self.deadline and self.deadline < created:
            errors["deadline"] = _("完成期限（%(d)s）不能早于制定日期（%(c)s）。") % {"d": self.deadline, "c": created}
        if self.status == PlanStatus.STOPPED and not (self.stop_reason or "").strip():
            errors["stop_reason"] = _("终止方案须填写终止原因。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.target_class = (self.target_class or "").strip().upper()
        if self.pk is None and self.eval_year is None and self.enterprise_id:
            from .services import class_of

            info = class_of(self.enterprise)
            if info is not None:
                self.eval_year, self.eval_class, self.eval_total = info.year, info.class_code or "", info.total
        super().save(*args, **kwargs)


@track
class Measure(ZoneScopedModel):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="measures",
                             verbose_name=_("一企一策"))
    category = models.CharField(_("措施类别"), max_length=16, choices=MeasureCategory.choices)
    content = models.TextField(_("措施内容"), max_length=TEXT_MAX,
                               validators=[validate_not_blank, MaxLengthValidator(TEXT_MAX)])
    department = models.CharField(_("责任部门"), max_length=100, blank=True)
    person = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("完成期限"), null=True, blank=True)
    state = models.CharField(_("进度"), max_length=16, choices=MeasureState.choices, default=MeasureState.PENDING)

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["plan_id", "id"]

    def __str__(self):
        return f"{self.get_category_display()}：{self.content[:30]}"

    def get_absolute_url(self):
        return self.plan.get_absolute_url() + f"#measure-{self.pk}"

    def clean(self):
        super().clean()
        created = timezone.localdate(self.created) if self.created else timezone.localdate()
        if self.deadline and self.deadline < created:
            raise ValidationError({"deadline": _("完成期限（%(d)s）不能早于制定日期（%(c)s）。") % {
                "d": self.deadline, "c": created}})


@track
class ProgressNote(ZoneScopedModel):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="notes",
                             verbose_name=_("一企一策"))
    date = models.DateField(_("日期"), default=datetime.date.today)
    text = models.TextField(_("进展情况"), max_length=TEXT_MAX,
                            validators=[validate_not_blank, MaxLengthValidator(TEXT_MAX)])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("记录人"))

    class Meta:
        verbose_name = _("进展记录")
        verbose_name_plural = _("进展记录")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.text[:30]}"

    def get_absolute_url(self):
        return self.plan.get_absolute_url() + f"#note-{self.pk}"

    def clean(self):
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("进展日期不能晚于今天。")})


@track
class PolicyItem(ZoneScopedModel):
    """One row of a zone's differentiated-policy table (差别化政策), e.g. 电价加价 for class D.

    Nothing is built in: the values come from the zone's own documents."""

    class_code = models.CharField(_("等级"), max_length=8, validators=[validate_class_code],
                                  help_text=_("评价等级代码，如 A、B、C、D"))
    item = models.CharField(_("政策项目"), max_length=100, validators=[validate_not_blank],
                            help_text=_("如：电价加价（元/千瓦时）、水价加价、用能保障、用地保障、信贷支持"))
    value = models.CharField(_("标准/内容"), max_length=200, validators=[validate_not_blank],
                             help_text=_("如：0.1、优先保障、不予新增"))
    note = models.CharField(_("依据与说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("差别化政策")
        verbose_name_plural = _("差别化政策")
        ordering = ["zone_id", "class_code", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "class_code", "item"], name="unique_policy_item",
                                               violation_error_message=_("本开发区该等级已有同名政策项目。"))]

    def __str__(self):
        return f"{self.class_code}类 {self.item}"

    def get_absolute_url(self):
        return reverse("improvement:policyitem_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.class_code = (self.class_code or "").strip().upper()
        self.item = (self.item or "").strip()
        super().save(*args, **kwargs)
