import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .changelog import track
from .scoping import ZoneQuerySet


class ZoneLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    OTHER = "other", _("其他")


@track
class Zone(models.Model):
    """A development zone (开发区) and its management committee's scope."""

    zone_lookup = "id"

    code = models.SlugField(_("代码"), max_length=32, unique=True,
                            help_text=_("英文字母、数字或连字符，如 luqiao"))
    name = models.CharField(_("名称"), max_length=100, unique=True)
    level = models.CharField(_("级别"), max_length=16, choices=ZoneLevel.choices, default=ZoneLevel.PROVINCIAL)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True,
                                   help_text=_("GB/T 2260 县级代码，如 331004"))
    approved_area_ha = models.DecimalField(_("核准面积（公顷）"), max_digits=12, decimal_places=2,
                                           null=True, blank=True)
    leading_industries = models.CharField(_("主导产业"), max_length=300, blank=True, help_text=_("用顿号分隔"))
    featured_industries = models.CharField(_("特色产业"), max_length=300, blank=True)
    future_industries = models.CharField(_("未来产业"), max_length=300, blank=True)
    # Bumped on every change of the zone's data; keys the cached dashboard figures.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("开发区")
        verbose_name_plural = _("开发区")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def zone_id(self):
        return self.id

    def get_absolute_url(self):
        return reverse("core:zone_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # data_version is only ever bumped in the database (Zone.touch); an edit of the zone's
        # own fields must not write back the stale value it loaded.
        if self.pk and not kwargs.get("update_fields") and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [f.attname for f in self._meta.concrete_fields
                                       if not f.primary_key and f.attname != "data_version"]
        super().save(*args, **kwargs)

    @staticmethod
    def touch(zone_ids):
        """Mark the zones' data as changed (invalidates cached figures)."""
        ids = {z for z in zone_ids if z is not None}
        if ids:
            Zone.objects.filter(pk__in=ids).update(data_version=models.F("data_version") + 1)


@track
class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("开发区管理员")
        STAFF = "staff", _("工作人员（读写）")
        VIEWER = "viewer", _("只读")
        PROVINCE = "province", _("省/市只读（全部开发区）")
        # Portal roles: no access to the zone's registry pages; each feature shows them only
        # what is theirs (see scoping.portal_enterprise_ids and zone_ids_for(user, "department")).
        DEPARTMENT = "department", _("部门用户")
        ENTERPRISE = "enterprise", _("企业用户")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("用户"))
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships",
                             verbose_name=_("开发区"), help_text=_("省/市只读角色不选开发区"))
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="user_memberships", verbose_name=_("所属企业"),
                                   help_text=_("企业用户须绑定本开发区的一家企业"))

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员角色")
        verbose_name_plural = _("成员角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "zone"], name="unique_membership_per_zone"),
            models.CheckConstraint(
                condition=(models.Q(role="province", zone__isnull=True) | (~models.Q(role="province") & models.Q(zone__isnull=False))),
                name="province_role_has_no_zone",
            ),
            models.CheckConstraint(
                condition=(models.Q(role="enterprise", enterprise__isnull=False)
                           | (~models.Q(role="enterprise") & models.Q(enterprise__isnull=True))),
                name="enterprise_role_has_enterprise",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.zone or '全部开发区'} · {self.get_role_display()}"

    def get_absolute_url(self):
        return reverse("core:membership_detail", args=[self.pk])


class ZoneScopedModel(models.Model):
    """Base for every record that belongs to one zone."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, verbose_name=_("开发区"))
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        abstract = True


class ImportBatch(ZoneScopedModel):
    """One uploaded file and what its import did; rows it wrote point back to it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待校验")
        VALIDATING = "validating", _("校验中")
        VALIDATED = "validated", _("已校验，待确认")
        COMMITTING = "committing", _("写入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("数据类型"), max_length=32)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, verbose_name=_("导入人"))
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件哈希（SHA-256）"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    valid_only = models.BooleanField(_("仅导入有效行"), default=False)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    rejected_count = models.PositiveIntegerField(_("拒绝"), default=0)
    notices = models.JSONField(_("提示"), default=list, blank=True)
    message = models.TextField(_("结果说明"), blank=True)
    validated_at = models.DateTimeField(_("校验时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created"]

    def __str__(self):
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self):
        return reverse("core:importbatch_detail", args=[self.pk])

    @property
    def progress_percent(self):
        if not self.total_rows:
            return 0 if self.status in (self.Status.PENDING, self.Status.VALIDATING) else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self):
        return self.status in (self.Status.PENDING, self.Status.VALIDATING, self.Status.COMMITTING)


class ObjectChange(models.Model):
    """The change history: one row per create/update/delete or named business action."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             verbose_name=_("用户"))
    user_name = models.CharField(_("用户名"), max_length=150, blank=True)
    request_id = models.UUIDField(_("请求编号"), null=True, blank=True, db_index=True)
    action = models.CharField(_("操作"), max_length=32)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    # SET_NULL: deleting a zone keeps its history (then visible to superusers only).
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("开发区"))
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                                     verbose_name=_("导入批次"))
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.action_label} {self.object_repr}"

    def get_absolute_url(self):
        return reverse("core:objectchange_detail", args=[self.pk])

    ACTION_LABELS = {"create": "新建", "update": "修改", "delete": "删除", "import": "导入"}

    @property
    def action_label(self):
        return self.ACTION_LABELS.get(self.action, self.action)

    def changed_fields(self):
        """[(field label, before, after)] for the fields whose values differ."""
        before, after = self.before or {}, self.after or {}
        model = self.content_type.model_class()
        fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")} if model else {}

        def shown(name, value):
            if isinstance(value, (list, dict)):  # many-to-many values (ids) are not choices
                return value
            choices = dict(getattr(fields.get(name), "choices", None) or ())
            return choices.get(value, value)

        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(getattr(fields.get(k), "verbose_name", k), shown(k, before.get(k)), shown(k, after.get(k)))
                for k in keys if before.get(k) != after.get(k)]


def new_request_id():
    return uuid.uuid4()
