from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..models import Enterprise, EnterpriseYear, IndustryCode, Parcel
from ..codes import clean_uscc
from ..validators import validate_uscc


class EnterpriseSerializer(ZoneScopedSerializer):
    uscc = serializers.CharField(max_length=30, validators=[validate_uscc])
    industry = serializers.SlugRelatedField(slug_field="code", queryset=IndustryCode.objects.filter(level="class"),
                                            required=False, allow_null=True)

    class Meta:
        model = Enterprise
        fields = ["id", "zone", "uscc", "name", "former_names", "industry", "industry_section", "industry_division",
                  "scale", "is_high_tech", "is_listed", "has_rd_center", "is_specialized", "status", "address",
                  "established", "account_officer", "pools", "created", "updated"]
        read_only_fields = ["industry_section", "industry_division", "created", "updated"]

    def validate_uscc(self, value):
        return clean_uscc(value)


class ParcelSerializer(ZoneScopedSerializer):
    class Meta:
        model = Parcel
        fields = ["id", "zone", "code", "name", "area_mu", "land_use", "holder", "tenure", "floor_area_ratio",
                  "status", "address", "geometry", "created", "updated"]
        read_only_fields = ["created", "updated"]


class EnterpriseYearSerializer(ZoneScopedSerializer):
    class Meta:
        model = EnterpriseYear
        fields = ["id", "zone", "enterprise", "year", "revenue", "tax", "value_added", "energy_tce", "emissions_t",
                  "employees", "rd_expense", "power_mwh", "land_mu", "land_note", "source", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("land_mu") is not None and not attrs.get("land_note"):
            raise serializers.ValidationError({"land_note": "人工认定用地面积时请写明依据。"})
        return attrs
