import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


def export_text(value):
    if value is True or value == "True":
        return "是"
    if value is False or value == "False":
        return "否"
    return "" if value in (None, "None", "—") else value


def record_link(record):
    return record.get_absolute_url()


class ZoneTable(tables.Table):
    """Base table: the user picks columns from `Meta.fields`; `default_columns` are shown first.

    Export writes exactly the visible columns (see views.ObjectListView)."""

    default_columns = ()

    class Meta:
        attrs = {"class": "table table-sm table-hover table-striped align-middle"}
        per_page = 50

    def __init__(self, *args, visible=None, **kwargs):
        self.visible_names = self.choose(visible)
        kwargs["exclude"] = [n for n in self.base_columns if n not in self.visible_names]
        kwargs["sequence"] = self.visible_names
        super().__init__(*args, **kwargs)

    def as_values(self, exclude_columns=None):
        """Rows for export: booleans as 是/否, empty cells empty (the HTML shows ✔/✘ and —)."""
        for i, row in enumerate(super().as_values(exclude_columns)):
            yield row if i == 0 else [export_text(v) for v in row]

    @classmethod
    def available_columns(cls):
        return [(name, col.verbose_name or name) for name, col in cls.base_columns.items()]

    def choose(self, visible):
        names = list(self.base_columns)
        chosen = [n for n in (visible or ()) if n in names]
        return chosen or [n for n in (self.default_columns or names) if n in names]
