from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import UniqueConstraint
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from ..models import Zone
from ..scoping import CHANGE, VIEW, can

NOT_WRITABLE_ZONE = _("没有编号为 {pk_value} 的开发区，或您没有该开发区的写入权限。")
NOT_VISIBLE = _("没有编号为 {pk_value} 的记录，或它不在您可查看的开发区。")


class ZoneScopedSerializer(serializers.ModelSerializer):
    """The zone must be one the user may write to; related zone-scoped objects must share it.

    - the `zone` field offers only the zones the user may write to; every other related field
      (foreign key or many-to-many) of a zone-scoped model only the records of the user's zones,
      and a record outside them is reported as not existing;
    - a record cannot be moved to another zone;
    - model validators keep their Chinese messages; a breach of a per-zone unique constraint is
      reported on its field (e.g. `uscc`), as the forms do."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = request.user if request else None
        for name, field in fields.items():
            relation = getattr(field, "child_relation", field)
            qs = getattr(relation, "queryset", None)
            if qs is None or not hasattr(qs, "restrict"):
                continue
            if name == "zone":
                relation.queryset = qs.restrict(user, CHANGE)
                relation.error_messages["does_not_exist"] = NOT_WRITABLE_ZONE
            else:
                relation.queryset = qs.restrict(user, VIEW)
                relation.error_messages["does_not_exist"] = NOT_VISIBLE
        return fields

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        # DRF turns Min/MaxValueValidator into min_value/max_value with its own wording.
        for validator in model_field.validators:
            for cls, key in ((MinValueValidator, "min_value"), (MaxValueValidator, "max_value")):
                if isinstance(validator, cls) and key in kwargs:
                    kwargs.setdefault("error_messages", {})[key] = validator.message
        return field_class, kwargs

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(self._unique_errors_on_fields(exc)) from None

    def _unique_errors_on_fields(self, exc):
        """Move a per-zone unique constraint's message from non_field_errors to its field."""
        key = api_settings.NON_FIELD_ERRORS_KEY
        detail = dict(serializers.as_serializer_error(exc))
        if key not in detail:
            return detail
        for constraint in self.Meta.model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            message = str(constraint.get_violation_error_message())
            target = [f for f in constraint.fields if f != "zone" and f in self.fields]
            if target and message in [str(m) for m in detail.get(key, ())]:
                detail[key] = [m for m in detail[key] if str(m) != message]
                detail.setdefault(target[-1], []).append(message)
                if not detail[key]:
                    del detail[key]
        return detail

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = self.context["request"].user
        zone = attrs.get("zone") or getattr(self.instance, "zone", None)
        if self.instance is not None and "zone" in attrs and attrs["zone"].pk != self.instance.zone_id:
            raise serializers.ValidationError({"zone": _("已登记的记录不能移到其他开发区。")})
        if zone is not None and not can(user, zone.pk, CHANGE):
            raise serializers.ValidationError({"zone": _("您没有该开发区的写入权限。")})
        for name, value in attrs.items():
            if name == "zone" or zone is None:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            if any(getattr(v, "zone_id", zone.pk) not in (None, zone.pk) for v in values):
                raise serializers.ValidationError({name: _("所选对象不属于该开发区。")})
        return attrs


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "code", "name", "level", "region_code", "approved_area_ha", "leading_industries",
                  "featured_industries", "future_industries"]

    def validate_region_code(self, value):
        code = (value or "").strip()
        if code and (len(code) != 6 or not code.isdigit()):
            raise serializers.ValidationError(_("行政区划代码应为 6 位数字。"))
        return code
