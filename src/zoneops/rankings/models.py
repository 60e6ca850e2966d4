"""Rankings (赛马): province-wide ranking schemes, their computed results per period, and each
zone's annual summary (年度工作总结).

A scheme is not zone-scoped: the province (superusers) writes it once and it ranks many zones.
Its results are a snapshot per scheme and period (`RankingResult`), so "movement since the last
period" compares two stored tables and does not shift when late figures arrive; 重新计算 replaces
one period's snapshot. Every zone's users see the whole table (names, scores, totals: the issue
allows it) but never another zone's underlying data.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import Zone, ZoneLevel, ZoneScopedModel
from zoneops.figures.models import Indicator

from . import engine


class Granularity(models.TextChoices):
    MONTH = engine.MONTH, _("月度")
    QUARTER = engine.QUARTER, _("季度")
    YEAR = engine.YEAR, _("年度")


class ZoneSelection(models.TextChoices):
    ALL = "all", _("全部开发区")
    LEVEL = "level", _("按级别")
    CHOSEN = "chosen", _("指定开发区")


class Measure(models.TextChoices):
    VALUE = engine.VALUE, _("数值（累计或时点）")
    YOY = engine.YOY, _("同比增速")
    PROGRESS = engine.PROGRESS, _("目标完成率")


class Normalisation(models.TextChoices):
    RANK = engine.RANK, _("按名次赋分")
    MINMAX = engine.MINMAX, _("极差标准化（0–100）")
    TARGET = engine.TARGET, _("对标目标")


class ItemDirection(models.TextChoices):
    INDICATOR = "", _("同指标方向")
    HIGHER = engine.HIGHER, _("越大越好")
    LOWER = engine.LOWER, _("越小越好")


weight_validators = [MinValueValidator(0), MaxValueValidator(1000)]


@track
class RankingScheme(models.Model):
    """A ranking (赛马方案): which zones, which period granularity, how many 末位 places."""

    name = models.CharField(_("方案名称"), max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(_("适用年度"), null=True, blank=True,
                                            validators=[MinValueValidator(1990), MaxValueValidator(2100)],
                                            help_text=_("留空表示长期适用；填写后只能计算该年度的期次"))
    granularity = models.CharField(_("考核周期"), max_length=8, choices=Granularity.choices,
                                   default=Granularity.MONTH)
    bottom_places = models.PositiveSmallIntegerField(_("末位名次数"), default=1,
                                                     validators=[MaxValueValidator(100)],
                                                     help_text=_("排在最后几名的开发区标记为末位"))
    selection = models.CharField(_("参评范围"), max_length=8, choices=ZoneSelection.choices,
                                 default=ZoneSelection.ALL)
    level = models.CharField(_("开发区级别"), max_length=16, choices=ZoneLevel.choices, blank=True,
                             help_text=_("参评范围为“按级别”时使用"))
    zones = models.ManyToManyField(Zone, blank=True, related_name="+", verbose_name=_("指定开发区"))
    target_cap = models.DecimalField(_("目标完成率封顶"), max_digits=5, decimal_places=2, default=1.2,
                                     validators=[MinValueValidator(1), MaxValueValidator(10)],
                                     help_text=_("对标目标赋分时完成率的上限，如 1.2 即 120%"))
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("赛马方案")
        verbose_name_plural = _("赛马方案")
        ordering = ["-active", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("rankings:scheme", args=[self.pk])

    def zone_queryset(self):
        qs = Zone.objects.all()
        if self.selection == ZoneSelection.LEVEL:
            return qs.filter(level=self.level)
        if self.selection == ZoneSelection.CHOSEN:
            return qs.filter(pk__in=self.zones.values("pk"))
        return qs


@track
class RankingDimension(models.Model):
    scheme = models.ForeignKey(RankingScheme, on_delete=models.CASCADE, related_name="dimensions",
                               verbose_name=_("方案"))
    name = models.CharField(_("维度"), max_length=40, help_text=_("如 经济规模、发展质量、综合效益、增量增速"))
    weight = models.DecimalField(_("权重"), max_digits=7, decimal_places=2, default=25,
                                 validators=weight_validators)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评价维度")
        verbose_name_plural = _("评价维度")
        ordering = ["scheme", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="unique_dimension_name",
                                               violation_error_message=_("该方案已有同名维度。"))]

    def __str__(self):
        return self.name


@track
class RankingItem(models.Model):
    dimension = models.ForeignKey(RankingDimension, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("维度"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标"))
    weight = models.DecimalField(_("权重"), max_digits=7, decimal_places=2, default=1,
                                 validators=weight_validators)
    direction = models.CharField(_("方向"), max_length=8, choices=ItemDirection.choices, blank=True)
    measure = models.CharField(_("取值"), max_length=8, choices=Measure.choices, default=Measure.VALUE)
    normalisation = models.CharField(_("赋分方法"), max_length=8, choices=Normalisation.choices,
                                     default=Normalisation.RANK)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["dimension", "sort_order", "pk"]

    def __str__(self):
        return f"{self.indicator.name}（{self.get_measure_display()}）"

    @property
    def effective_direction(self):
        return self.direction or self.indicator.direction


class RankingResult(models.Model):
    """One zone's line of one period's ranking table (a snapshot; replaced by 重新计算)."""

    scheme = models.ForeignKey(RankingScheme, on_delete=models.CASCADE, related_name="results",
                               verbose_name=_("方案"))
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("开发区"))
    period = models.CharField(_("期次"), max_length=8, help_text=_("如 2024-06、2024-Q2、2024"))
    year = models.PositiveSmallIntegerField(_("年份"))
    month = models.PositiveSmallIntegerField(_("截至月份"))
    # {dimension id: score}; items: [{item, dimension, value, score, reason}]
    dimension_scores = models.JSONField(_("维度得分"), default=dict)
    item_scores = models.JSONField(_("指标得分"), default=list)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("名次"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("计算人"))

    class Meta:
        verbose_name = _("赛马结果")
        verbose_name_plural = _("赛马结果")
        ordering = ["scheme", "period", "rank", "zone__code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "period", "zone"], name="unique_result_per_period")]
        indexes = [models.Index(fields=["scheme", "period", "rank"])]

    def __str__(self):
        return f"{self.scheme} {self.period} {self.zone}"


@track
class AnnualSummary(ZoneScopedModel):
    """A zone's year in review: generated once from ZoneOps's records, then edited by staff."""

    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    title = models.CharField(_("标题"), max_length=120)
    overview = models.TextField(_("总体情况"), blank=True, max_length=20000)
    headline = models.TextField(_("主要经济指标"), blank=True, max_length=20000)
    highlights = models.TextField(_("工作亮点"), blank=True, max_length=20000)
    next_targets = models.TextField(_("明年目标任务"), blank=True, max_length=20000)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True, editable=False)
    edited = models.BooleanField(_("已人工修改"), default=False, editable=False)

    class Meta:
        verbose_name = _("年度总结")
        verbose_name_plural = _("年度总结")
        ordering = ["-year", "zone__code"]
        constraints = [models.UniqueConstraint(fields=["zone", "year"], name="unique_summary_per_year",
                                               violation_error_message=_("该开发区该年度已有年度总结。"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rankings:summary", args=[self.pk])
