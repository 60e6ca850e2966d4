"""Core features: zones, the change log, import batches."""
import django_filters
import django_tables2 as tables
from django import forms
from django.utils.translation import gettext_lazy as _

from .api.serializers import ZoneSerializer
from .features import Feature, Tab, register
from .filtersets import ZoneFilterSet
from .forms import ZoneScopedForm
from .importing.views import BatchView
from .models import ImportBatch, Membership, ObjectChange, Zone, ZoneLevel
from .tables import ZoneTable, record_link


class ZoneListTable(ZoneTable):
    name = tables.Column(linkify=record_link)
    default_columns = ("code", "name", "level", "region_code", "approved_area_ha", "leading_industries")

    class Meta(ZoneTable.Meta):
        model = Zone
        fields = ("code", "name", "level", "region_code", "approved_area_ha", "leading_industries",
                  "featured_industries", "future_industries")


class ZoneListFilterSet(ZoneFilterSet):
    search_fields = ("name__icontains", "code__icontains")
    level = django_filters.ChoiceFilter(choices=ZoneLevel.choices, label=_("级别"))

    class Meta:
        model = Zone
        fields = ["q", "level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.filters["zone"]


class ZoneForm(ZoneScopedForm):
    class Meta:
        model = Zone
        fields = ["code", "name", "level", "region_code", "approved_area_ha", "leading_industries",
                  "featured_industries", "future_industries"]

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip()
        if code and (len(code) != 6 or not code.isdigit()):
            raise forms.ValidationError(_("行政区划代码应为 6 位数字。"))
        return code


class ChangeTable(ZoneTable):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", linkify=record_link)
    object_repr = tables.Column(verbose_name=_("对象"))
    action = tables.Column(verbose_name=_("操作"))
    content_type = tables.Column(verbose_name=_("对象类型"))
    default_columns = ("time", "user_name", "action", "content_type", "object_repr", "zone")

    class Meta(ZoneTable.Meta):
        model = ObjectChange
        fields = ("time", "user_name", "action", "content_type", "object_repr", "zone", "request_id",
                  "import_batch")

    def render_action(self, record):
        return record.action_label

    def render_content_type(self, value):
        return value.model_class()._meta.verbose_name if value.model_class() else value


class ChangeFilterSet(ZoneFilterSet):
    search_fields = ("object_repr__icontains", "user_name__icontains")
    action = django_filters.CharFilter(label=_("操作"))
    time_after = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("起始日期"))
    time_before = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = ObjectChange
        fields = ["q", "zone", "action", "import_batch"]


class ImportBatchTable(ZoneTable):
    id = tables.Column(verbose_name=_("批次"), linkify=record_link)
    default_columns = ("id", "created", "zone", "kind", "file_name", "user", "status", "total_rows",
                       "created_count", "updated_count", "unchanged_count", "rejected_count")

    class Meta(ZoneTable.Meta):
        model = ImportBatch
        fields = ("id", "created", "zone", "kind", "file_name", "user", "status", "total_rows", "created_count",
                  "updated_count", "unchanged_count", "rejected_count", "file_sha256")


class ImportBatchFilterSet(ZoneFilterSet):
    search_fields = ("file_name__icontains",)

    class Meta:
        model = ImportBatch
        fields = ["q", "zone", "kind", "status"]


register(Feature(model=Zone, slug="zones", table=ZoneListTable, filterset=ZoneListFilterSet, form=ZoneForm,
                 serializer=ZoneSerializer, write_action="admin"))
register(Feature(model=ObjectChange, slug="changes", table=ChangeTable, filterset=ChangeFilterSet,
                 select_related=("zone", "content_type", "user"),
                 tabs=[Tab("diff", _("变更内容"), "core/change_diff_tab.html")],
                 detail_fields=("time", "user_name", "request_id", "action", "content_type", "object_id",
                                "object_repr", "zone", "import_batch")))
register(Feature(model=ImportBatch, slug="batches", table=ImportBatchTable, filterset=ImportBatchFilterSet,
                 select_related=("zone", "user"), views={"detail": BatchView}))


