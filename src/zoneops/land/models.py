"""Land lifecycle (parcel events, acquisitions and relocation progress, sales, split/merge
lineage) and ready-to-use space (standard factories, incubators, small-business parks).

A parcel's status lives on registry.Parcel; every change of it goes through
services.transition(), which writes a ParcelEvent. Area and status are copied onto the event so
the period figures are plain aggregates over one table (no join, and a later split does not
rewrite history)."""
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.core.changelog import track
from zoneops.core.models import ZoneScopedModel
from zoneops.core.scoping import ZoneQuerySet
from zoneops.registry.models import ParcelStatus

from . import engine

POSITIVE = [MinValueValidator(Decimal("0.0001"), message=_("必须大于 0。"))]
NON_NEGATIVE = [MinValueValidator(0, message=_("不能为负数。"))]
PEOPLE = [MinValueValidator(0, message=_("不能为负数。")),
          MaxValueValidator(engine.MAX_PEOPLE, message=_("超出合理范围。"))]
MONEY = [MinValueValidator(Decimal("0.0001"), message=_("必须大于 0。")),
         MaxValueValidator(engine.MAX_PRICE_WAN, message=_("超出合理范围。"))]


def not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"))


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("状态变更")
    SPLIT = "split", _("分割")
    MERGE = "merge", _("合并")
    CREATED = "created", _("由分割/合并产生")


class ParcelEvent(ZoneScopedModel):
    """One dated change of a parcel (status move, split, merge), by whom, with its details."""

    parcel = models.ForeignKey("registry.Parcel", on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("地块"))
    kind = models.CharField(_("类型"), max_length=12, choices=EventKind.choices, default=EventKind.TRANSITION)
    from_status = models.CharField(_("原状态"), max_length=16, choices=ParcelStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ParcelStatus.choices)
    on = models.DateField(_("日期"))
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=14, decimal_places=4)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("登记人"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("地块流转记录")
        verbose_name_plural = _("地块流转记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["parcel", "on", "id"]), models.Index(fields=["zone", "to_status", "on"])]

    def __str__(self):
        return f"{self.parcel} {engine.label(self.from_status)}→{engine.label(self.to_status)} {self.on}"

    def get_absolute_url(self):
        return reverse("land:parcelevent_detail", args=[self.pk])


class ParcelLink(ZoneScopedModel):
    """Lineage: `child` was cut from (split) or joined out of (merge) `parent` on `on`."""

    parent = models.ForeignKey("registry.Parcel", on_delete=models.CASCADE, related_name="children_links",
                               verbose_name=_("原地块"))
    child = models.ForeignKey("registry.Parcel", on_delete=models.CASCADE, related_name="parent_links",
                              verbose_name=_("新地块"))
    kind = models.CharField(_("方式"), max_length=12, choices=EventKind.choices)
    on = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("地块分合关系")
        verbose_name_plural = _("地块分合关系")
        ordering = ["on", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "child"], name="unique_parcel_link")]

    def __str__(self):
        return f"{self.parent} → {self.child}"


class AcquisitionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLEARED = "cleared", _("已清零")


