from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..models import Indicator, IndicatorValue, Target, ValueSource
from ..services import check_value


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "unit", "frequency", "accumulation", "direction", "source_department",
                  "formula", "description", "sort_order"]


class IndicatorValueSerializer(ZoneScopedSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    entered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "zone", "indicator", "indicator_code", "year", "month", "value", "source", "entered_by", "note",
                  "import_batch", "created", "updated"]
        read_only_fields = ["source", "entered_by", "import_batch", "created", "updated"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        get = lambda k: attrs.get(k, getattr(self.instance, k, None))  # noqa: E731  (a PATCH sends a part)
        ind, month, value = get("indicator"), get("month"), get("value")
        if ind is not None and month is not None:
            problem = check_value(ind, get("year"), month, value)
            if problem:
                raise serializers.ValidationError({"month" if "月份" in problem else "value": problem})
        return attrs

    def _stamp(self, validated):
        validated["source"] = ValueSource.API
        validated["entered_by"] = self.context["request"].user
        return validated

    def create(self, validated_data):
        return super().create(self._stamp(validated_data))

    def update(self, instance, validated_data):
        return super().update(instance, self._stamp(validated_data))


class TargetSerializer(ZoneScopedSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = Target
        fields = ["id", "zone", "indicator", "indicator_code", "year", "value", "note", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate_value(self, value):
        if value is not None and value <= 0:
            raise serializers.ValidationError(_("目标值必须大于 0。"))
        return value
