from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Zone
from .scoping import CHANGE


class ZoneScopedForm(forms.ModelForm):
    """A form for a zone-scoped model: the zone is one the user may write to, and every related
    zone-scoped object must belong to the same zone."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "zone" in self.fields:
            zones = Zone.objects.restrict(user, CHANGE)
            self.fields["zone"].queryset = zones
            if not self.instance.pk and zones.count() == 1:
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
        for name, value in cleaned.items():
            other_zone = getattr(value, "zone_id", None)
            if name != "zone" and other_zone is not None and other_zone != zone.pk:
                self.add_error(name, _("所选对象不属于该开发区。"))
        return cleaned


