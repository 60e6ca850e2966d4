from django.utils.translation import gettext as _
from rest_framework import serializers

from ..models import Zone
from ..scoping import CHANGE, can


class ZoneScopedSerializer(serializers.ModelSerializer):
    """The zone must be one the user may write to; related zone-scoped objects must share it.
    Related objects outside the user's zones are reported as not existing."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = request.user if request else None
        for name, field in fields.items():
            qs = getattr(field, "queryset", None)
            if qs is not None and hasattr(qs, "restrict"):
                field.queryset = qs.restrict(user)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = self.context["request"].user
        zone = attrs.get("zone") or getattr(self.instance, "zone", None)
        if zone is not None and not can(user, zone.pk, CHANGE):
            raise serializers.ValidationError({"zone": _("您没有该开发区的写入权限。")})
        if self.instance is not None and "zone" in attrs and attrs["zone"] != self.instance.zone:
            raise serializers.ValidationError({"zone": _("不能把记录移到其他开发区。")})
        for name, value in attrs.items():
            other = getattr(value, "zone_id", None)
            if name != "zone" and zone is not None and other is not None and other != zone.pk:
                raise serializers.ValidationError({name: _("所选对象不属于该开发区。")})
        return attrs


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "code", "name", "level", "region_code", "approved_area_ha", "leading_industries",
                  "featured_industries", "future_industries"]
