import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.core import geo
from zoneops.core.changelog import track
from zoneops.core.models import ImportBatch, ZoneScopedModel
from zoneops.core.scoping import ZoneQuerySet

from .validators import validate_uscc


MIN_YEAR = 1990
NON_NEGATIVE = [MinValueValidator(0, message=_("不能为负数。"))]
POSITIVE = [MinValueValidator(Decimal("0.0001"), message=_("必须大于 0。"))]


def max_year():
    return datetime.date.today().year + 1


def validate_year(value):
    if not MIN_YEAR <= value <= max_year():
        raise ValidationError(_("年度应在 %(a)s–%(b)s 之间。"), params={"a": MIN_YEAR, "b": max_year()})


class IndustryCode(models.Model):
    """GB/T 4754-2017 国民经济行业分类 (shipped, cleaned table)."""

    class Level(models.TextChoices):
        SECTION = "section", _("门类")
        DIVISION = "division", _("大类")
        GROUP = "group", _("中类")
        CLASS = "class", _("小类")

    code = models.CharField(_("代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级"))
    section = models.CharField(_("门类"), max_length=1, db_index=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("行业代码")
        verbose_name_plural = _("行业代码")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CultivationPool(models.Model):
    """A cultivation pool (培育库), e.g. 上市培育 (凤凰行动), 小升规; configurable."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("培育库")
        verbose_name_plural = _("培育库")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Scale(models.TextChoices):
    ABOVE = "above", _("规上")
    BELOW = "below", _("规下")


class EnterpriseStatus(models.TextChoices):
    PREPARING = "preparing", _("筹建")
    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停产")
    MOVED_OUT = "moved_out", _("迁出")
    DEREGISTERED = "deregistered", _("注销")


@track
class Enterprise(ZoneScopedModel):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_uscc])
    name = models.CharField(_("企业名称"), max_length=200)
    former_names = models.CharField(_("曾用名"), max_length=500, blank=True, help_text=_("多个曾用名用顿号分隔"))
    industry = models.ForeignKey(IndustryCode, on_delete=models.PROTECT, null=True, blank=True,
                                 limit_choices_to={"level": "class"}, verbose_name=_("行业（小类）"))
    # Denormalised from `industry` so that 门类/大类 filters use an index on a million rows.
    industry_section = models.CharField(_("行业门类"), max_length=1, blank=True, editable=False)
    industry_division = models.CharField(_("行业大类"), max_length=2, blank=True, editable=False)
    scale = models.CharField(_("规模"), max_length=8, choices=Scale.choices, default=Scale.BELOW)
    is_high_tech = models.BooleanField(_("高新技术企业"), default=False)
    is_listed = models.BooleanField(_("上市/挂牌"), default=False)
    has_rd_center = models.BooleanField(_("省级以上研发机构"), default=False)
    is_specialized = models.BooleanField(_("专精特新"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=EnterpriseStatus.choices,
                              default=EnterpriseStatus.OPERATING)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    business_scope = models.TextField(_("经营范围"), blank=True, max_length=4000)
    established = models.DateField(_("成立日期"), null=True, blank=True)
    account_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("服务专员"))
    pools = models.ManyToManyField(CultivationPool, blank=True, related_name="enterprises",
                                   verbose_name=_("培育库"))
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("导入批次"))

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "uscc"], name="unique_enterprise_uscc_per_zone",
                                violation_error_message=_("本开发区已有该统一社会信用代码的企业。"))]
        indexes = [
            models.Index(fields=["zone", "name", "id"]),
            models.Index(fields=["zone", "scale", "name"]),
            models.Index(fields=["zone", "industry_division"]),
            models.Index(fields=["zone", "industry_section"]),
            models.Index(fields=["zone", "status"]),
            models.Index(fields=["uscc"]),
            # 规上工业 (scale=above, 门类 C) is the list a zone looks at most: counted and paged
            # from the index alone (bench/pages.py; 45 → 5 ms count on a zone of 111,111 firms).
            models.Index(fields=["zone", "scale", "industry_section", "name", "id"]),
            # The province viewer's list of every zone's firms, sorted by name (no 1,000,000-row sort).
            models.Index(fields=["name", "id"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:enterprise_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded_name = obj.__dict__.get("name")
        return obj

    def remember_former_name(self, old_name):
        """A renamed firm keeps its old name as a former name (曾用名), so search still finds it."""
        names = [n for n in self.former_names.split("、") if n]
        if old_name and old_name != self.name and old_name not in names:
            self.former_names = "、".join([*names, old_name])[-500:]

    def save(self, *args, **kwargs):
        self.industry_section, self.industry_division = industry_parts(self.industry_id)
        self.remember_former_name(getattr(self, "_loaded_name", None))
        super().save(*args, **kwargs)
        self._loaded_name = self.name

    def land_area_mu(self):
        return self.parcels.aggregate(s=Sum("area_mu"))["s"] or Decimal(0)


_SECTIONS = {}


def industry_parts(code):
    """(门类 letter, 大类 2 digits) of a 小类 code, from the shipped table."""
    if not code:
        return "", ""
    if not _SECTIONS:
        _SECTIONS.update(IndustryCode.objects.filter(level="division").values_list("code", "section"))
    return _SECTIONS.get(code[:2], ""), code[:2]


class LandUse(models.TextChoices):
    INDUSTRIAL = "industrial", _("工业用地")
    WAREHOUSE = "warehouse", _("仓储用地")
    COMMERCIAL = "commercial", _("商服用地")
    RESEARCH = "research", _("科研用地")
    OTHER = "other", _("其他")


class Tenure(models.TextChoices):
    OWNED = "owned", _("自有")
    LEASED = "leased", _("租赁")


class ParcelStatus(models.TextChoices):
    """The land pipeline (see zoneops.land.engine for the allowed moves). `reserved` (储备) is the
    older name of planned stock and moves like `planned`."""
    PLANNED = "planned", _("规划")
    RESERVED = "reserved", _("储备")
    ACQUIRING = "acquiring", _("征收中")
    ACQUIRED = "acquired", _("收储")
    READY = "ready", _("已做地")
    LISTED = "listed", _("挂牌")
    SOLD = "sold", _("已出让")
    SUPPLIED = "supplied", _("已供地")
    BUILDING = "building", _("在建")
    PRODUCING = "producing", _("投产")
    INEFFICIENT = "inefficient", _("低效")
    REDEVELOPING = "redeveloping", _("改造中")
    REDEVELOPED = "redeveloped", _("改造完成")


class ParcelQuerySet(ZoneQuerySet):
    """Bulk writes keep `map_geometry` in step with `geometry`, as save() does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.map_geometry = geo.map_text(obj.geometry)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "geometry" in fields:
            for obj in objs:
                obj.map_geometry = geo.map_text(obj.geometry)
            fields = [*fields, "map_geometry"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if "geometry" in kwargs and "map_geometry" not in kwargs:  # bulk_update passes both
            raise TypeError("Parcel.geometry is written by save(), bulk_update() or set_geometries(), "
                            "which keep map_geometry in step")
        return super().update(**kwargs)

    def set_geometries(self, pairs, **columns):
        """Write [(parcel pk, geometry)] and their map text in few statements, and `columns`
        (field name: value, e.g. updated) on each of those rows. No signals and no change log:
        the boundary import logs its own; the demo needs none. bulk_update's CASE over 20,000
        JSON values was most of a large import's time."""
        from django.db import connection

        model = self.model
        table = model._meta.db_table
        extra = [(model._meta.get_field(name), value) for name, value in columns.items()]
        set_extra = "".join(f', "{f.column}" = %s' for f, _v in extra)
        extra_params = [f.get_db_prep_value(v, connection) for f, v in extra]
        json_field = model._meta.get_field("geometry")
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                for i in range(0, len(pairs), 2000):
                    chunk = pairs[i:i + 2000]
                    params = [v for pk, g in chunk for v in (
                        pk, None if g is None else json.dumps(g, separators=(",", ":")), geo.map_text(g))]
                    cur.execute(f'UPDATE "{table}" AS p SET geometry = v.g, map_geometry = v.m{set_extra} FROM (VALUES '
                                + ", ".join(["(%s, %s::jsonb, %s)"] * len(chunk)) + ") AS v(id, g, m) WHERE p.id = v.id",
                                [*extra_params, *params])
                return
            # SQLite: one prepared UPDATE run per row is far cheaper than a CASE over 500 values
            cur.executemany(f'UPDATE "{table}" SET "geometry" = %s, "map_geometry" = %s{set_extra} WHERE "id" = %s',
                            [(None if g is None else json_field.get_db_prep_value(g, connection), geo.map_text(g),
                              *extra_params, pk) for pk, g in pairs])


@track
class Parcel(ZoneScopedModel):
    code = models.CharField(_("地块编号"), max_length=64)
    name = models.CharField(_("地块名称"), max_length=200, blank=True)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=14, decimal_places=4, validators=POSITIVE)
    land_use = models.CharField(_("用地性质"), max_length=16, choices=LandUse.choices, default=LandUse.INDUSTRIAL)
    holder = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True, related_name="parcels",
                               verbose_name=_("使用企业"))
    tenure = models.CharField(_("权属"), max_length=8, choices=Tenure.choices, default=Tenure.OWNED)
    floor_area_ratio = models.DecimalField(_("容积率"), max_digits=6, decimal_places=2, null=True, blank=True,
                                           validators=NON_NEGATIVE)
    status = models.CharField(_("状态"), max_length=16, choices=ParcelStatus.choices, default=ParcelStatus.PRODUCING)
    address = models.CharField(_("坐落"), max_length=200, blank=True)
    geometry = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    # The boundary as the map sends it (core.geo.map_text), written with `geometry`: the zone map
    # of 20,000 parcels then reads text, where decoding and cleaning jsonb was most of its time.
    map_geometry = models.TextField(_("地图边界"), null=True, blank=True, editable=False)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("导入批次"))

    objects = ParcelQuerySet.as_manager()

    class Meta:
        verbose_name = _("地块")
        verbose_name_plural = _("地块")
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "code"], name="unique_parcel_code_per_zone",
                                violation_error_message=_("本开发区已有该编号的地块。"))]
        indexes = [models.Index(fields=["zone", "status"])]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    def get_absolute_url(self):
        return reverse("registry:parcel_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.map_geometry = geo.map_text(self.geometry)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "geometry" in update_fields:
            kwargs["update_fields"] = [*update_fields, "map_geometry"]
        super().save(*args, **kwargs)


@track
class EnterpriseYear(ZoneScopedModel):
    """Annual figures of one enterprise (money in 万元)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years",
                                   verbose_name=_("企业"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year])
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=18, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    tax = models.DecimalField(_("评价税收（万元）"), max_digits=18, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    value_added = models.DecimalField(_("工业增加值（万元）"), max_digits=18, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    energy_tce = models.DecimalField(_("综合能耗（吨标煤）"), max_digits=18, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    emissions_t = models.DecimalField(_("主要污染物排放（吨）"), max_digits=18, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    employees = models.PositiveIntegerField(_("年平均职工人数"), null=True, blank=True)
    rd_expense = models.DecimalField(_("R&D经费支出（万元）"), max_digits=18, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    power_mwh = models.DecimalField(_("用电量（万千瓦时）"), max_digits=18, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE)
    land_mu = models.DecimalField(_("用地面积（亩）"), max_digits=14, decimal_places=4, null=True, blank=True,
                                  validators=NON_NEGATIVE,
                                  help_text=_("留空则取企业所用地块面积之和；填写即为人工认定值"))
    land_note = models.CharField(_("用地认定说明"), max_length=200, blank=True)
    source = models.CharField(_("数据来源"), max_length=100, blank=True)
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("导入批次"))

    class Meta:
        verbose_name = _("年度指标")
        verbose_name_plural = _("年度指标")
        ordering = ["-year", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="unique_enterprise_year",
                                violation_error_message=_("该企业这一年度的指标已存在。"))]
        indexes = [models.Index(fields=["zone", "year"])]

    def __str__(self):
        return f"{self.enterprise} {self.year}年"

    def get_absolute_url(self):
        return reverse("registry:enterpriseyear_detail", args=[self.pk])

    def effective_land_mu(self):
        """The override when recorded, else the sum of the parcels the enterprise uses."""
        if self.land_mu is not None:
            return self.land_mu
        return self.enterprise.land_area_mu()
