from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core import geo
from zoneops.core.api.serializers import ZoneScopedSerializer
from zoneops.core.models import Membership

from ..models import Enterprise, EnterpriseYear, IndustryCode, Parcel
from ..codes import clean_uscc
from ..validators import validate_uscc


class EnterpriseSerializer(ZoneScopedSerializer):
    uscc = serializers.CharField(max_length=30, validators=[validate_uscc])
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=IndustryCode.objects.filter(level="class"), required=False, allow_null=True,
        error_messages={"does_not_exist": _("没有这个国民经济行业小类代码（GB/T 4754-2017）：{value}。"),
                        "invalid": _("行业代码应为 4 位小类代码。")})

    class Meta:
        model = Enterprise
        fields = ["id", "zone", "uscc", "name", "former_names", "industry", "industry_section", "industry_division",
                  "scale", "is_high_tech", "is_listed", "has_rd_center", "is_specialized", "status", "address",
                  "established", "account_officer", "pools", "created", "updated"]
        read_only_fields = ["industry_section", "industry_division", "created", "updated"]

    def get_fields(self):
        from ..forms import _zone_users

        fields = super().get_fields()
        request = self.context.get("request")
        if "account_officer" in fields and request is not None:
            # Only colleagues of the user's zones can be chosen (and are listed by the browsable API).
            fields["account_officer"].queryset = _zone_users(request.user)
        return fields

    def validate_uscc(self, value):
        return clean_uscc(value)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        officer = attrs.get("account_officer")
        zone = attrs.get("zone") or getattr(self.instance, "zone", None)
        if officer is not None and zone is not None and not officer.is_superuser and not Membership.objects.filter(
                user=officer, zone=zone).exists():
            raise serializers.ValidationError({"account_officer": _("服务专员必须是本开发区的工作人员。")})
        return attrs


class ParcelSerializer(ZoneScopedSerializer):
    class Meta:
        model = Parcel
        fields = ["id", "zone", "code", "name", "area_mu", "land_use", "holder", "tenure", "floor_area_ratio",
                  "status", "address", "geometry", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate_status(self, value):
        # As in the form: set when the parcel is registered, then moved by the land lifecycle.
        if self.instance is not None and value != self.instance.status:
            raise serializers.ValidationError(_("地块状态须通过土地流转变更（/api/parcel-transitions/）。"))
        return value

    def validate_geometry(self, value):
        """A GeoJSON Polygon / MultiPolygon (the boundary import's rules), stored clean."""
        if value is None:
            return None
        try:
            return geo.validate(value)[0]
        except geo.GeoError as e:
            raise serializers.ValidationError(e.message) from None


class EnterpriseYearSerializer(ZoneScopedSerializer):
    class Meta:
        model = EnterpriseYear
        fields = ["id", "zone", "enterprise", "year", "revenue", "tax", "value_added", "energy_tce", "emissions_t",
                  "employees", "rd_expense", "power_mwh", "land_mu", "land_note", "source", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        land_mu = attrs.get("land_mu", getattr(self.instance, "land_mu", None))
        note = attrs.get("land_note", getattr(self.instance, "land_note", ""))
        if land_mu is not None and not note:
            raise serializers.ValidationError({"land_note": _("人工认定用地面积时请写明依据。")})
        return attrs
