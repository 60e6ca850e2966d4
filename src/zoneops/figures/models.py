"""Zone indicators (开发区指标): a province-wide catalogue, each zone's monthly or annual values, and
annual targets.

Values are stored as reported. A cumulative monthly series (累计, e.g. 1–7 月固定资产投资) stores the
year-to-date figure of each month; a point-in-time series (e.g. 规上企业数 at month end) stores the
level. 当月, 同比 and progress against target are computed (figures/engine.py), never stored.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ImportBatch, ZoneScopedModel


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("月度")
    ANNUAL = "annual", _("年度")


class Accumulation(models.TextChoices):
    CUMULATIVE = "cumulative", _("累计值（年初至今）")
    POINT = "point", _("时点值")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越大越好")
    LOWER = "lower", _("越小越好")


class ValueSource(models.TextChoices):
    ENTERED = "entered", _("手工填报")
    IMPORTED = "imported", _("表格导入")
    DERIVED = "derived", _("系统计算")
    API = "api", _("接口写入")


@track
class Indicator(models.Model):
    """One indicator of the catalogue, shared by every zone (written by superusers)."""


    code = models.SlugField(_("指标代码"), max_length=48, unique=True)
    name = models.CharField(_("指标名称"), max_length=100, unique=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True, help_text=_("如 万元、亩、家、%"))
    frequency = models.CharField(_("频度"), max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY)
    accumulation = models.CharField(_("累计方式"), max_length=12, choices=Accumulation.choices,
                                    default=Accumulation.CUMULATIVE)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    source_department = models.CharField(_("来源部门"), max_length=60, blank=True)
    # Empty for a reported indicator; else the key of a function in figures/derived.py.
    formula = models.CharField(_("计算口径"), max_length=48, blank=True)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @property
    def derived(self):
        return bool(self.formula)


@track
class IndicatorValue(ZoneScopedModel):
    """A zone's value of one indicator for one period: month 1–12, or 12 for an annual indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values",
                                  verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("年份"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    source = models.CharField(_("来源"), max_length=12, choices=ValueSource.choices, default=ValueSource.ENTERED)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("填报人"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("导入批次"))

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        ordering = ["indicator__sort_order", "indicator__code", "-year", "-month"]
        constraints = [models.UniqueConstraint(fields=["zone", "indicator", "year", "month"],
                                               name="unique_indicator_value_per_period",
                                               violation_error_message=_("该开发区该期已有此指标的数值。"))]
        indexes = [models.Index(fields=["indicator", "year", "month"]),
                   # The period table reads one period of many zones (province dashboard, rankings).
                   models.Index(fields=["year", "month", "zone"], name="figures_value_period_idx")]

    def __str__(self):
        return f"{self.indicator.name} {self.year}-{self.month:02d}"

    def get_absolute_url(self):
        return reverse("figures:indicatorvalue_detail", args=[self.pk])


@track
class Target(ZoneScopedModel):
    """A zone's annual target for one indicator (for a cumulative series: the year's total)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets",
                                  verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("年份"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["-year", "indicator__sort_order"]
        constraints = [models.UniqueConstraint(fields=["zone", "indicator", "year"], name="unique_target_per_year",
                                               violation_error_message=_("该开发区该年已有此指标的目标。"))]

    def __str__(self):
        return f"{self.year} {self.indicator.name}"

    def get_absolute_url(self):
        return reverse("figures:target_detail", args=[self.pk])
