from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import UniqueConstraint
from django.db.models.query import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Zone
from .scoping import CHANGE


class ZoneScopedForm(forms.ModelForm):
    """A form for a zone-scoped model: the zone is one the user may write to, and every related
    zone-scoped object must belong to the same zone.

    - choices of zone-scoped records (any ModelChoiceField) list only the user's zones' records;
    - an existing record stays in its zone (its related records would otherwise be left behind);
    - a breach of a per-zone unique constraint (e.g. zone + credit code) is reported on the field
      the user typed, not at the top of the form."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if isinstance(qs, QuerySet) and hasattr(qs, "restrict") and qs.model is not Zone:
                field.queryset = qs.restrict(user)
        if "zone" in self.fields:
            zones = Zone.objects.restrict(user, CHANGE)
            self.fields["zone"].queryset = zones
            if self.instance.pk:
                self.fields["zone"].disabled = True
                self.fields["zone"].queryset = Zone.objects.filter(pk=self.instance.zone_id)
                self.fields["zone"].help_text = _("已登记的记录不能移到其他开发区")
            elif zones.count() == 1:
                self.fields["zone"].initial = zones.first()
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            if isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.SelectMultiple):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or getattr(self.instance, "zone", None)
        if zone is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if name == "zone":
                continue
            values = value if isinstance(value, (QuerySet, list, tuple)) else [value]
            if any(getattr(v, "zone_id", zone.pk) not in (None, zone.pk) for v in values):
                self.add_error(name, _("所选对象不属于该开发区。"))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        for constraint in self.instance._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            target = [f for f in constraint.fields if f != "zone" and f in self.fields]
            message = str(constraint.get_violation_error_message())
            errors = self._errors.get(NON_FIELD_ERRORS)
            if not target or not errors or message not in errors:
                continue
            errors.data = [e for e in errors.data if message not in getattr(e, "messages", [str(e)])]
            if not errors.data:
                del self._errors[NON_FIELD_ERRORS]
            self.add_error(target[-1], message)