@track
class Acquisition(ZoneScopedModel):
    """征收/收储: an acquisition with the households and firms to relocate."""

    name = models.CharField(_("征收项目"), max_length=200)
    parcel = models.ForeignKey("registry.Parcel", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="acquisitions", verbose_name=_("地块"))
    area_mu = models.DecimalField(_("征收面积（亩）"), max_digits=14, decimal_places=4, validators=POSITIVE)
    started_on = models.DateField(_("启动日期"), validators=[not_future])
    households_total = models.PositiveIntegerField(_("需搬迁户数"), default=0, validators=PEOPLE)
    firms_total = models.PositiveIntegerField(_("需搬迁企业数"), default=0, validators=PEOPLE)
    # The latest progress entry's figures (kept by AcquisitionProgress.save/delete).
    households_signed = models.PositiveIntegerField(_("已签约户数"), default=0, editable=False)
    firms_signed = models.PositiveIntegerField(_("已签约企业数"), default=0, editable=False)
    cleared_on = models.DateField(_("清零日期"), null=True, blank=True, editable=False)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("征收项目")
        verbose_name_plural = _("征收项目")
        ordering = ["-started_on", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("land:acquisition_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.parcel_id and self.zone_id and self.parcel.zone_id != self.zone_id:
            raise ValidationError({"parcel": _("所选地块不属于该开发区。")})
        if self.pk:
            over = self.progress.filter(models.Q(households_signed__gt=self.households_total or 0)
                                        | models.Q(firms_signed__gt=self.firms_total or 0)).first()
            if over:
                raise ValidationError({"households_total": _("%(d)s 已登记的签约数大于这里填写的总数。")
                                       % {"d": over.on.isoformat()}})

    @property
    def status(self):
        return AcquisitionStatus.CLEARED if self.cleared_on else AcquisitionStatus.OPEN

    @property
    def days_to_clear(self):
        return (self.cleared_on - self.started_on).days if self.cleared_on else None

    def progress_pct(self):
        total = (self.households_total or 0) + (self.firms_total or 0)
        if not total:
            return None
        return round(100 * ((self.households_signed or 0) + (self.firms_signed or 0)) / total, 1)

    def refresh_progress(self):
        """Copy the latest entry's signed counts and the clearing date onto the acquisition."""
        rows = list(self.progress.values_list("on", "households_signed", "firms_signed"))
        latest = max(rows, default=None)
        self.households_signed = latest[1] if latest else 0
        self.firms_signed = latest[2] if latest else 0
        days = engine.days_to_clear(self.started_on, rows, self.households_total, self.firms_total)
        self.cleared_on = self.started_on + datetime.timedelta(days=days) if days is not None else None
        Acquisition.objects.filter(pk=self.pk).update(households_signed=self.households_signed,
                                                      firms_signed=self.firms_signed, cleared_on=self.cleared_on)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.refresh_progress()


@track
class AcquisitionProgress(ZoneScopedModel):
    """Cumulative signing progress of an acquisition on a date (签约进度)."""

    acquisition = models.ForeignKey(Acquisition, on_delete=models.CASCADE, related_name="progress",
                                    verbose_name=_("征收项目"))
    on = models.DateField(_("日期"), validators=[not_future])
    households_signed = models.PositiveIntegerField(_("累计签约户数"), default=0, validators=PEOPLE)
    firms_signed = models.PositiveIntegerField(_("累计签约企业数"), default=0, validators=PEOPLE)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("签约进度")
        verbose_name_plural = _("签约进度")
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["acquisition", "on"], name="unique_acquisition_progress_day",
                                               violation_error_message=_("该征收项目这一天已登记过进度。"))]

    def __str__(self):
        return f"{self.acquisition} {self.on}"

    def get_absolute_url(self):
        return reverse("land:acquisitionprogress_detail", args=[self.pk])

    def clean(self):
        super().clean()
        a = self.acquisition if self.acquisition_id else None
        if a is None:
            return
        errors = {}
        if self.zone_id and a.zone_id != self.zone_id:
            errors["acquisition"] = _("所选征收项目不属于该开发区。")
        if self.on and self.on < a.started_on:
            errors["on"] = _("日期早于征收启动日期 %(d)s。") % {"d": a.started_on.isoformat()}
        if (self.households_signed or 0) > a.households_total:
            errors["households_signed"] = _("累计签约户数大于需搬迁户数 %(n)s。") % {"n": a.households_total}
        if (self.firms_signed or 0) > a.firms_total:
            errors["firms_signed"] = _("累计签约企业数大于需搬迁企业数 %(n)s。") % {"n": a.firms_total}
        if self.on and not errors:
            others = a.progress.exclude(pk=self.pk)
            before = others.filter(on__lt=self.on).order_by("-on").first()
            after = others.filter(on__gt=self.on).order_by("on").first()
            if before and (self.households_signed < before.households_signed or self.firms_signed < before.firms_signed):
                errors["households_signed"] = _("累计签约数不能少于 %(d)s 登记的 %(h)s 户、%(f)s 家。") % {
                    "d": before.on.isoformat(), "h": before.households_signed, "f": before.firms_signed}
            elif after and (self.households_signed > after.households_signed or self.firms_signed > after.firms_signed):
                errors["households_signed"] = _("累计签约数不能多于之后 %(d)s 登记的 %(h)s 户、%(f)s 家。") % {
                    "d": after.on.isoformat(), "h": after.households_signed, "f": after.firms_signed}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.acquisition.refresh_progress()

    def delete(self, *args, **kwargs):
        acquisition = self.acquisition
        result = super().delete(*args, **kwargs)
        acquisition.refresh_progress()
        return result


