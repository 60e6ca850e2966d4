from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zoneops.core.api.serializers import ZoneScopedSerializer

from ..models import Acquisition, AcquisitionProgress, ParcelEvent, Sale, Space, SpaceLease


class ModelCleanMixin:
    """Run the model's clean() (the cross-field rules the forms apply) on the API too."""

    def validate(self, attrs):
        from django.core.exceptions import ValidationError

        attrs = super().validate(attrs)
        model = self.Meta.model
        values = {f.name: getattr(self.instance, f.name) for f in model._meta.concrete_fields
                  if self.instance is not None and f.name not in ("id",)}
        values.update(attrs)
        obj = model(**{k: v for k, v in values.items() if not isinstance(v, list)})
        if self.instance is not None:
            obj.pk = self.instance.pk
        try:
            obj.clean()
        except ValidationError as e:
            raise serializers.ValidationError(e.message_dict if hasattr(e, "error_dict") else e.messages) from None
        return attrs


class ParcelEventSerializer(ZoneScopedSerializer):
    parcel_code = serializers.CharField(source="parcel.code", read_only=True)

    class Meta:
        model = ParcelEvent
        fields = ["id", "zone", "parcel", "parcel_code", "kind", "from_status", "to_status", "on", "area_mu", "user",
                  "note", "details", "created"]
        read_only_fields = fields


class AcquisitionSerializer(ModelCleanMixin, ZoneScopedSerializer):
    days_to_clear = serializers.IntegerField(read_only=True)

    class Meta:
        model = Acquisition
        fields = ["id", "zone", "name", "parcel", "area_mu", "started_on", "households_total", "firms_total",
                  "households_signed", "firms_signed", "cleared_on", "days_to_clear", "note", "created", "updated"]
        read_only_fields = ["households_signed", "firms_signed", "cleared_on", "created", "updated"]


class AcquisitionProgressSerializer(ModelCleanMixin, ZoneScopedSerializer):
    class Meta:
        model = AcquisitionProgress
        fields = ["id", "zone", "acquisition", "on", "households_signed", "firms_signed", "note", "created", "updated"]
        read_only_fields = ["created", "updated"]


class SaleSerializer(ModelCleanMixin, ZoneScopedSerializer):
    unit_price = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Sale
        fields = ["id", "zone", "parcel", "event", "listed_on", "sold_on", "buyer", "buyer_name", "price_wan",
                  "area_mu", "unit_price", "created", "updated"]
        read_only_fields = ["event", "created", "updated"]


class SpaceSerializer(ModelCleanMixin, ZoneScopedSerializer):
    class Meta:
        model = Space
        fields = ["id", "zone", "name", "kind", "address", "floors", "total_m2", "free_m2", "rent", "operator",
                  "parcel", "created", "updated"]
        read_only_fields = ["free_m2", "created", "updated"]


class SpaceLeaseSerializer(ModelCleanMixin, ZoneScopedSerializer):
    class Meta:
        model = SpaceLease
        fields = ["id", "zone", "space", "project", "enterprise", "area_m2", "start_on", "end_on", "note", "created",
                  "updated"]
        read_only_fields = ["created", "updated"]


class TransitionSerializer(serializers.Serializer):
    """POST /api/parcel-transitions/: move a parcel (the same rules as the parcel page)."""

    parcel = serializers.IntegerField(help_text=_("地块 id"))
    to_status = serializers.CharField(max_length=16)
    on = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    buyer_id = serializers.IntegerField(required=False, allow_null=True)
    buyer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    price_wan = serializers.CharField(max_length=40, required=False, allow_blank=True)
    area_mu = serializers.CharField(max_length=40, required=False, allow_blank=True)
    project_id = serializers.IntegerField(required=False, allow_null=True)
    households_total = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)
    firms_total = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)
