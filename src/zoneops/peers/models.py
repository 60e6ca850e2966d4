"""Peer reports (a neighbour's public report, pasted or uploaded) and the figures staff accepted
from them. Each zone keeps its own peer library: a report and its figures belong to the zone
that added them, so another zone never sees what a zone chose to compare itself with."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ZoneScopedModel

from .engine import KIND_LABELS

MAX_TEXT_CHARS = 300_000  # about 150 pages of a report; a longer text is not one report


def validate_report_text(value):
    text = value or ""
    if not text.strip():
        raise ValidationError(_("报告全文为空，请粘贴报告文字或上传 .txt/.docx 文件。"))
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(_("报告全文有 %(n)s 个字符，超过上限 %(max)s 个字符；请只粘贴报告正文。")
                              % {"n": f"{len(text):,}", "max": f"{MAX_TEXT_CHARS:,}"})
    control = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t")
    if "\x00" in text or control > 20:
        raise ValidationError(_("报告全文含有二进制控制字符（如 NUL），不是可读的文字；请粘贴文字或上传 .txt/.docx 文件。"))


class Kind(models.TextChoices):
    LEVEL = "level", _("总量")
    GROWTH = "growth", _("增速")
    SHARE = "share", _("占比")
    COUNT = "count", _("数量")
    DURATION = "duration", _("时长")
    TARGET = "target", _("目标")


assert set(Kind.values) == set(KIND_LABELS)


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("待核对")
    REVIEWED = "reviewed", _("已核对")


@track
class PeerReport(ZoneScopedModel):
    peer_name = models.CharField(_("同行名称"), max_length=100, help_text=_("如 永康经济开发区"))
    title = models.CharField(_("报告标题"), max_length=200, blank=True)
    report_date = models.DateField(_("报告日期"), null=True, blank=True,
                                   help_text=_("句中未写年份的数字按此日期的年份计"))
    source_url = models.URLField(_("来源链接"), max_length=500, blank=True)
    text = models.TextField(_("报告全文"), validators=[validate_report_text])
    # The extractor's candidates, each a dict of extract.Figure plus "status": pending/accepted/dropped.
    candidates = models.JSONField(_("提取结果"), default=list, blank=True, editable=False)
    status = models.CharField(_("核对状态"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.PENDING, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("录入人"), editable=False)

    class Meta:
        verbose_name = _("同行报告")
        verbose_name_plural = _("同行报告")
        ordering = ["-report_date", "-id"]
        indexes = [models.Index(fields=["zone", "peer_name"])]

    def __str__(self):
        return f"{self.peer_name} {self.title or ''}".strip()

    def get_absolute_url(self):
        return reverse("peers:peerreport_detail", args=[self.pk])

    @property
    def candidate_count(self):
        return len(self.candidates or [])

    @property
    def pending_count(self):
        return sum(1 for c in self.candidates or [] if c.get("status", "pending") == "pending")


@track
class PeerFigure(ZoneScopedModel):
    report = models.ForeignKey(PeerReport, on_delete=models.CASCADE, related_name="figures",
                               verbose_name=_("同行报告"))
    peer_name = models.CharField(_("同行名称"), max_length=100)
    metric = models.CharField(_("指标"), max_length=100)
    value = models.DecimalField(_("数值"), max_digits=24, decimal_places=6)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    norm_value = models.DecimalField(_("标准值"), max_digits=24, decimal_places=6, null=True, blank=True)
    norm_unit = models.CharField(_("标准单位"), max_length=16, blank=True)
    period = models.CharField(_("期间"), max_length=16, blank=True, help_text=_("如 2023、2023-01~06、2023-Q1"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.LEVEL)
    sentence = models.TextField(_("原文句子"), blank=True)
    start = models.PositiveIntegerField(_("起始位置"), null=True, blank=True)
    end = models.PositiveIntegerField(_("结束位置"), null=True, blank=True)
    candidate_index = models.PositiveIntegerField(_("提取序号"), null=True, blank=True, editable=False)
    corrected = models.BooleanField(_("经人工修正"), default=False)
    indicator = models.ForeignKey("figures.Indicator", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("对应指标"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("核对人"), editable=False)

    class Meta:
        verbose_name = _("同行数据")
        verbose_name_plural = _("同行数据")
        ordering = ["metric", "peer_name", "-period", "id"]
        indexes = [models.Index(fields=["zone", "metric"])]

    def __str__(self):
        return f"{self.peer_name} {self.metric} {self.value_text}{self.unit}"

    @staticmethod
    def _plain(d):
        if d is None:
            return ""
        text = f"{d:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    @property
    def value_text(self):
        return self._plain(self.value)

    @property
    def norm_value_text(self):
        return self._plain(self.norm_value)

    def get_absolute_url(self):
        return reverse("peers:peerfigure_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.report_id and self.zone_id and self.report.zone_id != self.zone_id:
            raise ValidationError({"report": _("同行报告不属于所选开发区。")})
