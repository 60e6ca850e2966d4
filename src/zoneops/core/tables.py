import html

import django_tables2 as tables
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import capfirst
from django_tables2.utils import Accessor


def export_text(value):
    if isinstance(value, SafeData):
        # HTML a column rendered (e.g. many-to-many names joined): the text, unescaped.
        value = html.unescape(strip_tags(value))
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
        """[(name, label)] for the column chooser, labelled as the table header labels them."""
        return [(name, cls.column_label(name, col)) for name, col in cls.base_columns.items()]

    @classmethod
    def column_label(cls, name, column):
        if column.verbose_name:
            return column.verbose_name
        model = getattr(cls._meta, "model", None)
        field = Accessor(column.accessor or name).get_field(model) if model is not None else None
        return capfirst(field.verbose_name) if field is not None else name

    def choose(self, visible):
        names = list(self.base_columns)
        chosen = [n for n in (visible or ()) if n in names]
        return chosen or [n for n in (self.default_columns or names) if n in names]
