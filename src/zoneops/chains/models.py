"""Industrial chains (产业链链长制): chains, their segment trees, firm mappings, 链主, the
investment map's candidates and the province's 九个一 checklist."""
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ImportBatch, Zone, ZoneScopedModel
from zoneops.registry.models import Enterprise, IndustryCode

from . import engine


class ChainStatus(models.TextChoices):
    PILOT = "pilot", _("试点")
    DEMO_PILOT = "demo_pilot", _("示范试点")
    EXCELLENT = "excellent", _("优秀示范")


class Stage(models.TextChoices):
    UP = "up", _("上游")
    MID = "mid", _("中游")
    DOWN = "down", _("下游")


def validate_thresholds(value):
    try:
        engine.clean_thresholds(value)
    except ValueError as e:
        raise ValidationError(str(e)) from None


@track
class Chain(ZoneScopedModel):
    name = models.CharField(_("产业链名称"), max_length=60)
    chief_name = models.CharField(_("链长"), max_length=40, blank=True)
    chief_title = models.CharField(_("链长职务"), max_length=80, blank=True, help_text=_("如 区委书记、管委会主任"))
    office_contact = models.CharField(_("链办联系人"), max_length=40, blank=True)
    office_phone = models.CharField(_("链办电话"), max_length=40, blank=True)
    status = models.CharField(_("链长制级别"), max_length=16, choices=ChainStatus.choices, default=ChainStatus.PILOT)
    # 双链长: a chain run jointly with another zone. Only the partner's name is ever shown; its
    # data stays behind the partner's own zone boundary.
    partner_zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("双链长合作开发区"))
    partner_chief = models.CharField(_("合作方链长"), max_length=80, blank=True)
    template = models.CharField(_("来源模板"), max_length=60, blank=True, editable=False)
    description = models.TextField(_("说明"), blank=True)
    thresholds = models.JSONField(_("强弱判定阈值"), default=dict, blank=True, validators=[validate_thresholds],
                                  help_text=_("留空用默认值；见文档 docs/chains.md"))

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["zone__code", "name"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_chain_name_per_zone",
                                               violation_error_message=_("本开发区已有同名的产业链。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:chain_detail", args=[self.pk])

    def clean(self):
        if self.partner_zone_id and self.partner_zone_id == self.zone_id:
            raise ValidationError({"partner_zone": _("合作开发区不能是本开发区。")})

    def effective_thresholds(self):
        return engine.clean_thresholds(self.thresholds or {})


def validate_codes(value):
    """GB/T 4754 codes (大类 2 / 中类 3 / 小类 4 digits) separated by 、 , or spaces, known to the registry."""
    codes = engine.split_words(value)
    bad = [c for c in codes if not c.isdigit() or len(c) not in (2, 3, 4)]
    if bad:
        raise ValidationError(_("行业代码应为 2–4 位数字（大类、中类或小类）：%(c)s"), params={"c": "、".join(bad[:5])})
    known = set(IndustryCode.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(_("GB/T 4754-2017 中没有这些行业代码：%(c)s"), params={"c": "、".join(unknown[:5])})


@track
class Segment(ZoneScopedModel):
    """One node of a chain's tree: a segment (环节) or sub-segment under one of the three stages."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="segments", verbose_name=_("产业链"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("上级环节"))
    stage = models.CharField(_("链位"), max_length=4, choices=Stage.choices, default=Stage.MID)
    name = models.CharField(_("环节名称"), max_length=60)
    order = models.PositiveIntegerField(_("排序"), default=0)
    codes = models.CharField(_("行业代码"), max_length=300, blank=True, validators=[validate_codes],
                             help_text=_("GB/T 4754-2017 代码，顿号分隔；4 位小类、3 位中类或 2 位大类"))
    keywords = models.TextField(_("关键词"), blank=True, max_length=2000, help_text=_("顿号分隔；出现在企业名称或经营范围中即为证据"))
    exclude_words = models.TextField(_("排除词"), blank=True, max_length=1000,
                                     help_text=_("顿号分隔；与关键词出现在同一句时不算该环节"))
    products = models.TextField(_("典型产品"), blank=True, max_length=1000)
    note = models.TextField(_("说明"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain_id", "stage", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["chain", "name"], name="unique_segment_name_per_chain",
                                               violation_error_message=_("该产业链已有同名的环节。"))]

    def __str__(self):
        return f"{self.chain.name} · {self.name}" if "chain" in self._state.fields_cache else self.name

    def get_absolute_url(self):
        return reverse("chains:segment_detail", args=[self.pk])

    def clean(self):
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("上级环节不能是它自己。")})
            parent = Segment.objects.filter(pk=self.parent_id).only("chain_id", "stage", "parent_id").first()
            if parent is None or parent.chain_id != self.chain_id:
                raise ValidationError({"parent": _("上级环节须属于同一条产业链。")})
            # No cycles: walk up from the new parent.
            seen, node = set(), parent
            while node is not None:
                if node.pk == self.pk or node.pk in seen:
                    raise ValidationError({"parent": _("不能把环节移到它自己的下级环节之下。")})
                seen.add(node.pk)
                node = Segment.objects.filter(pk=node.parent_id).only("parent_id").first() if node.parent_id else None
            self.stage = parent.stage
        if self.chain_id and not self.zone_id:
            self.zone_id = self.chain.zone_id


class MappingSource(models.TextChoices):
    AUTO = "auto", _("自动匹配")
    CONFIRMED = "confirmed", _("人工确认")
    REJECTED = "rejected", _("人工否决")


class ChainMapping(ZoneScopedModel):
    """An enterprise in a segment. Automatic rows are rewritten by every mapping run; confirmed and
    rejected rows are staff decisions (audited through log_action) that runs never touch."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="chain_mappings",
                                   verbose_name=_("企业"))
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("产业链"))
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("环节"))
    confidence = models.FloatField(_("置信度"), default=0)
    evidence = models.CharField(_("依据"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=MappingSource.choices, default=MappingSource.AUTO)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("确认人"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业环节匹配")
        verbose_name_plural = _("企业环节匹配")
        ordering = ["chain_id", "segment_id", "-confidence", "id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "segment"], name="unique_mapping_per_segment")]
        indexes = [models.Index(fields=["chain", "source", "segment"]), models.Index(fields=["segment", "source"]),
                   models.Index(fields=["zone", "source"]),
                   # The chain page's firm list reads a segment's mappings in this order (views.firms_context).
                   models.Index(fields=["segment", "-confidence", "id"], name="chains_map_seg_conf_idx"),
                   # The chain summary groups the chain's mappings by firm from this one (index-only).
                   models.Index(fields=["chain", "enterprise", "segment", "source"], name="chains_map_chain_firm_idx")]

    def __str__(self):
        return f"{self.enterprise} → {self.segment.name}"

    def get_absolute_url(self):
        return reverse("chains:chainmapping_detail", args=[self.pk])


@track
class ChainLeader(ZoneScopedModel):
    """A 链主 firm of a chain."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="leaders", verbose_name=_("产业链"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="chain_leaderships",
                                   verbose_name=_("链主企业"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("链主企业")
        verbose_name_plural = _("链主企业")
        constraints = [models.UniqueConstraint(fields=["chain", "enterprise"], name="unique_leader_per_chain")]

    def __str__(self):
        return f"{self.chain.name} 链主 {self.enterprise.name}"


class CandidateStatus(models.TextChoices):
    NEW = "new", _("未接触")
    CONTACTED = "contacted", _("已接触")
    TALKS = "talks", _("洽谈中")
    UNFIT = "unfit", _("不合适")


@track
class Candidate(ZoneScopedModel):
    """An outside firm on the zone's investment map (招商地图)."""

    name = models.CharField(_("企业名称"), max_length=200)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    city = models.CharField(_("城市"), max_length=40, blank=True)
    industry = models.ForeignKey(IndustryCode, on_delete=models.PROTECT, null=True, blank=True,
                                 limit_choices_to={"level": "class"}, verbose_name=_("行业（小类）"))
    products = models.TextField(_("主营产品"), blank=True, max_length=2000)
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=18, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(0, message=_("不能为负数。"))])
    is_listed = models.BooleanField(_("上市公司"), default=False)
    notes = models.TextField(_("备注"), blank=True, max_length=2000)
    status = models.CharField(_("跟进状态"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.NEW)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("导入批次"))

    class Meta:
        verbose_name = _("招商目标企业")
        verbose_name_plural = _("招商目标企业")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_candidate_name_per_zone",
                                               violation_error_message=_("本开发区的招商地图已有该企业。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chains:candidate_detail", args=[self.pk])


class CandidateMatch(ZoneScopedModel):
    """A candidate's fit with a segment, from the same matcher as enterprises (rewritten on re-run)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="matches",
                                  verbose_name=_("招商目标企业"))
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="candidate_matches",
                              verbose_name=_("产业链"))
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="candidate_matches",
                                verbose_name=_("环节"))
    confidence = models.FloatField(_("置信度"), default=0)
    evidence = models.CharField(_("依据"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("目标企业环节匹配")
        verbose_name_plural = _("目标企业环节匹配")
        constraints = [models.UniqueConstraint(fields=["candidate", "segment"], name="unique_candidate_segment")]
        indexes = [models.Index(fields=["segment", "confidence"])]

    def __str__(self):
        return f"{self.candidate} → {self.segment_id}"


class ChecklistKind(models.TextChoices):
    """The province's 九个一 review items of a chain."""

    PLAN = "plan", _("一个产业链发展规划")
    POLICY = "policy", _("一套产业链扶持政策")
    SPACE = "space", _("一个产业链发展空间平台")
    LEADERS = "leaders", _("一批链主（龙头）企业")
    PLATFORM = "platform", _("一个产业链技术创新平台")
    TEAM = "team", _("一支产业链招商团队")
    SPECIALIST = "specialist", _("一名产业链专员")
    DUTIES = "duties", _("一张责任分工清单")
    ANNUAL = "annual", _("一份年度工作计划")


def evidence_path(instance, filename):
    # The stored name carries no user text beyond the extension; the original name is kept apart.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"chains/evidence/{instance.zone_id}/{instance.chain_id}/{instance.kind}{ext}"


@track
class ChecklistItem(ZoneScopedModel):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("产业链"))
    kind = models.CharField(_("事项"), max_length=16, choices=ChecklistKind.choices)
    done = models.BooleanField(_("已完成"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True, max_length=200)
    evidence_name = models.CharField(_("材料文件名"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("九个一事项")
        verbose_name_plural = _("九个一事项")
        ordering = ["chain_id", "id"]
        constraints = [models.UniqueConstraint(fields=["chain", "kind"], name="unique_checklist_kind_per_chain")]

    def __str__(self):
        return f"{self.chain.name} · {self.get_kind_display()}"