@track
class Sale(ZoneScopedModel):
    """挂牌/出让: a sale of (part of) a parcel."""

    parcel = models.ForeignKey("registry.Parcel", on_delete=models.PROTECT, related_name="sales",
                               verbose_name=_("地块"))
    event = models.OneToOneField(ParcelEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="sale",
                                 editable=False, verbose_name=_("流转记录"))
    listed_on = models.DateField(_("挂牌日期"), null=True, blank=True, validators=[not_future])
    sold_on = models.DateField(_("成交日期"), validators=[not_future])
    buyer = models.ForeignKey("registry.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="land_purchases", verbose_name=_("受让企业"))
    buyer_name = models.CharField(_("受让人"), max_length=200, blank=True,
                                  help_text=_("企业库中没有的受让人填写名称"))
    price_wan = models.DecimalField(_("成交价（万元）"), max_digits=16, decimal_places=4, validators=MONEY)
    area_mu = models.DecimalField(_("出让面积（亩）"), max_digits=14, decimal_places=4, validators=POSITIVE)

    class Meta:
        verbose_name = _("土地出让")
        verbose_name_plural = _("土地出让")
        ordering = ["-sold_on", "-id"]
        indexes = [models.Index(fields=["zone", "sold_on"])]

    def __str__(self):
        return f"{self.parcel} {self.sold_on}"

    def get_absolute_url(self):
        return reverse("land:sale_detail", args=[self.pk])

    @property
    def unit_price(self):
        return engine.unit_price(self.price_wan, self.area_mu)

    @property
    def buyer_label(self):
        return self.buyer.name if self.buyer_id else self.buyer_name

    def clean(self):
        super().clean()
        errors = {}
        if not self.buyer_id and not (self.buyer_name or "").strip():
            errors["buyer_name"] = _("请选择受让企业或填写受让人名称。")
        if self.parcel_id and self.zone_id and self.parcel.zone_id != self.zone_id:
            errors["parcel"] = _("所选地块不属于该开发区。")
        elif self.parcel_id and self.area_mu and self.area_mu > self.parcel.area_mu:
            errors["area_mu"] = _("出让面积 %(a)s 亩大于地块面积 %(p)s 亩。") % {"a": self.area_mu, "p": self.parcel.area_mu}
        if self.buyer_id and self.zone_id and self.buyer.zone_id != self.zone_id:
            errors["buyer"] = _("所选企业不属于该开发区。")
        if self.listed_on and self.sold_on and self.listed_on > self.sold_on:
            errors["listed_on"] = _("挂牌日期晚于成交日期。")
        if errors:
            raise ValidationError(errors)


class SpaceKind(models.TextChoices):
    FACTORY = "factory", _("标准厂房")
    INCUBATOR = "incubator", _("孵化器")
    MICRO_PARK = "micro_park", _("小微企业园")


class SpaceQuerySet(ZoneQuerySet):
    def refresh_free(self, today=None):
        """Work out again the free m² of these spaces where a lease began or ended since it was
        last worked out: a term runs out without anyone saving anything. After the first call of
        a day it costs two small queries."""
        today = today or timezone.localdate()
        due = self.filter(models.Q(free_as_of__isnull=True) | models.Q(free_as_of__lt=today))
        changed = due.filter(
            models.Q(free_as_of__isnull=True)
            | models.Q(leases__start_on__gt=models.F("free_as_of"), leases__start_on__lte=today)
            | models.Q(leases__end_on__gte=models.F("free_as_of"), leases__end_on__lt=today))
        for space in Space.objects.filter(pk__in=list(changed.values_list("pk", flat=True).distinct())):
            space.refresh_free(today)
        due.update(free_as_of=today)


@track
class Space(ZoneScopedModel):
    """Ready-to-use space (标准厂房/孵化器/小微园) where a project can start without new land."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=SpaceKind.choices, default=SpaceKind.FACTORY)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("层数"), default=1,
                                              validators=[MinValueValidator(1, message=_("至少 1 层。")),
                                                          MaxValueValidator(200, message=_("超出合理范围。"))])
    total_m2 = models.DecimalField(_("总面积（㎡）"), max_digits=12, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0.01"), message=_("必须大于 0。")),
                                               MaxValueValidator(Decimal("100000000"), message=_("超出合理范围。"))])
    free_m2 = models.DecimalField(_("空置面积（㎡）"), max_digits=12, decimal_places=2, default=0, editable=False)
    free_as_of = models.DateField(_("空置面积核算日期"), null=True, blank=True, editable=False)
    rent = models.DecimalField(_("租金（元/㎡/月）"), max_digits=10, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0, message=_("不能为负数。")),
                                           MaxValueValidator(Decimal("100000"), message=_("超出合理范围。"))])
    operator = models.CharField(_("运营主体"), max_length=200, blank=True)
    parcel = models.ForeignKey("registry.Parcel", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="spaces", verbose_name=_("所在地块"))

    objects = SpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("标准厂房")
        verbose_name_plural = _("标准厂房")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["zone", "name"], name="unique_space_name_per_zone",
                                               violation_error_message=_("本开发区已有同名的厂房/园区。"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("land:space_detail", args=[self.pk])

    def lease_rows(self, exclude_pk=None):
        qs = self.leases.all()
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        return list(qs.values_list("area_m2", "start_on", "end_on"))

    def clean(self):
        super().clean()
        if self.parcel_id and self.zone_id and self.parcel.zone_id != self.zone_id:
            raise ValidationError({"parcel": _("所选地块不属于该开发区。")})
        if self.pk and self.total_m2:
            peak = engine.peak_use(self.lease_rows(), timezone.localdate(), None)
            if peak > self.total_m2:
                raise ValidationError({"total_m2": _("总面积小于已出租面积 %(n)s ㎡。") % {"n": peak}})

    def refresh_free(self, today=None):
        today = today or timezone.localdate()
        used = engine.in_use(self.lease_rows(), today) if self.pk else Decimal(0)
        self.free_m2 = max(Decimal(self.total_m2) - used, Decimal(0))
        self.free_as_of = today
        Space.objects.filter(pk=self.pk).update(free_m2=self.free_m2, free_as_of=today)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.refresh_free()

    @property
    def occupancy_pct(self):
        if not self.total_m2:
            return None
        return round(100 * float(self.total_m2 - self.free_m2) / float(self.total_m2), 1)


@track
class SpaceLease(ZoneScopedModel):
    """A project or enterprise taking m² of a space from one date to another (先租后供)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="leases", verbose_name=_("厂房/园区"))
    project = models.ForeignKey("projects.Project", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="space_leases", verbose_name=_("招商项目"))
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="space_leases", verbose_name=_("企业"))
    area_m2 = models.DecimalField(_("租用面积（㎡）"), max_digits=12, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0.01"), message=_("必须大于 0。")),
                                              MaxValueValidator(Decimal("100000000"), message=_("超出合理范围。"))])
    start_on = models.DateField(_("起租日期"))
    end_on = models.DateField(_("到期日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("厂房租用")
        verbose_name_plural = _("厂房租用")
        ordering = ["-start_on", "-id"]

    def __str__(self):
        return f"{self.space} {self.tenant_label} {format(Decimal(self.area_m2).normalize(), 'f')}㎡"

    def get_absolute_url(self):
        return reverse("land:spacelease_detail", args=[self.pk])

    @property
    def tenant_label(self):
        if self.project_id:
            return self.project.name
        return self.enterprise.name if self.enterprise_id else ""

    def clean(self):
        super().clean()
        errors = {}
        if not self.project_id and not self.enterprise_id:
            errors["project"] = _("请选择招商项目或企业。")
        for name in ("space", "project", "enterprise"):
            obj = getattr(self, name) if getattr(self, f"{name}_id") else None
            if obj is not None and self.zone_id and obj.zone_id != self.zone_id:
                errors[name] = _("所选对象不属于该开发区。")
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = _("到期日期早于起租日期。")
        if not errors and self.space_id and self.area_m2 and self.start_on:
            self.check_room()
        if errors:
            raise ValidationError(errors)

    def check_room(self):
        """Refuse a lease that would take more than the space has free on some day of its term."""
        space = self.space
        peak = engine.peak_use(space.lease_rows(exclude_pk=self.pk), self.start_on, self.end_on)
        free = space.total_m2 - peak
        if self.area_m2 > free:
            raise ValidationError({"area_m2": _("%(s)s 在租期内最多只有 %(f)s ㎡ 空置，不能租用 %(a)s ㎡。") % {
                "s": space.name, "f": max(free, 0), "a": self.area_m2}})

    def save(self, *args, **kwargs):
        from django.db import transaction

        with transaction.atomic():
            # Lock the space so two leases saved at once cannot both take the last free m².
            Space.objects.select_for_update().filter(pk=self.space_id).first()
            self.check_room()
            super().save(*args, **kwargs)
            self.space.refresh_free()

    def delete(self, *args, **kwargs):
        space = self.space
        result = super().delete(*args, **kwargs)
        space.refresh_free()
        return result