class MembershipTable(ZoneTable):
    user = tables.Column(verbose_name=_("用户"), linkify=record_link)
    full_name = tables.Column(accessor="user__first_name", verbose_name=_("姓名"))
    default_columns = ("user", "full_name", "zone", "role", "enterprise")

    class Meta(ZoneTable.Meta):
        model = Membership
        fields = ("user", "full_name", "zone", "role", "enterprise")


class MembershipFilterSet(ZoneFilterSet):
    search_fields = ("user__username__icontains", "user__first_name__icontains")
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices, label=_("角色"))

    class Meta:
        model = Membership
        fields = ["q", "zone", "role"]


class MembershipForm(ZoneScopedForm):
    """A zone admin adds a colleague: an existing account by user name, or a new one with a
    starting password."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    password = forms.CharField(label=_("初始密码"), required=False, widget=forms.PasswordInput,
                               help_text=_("仅在新建账户时需要，至少 8 位"))
    enterprise_uscc = forms.CharField(label=_("所属企业（统一社会信用代码）"), required=False, max_length=30,
                                      help_text=_("仅企业用户：该账户只能看到这家企业的信息"))

    class Meta:
        model = Membership
        fields = ["zone", "username", "full_name", "password", "role", "enterprise_uscc"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].required = True
        self.fields["zone"].queryset = Zone.objects.restrict(self.user, "admin")
        self.fields["role"].choices = [c for c in Membership.Role.choices if c[0] != Membership.Role.PROVINCE]
        if self.instance.enterprise_id and not self.is_bound:
            self.initial["enterprise_uscc"] = self.instance.enterprise.uscc
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.username
            self.fields["username"].disabled = True
            self.fields["full_name"].initial = self.instance.user.first_name
            self.fields["full_name"].disabled = True

    def clean(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        self._clean_enterprise(cleaned)
        if self.instance.pk:
            self.instance_user = self.instance.user
            return cleaned
        name = (cleaned.get("username") or "").strip()
        self.instance_user = get_user_model().objects.filter(username=name).first()
        if self.instance_user is None and name:
            password = cleaned.get("password") or ""
            if not password:
                self.add_error("password", _("新账户需要设置初始密码。"))
            else:
                try:
                    validate_password(password)
                except forms.ValidationError as e:
                    self.add_error("password", e)
        zone = cleaned.get("zone")
        if self.instance_user is not None and zone is not None and Membership.objects.filter(
                user=self.instance_user, zone=zone).exists():
            self.add_error("username", _("该用户已是本开发区成员。"))
        return cleaned

    def _clean_enterprise(self, cleaned):
        """An enterprise user is bound to one firm of the membership's zone, by its USCC."""
        from zoneops.registry.codes import clean_uscc
        from zoneops.registry.models import Enterprise

        raw = (cleaned.get("enterprise_uscc") or "").strip()
        if cleaned.get("role") != Membership.Role.ENTERPRISE:
            if raw:
                self.add_error("enterprise_uscc", _("只有企业用户需要绑定企业，请清空此项或将角色改为企业用户。"))
            self.instance.enterprise = None
            return
        if not raw:
            self.add_error("enterprise_uscc", _("企业用户须填写所属企业的统一社会信用代码。"))
            return
        try:
            code = clean_uscc(raw)
        except ValueError as e:
            self.add_error("enterprise_uscc", str(e))
            return
        zone = cleaned.get("zone")
        found = Enterprise.objects.restrict(self.user).filter(zone=zone, uscc=code).first() if zone else None
        if found is None:
            self.add_error("enterprise_uscc", _("本开发区没有统一社会信用代码为 %(code)s 的企业。") % {"code": code})
        else:
            self.instance.enterprise = found

    def save(self, commit=True):
        from django.contrib.auth import get_user_model

        user = self.instance_user
        if user is None:
            # Only a new account takes the name given here: an existing one may belong to other
            # zones whose admins this admin does not speak for.
            user = get_user_model().objects.create_user(self.cleaned_data["username"].strip(),
                                                        password=self.cleaned_data["password"],
                                                        first_name=self.cleaned_data.get("full_name", ""))
        self.instance.user = user
        return super().save(commit)


register(Feature(model=Membership, slug="members", table=MembershipTable, filterset=MembershipFilterSet,
                 form=MembershipForm, write_action="admin", select_related=("user", "zone", "enterprise")))
