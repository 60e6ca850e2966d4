"""Generic list/detail/edit/delete views, driven by a registered Feature."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from . import export
from .models import ObjectChange
from .scoping import CHANGE, VIEW, can, may_create

MAX_EXPORT_ROWS = 200_000


class FeatureView(LoginRequiredMixin, View):
    feature = None  # set by as_view(feature=...)

    def base_context(self, **extra):
        return {"feature": self.feature, "model_name": self.feature.verbose_name, **extra}

    def can_write(self):
        """May the user create records of this feature (in at least one zone)?"""
        return may_create(self.request.user, self.feature.model, self.feature.write_action)

    def can_delete(self, obj):
        zone_like = getattr(self.feature.model, "zone_lookup", "zone_id") == "id"
        return (self.feature.form is not None and can(self.request.user, _zone_id(obj), self.feature.write_action)
                and (not zone_like or self.can_write()))

    def forbidden(self, message):
        return render(self.request, "core/forbidden.html", self.base_context(
            message=message, back_url=self.feature.url("list"),
            back_label=_("返回%(name)s列表") % {"name": self.feature.verbose_name}), status=403)

    def get_object(self, action=VIEW):
        if action == CHANGE:
            action = self.feature.write_action
        qs = self.feature.base_queryset(self.request.user, action)
        return get_object_or_404(qs, pk=self.kwargs["pk"])


class ObjectListView(FeatureView):
    template_name = "core/object_list.html"

    def visible_columns(self):
        key = f"cols:{self.feature.key}"
        requested = self.request.GET.get("cols")
        if requested is not None:
            cols = [c for c in requested.split(",") if c]
            self.request.session[key] = cols
            return cols
        return self.request.session.get(key)

    def get(self, request, **kwargs):
        feature = self.feature
        qs = feature.base_queryset(request.user)
        filterset = feature.filterset(request.GET or None, queryset=qs, request=request)
        if filterset.is_bound and not filterset.is_valid():
            objects = qs.none()
        else:
            objects = filterset.qs
        table = feature.table(objects, visible=self.visible_columns(), request=request)
        fmt = request.GET.get("export")
        if fmt in ("xlsx", "csv"):
            return self.export(table, objects, fmt)
        RequestConfig(request, paginate={"per_page": _per_page(request)}).configure(table)
        return render(request, self.template_name, self.base_context(
            table=table, filterset=filterset, can_write=self.can_write() and feature.form is not None,
            columns=table.available_columns(), visible=table.visible_names,
        ))

    def export(self, table, objects, fmt):
        RequestConfig(self.request, paginate=False).configure(table)
        if objects.count() > MAX_EXPORT_ROWS:
            messages.error(self.request, _("导出行数超过 %(n)s 行，请先筛选。") % {"n": f"{MAX_EXPORT_ROWS:,}"})
            return redirect(self.request.path)
        values = table.as_values()
        headers = next(values)
        return export.response(fmt, headers, values, str(self.feature.model._meta.verbose_name_plural))


def _per_page(request):
    try:
        return max(10, min(200, int(request.GET.get("per_page", 50))))
    except ValueError:
        return 50


class ObjectDetailView(FeatureView):
    template_name = "core/object_detail.html"

    def get(self, request, **kwargs):
        return self.page(self.get_object())

    def overview_context(self, obj, **extra):
        """More for the overview tab (a feature's sections, forms shown again with their errors)."""
        return {}

    def page(self, obj, status=200, **extra):
        request = self.request
        tabs = [("overview", _("概况"))] + [(t.slug, t.label) for t in self.feature.tabs] + [("history", _("变更记录"))]
        active = request.GET.get("tab", "overview")
        if active not in dict(tabs):
            active = "overview"
        context = self.base_context(object=obj, tabs=tabs, active_tab=active,
                                    can_edit=self.feature.form is not None
                                    and can(request.user, _zone_id(obj), self.feature.write_action),
                                    can_delete=self.can_delete(obj))
        if isinstance(obj, ObjectChange):
            with_labelled_fields([obj])  # a change record's own diff tab shows `object.rows`
        if active == "overview":
            context["fields"] = overview_fields(obj, self.feature.detail_fields)
            context.update(self.overview_context(obj, **extra))
        elif active == "history":
            context["changes"] = with_labelled_fields(object_history(obj)[:200])
            context["tab_template"] = "core/history_tab.html"
        else:
            tab = next(t for t in self.feature.tabs if t.slug == active)
            context["tab_template"] = tab.template
            if tab.context:
                context.update(tab.context(request, obj))
        return render(request, self.template_name, context, status=status)


def overview_fields(obj, names=()):
    """[(label, value, url)] for the overview tab: `names` in order, or every editable field."""
    by_name = {f.name: f for f in obj._meta.fields + obj._meta.many_to_many}
    chosen = [by_name[n] for n in names] if names else [
        f for f in by_name.values() if f.editable and f.name not in ("id", "geometry")]
    rows = []
    for f in chosen:
        if f.many_to_many:
            value = "、".join(str(o) for o in getattr(obj, f.name).all())
        elif f.choices:
            value = getattr(obj, f"get_{f.name}_display")()
        else:
            value = getattr(obj, f.name)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else None
        rows.append((f.verbose_name, "—" if value in (None, "") else value, url))
    return rows


def object_history(obj):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(obj.__class__)
    return ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("content_type")


def _zone_id(obj):
    return obj.pk if getattr(obj, "zone_lookup", "zone_id") == "id" else obj.zone_id


def with_labelled_fields(changes):
    """Give each change `rows`: [(field label, before, after)] as shown in the history tab
    (labels and choice names from ObjectChange.changed_fields; 是/否 for booleans; the names of
    many-to-many reference records such as cultivation pools, one query per related model)."""
    from django.contrib.contenttypes.models import ContentType

    changes = list(changes)
    wanted = {}  # related model -> ids to name
    for change in changes:
        model = ContentType.objects.get_for_id(change.content_type_id).model_class()
        before, after = change.before or {}, change.after or {}
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        change.m2m_models = {}
        for key in keys:
            field = _m2m_field(model, key)
            if field is not None:
                change.m2m_models[key] = field.related_model
                wanted.setdefault(field.related_model, set()).update(
                    map(str, (before.get(key) or []) + (after.get(key) or [])))
        change.changed_keys = keys
    names = {m: {str(pk): str(o) for pk, o in m._base_manager.in_bulk(list(ids)).items()} for m, ids in wanted.items()}
    for change in changes:
        rows = []
        # changed_fields() lists the differing keys in this same order.
        for key, (label, before, after) in zip(change.changed_keys, change.changed_fields()):
            related = names.get(change.m2m_models.get(key))
            if related is not None:
                before, after = ([related.get(str(v), v) for v in (x or [])] for x in (before, after))
            rows.append((label, _shown(before), _shown(after)))
        change.rows = rows
    return changes


def _m2m_field(model, name):
    """The many-to-many field `name` of `model` when it points at reference data (not zone data)."""
    field = next((f for f in model._meta.many_to_many if f.name == name), None) if model is not None else None
    if field is None or hasattr(field.related_model.objects, "restrict"):
        return None
    return field


def _shown(value):
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value


class ObjectEditView(FeatureView):
    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if self.feature.form is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_instance(self):
        if "pk" in self.kwargs:
            return self.get_object(CHANGE)
        if not self.can_write():
            return None
        return self.feature.model()

    def get(self, request, **kwargs):
        instance = self.get_instance()
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        form = self.feature.form(instance=instance, user=request.user)
        return render(request, self.template_name, self.base_context(form=form, object=instance))

    def cannot_create_message(self):
        if getattr(self.feature.model, "zone_lookup", "zone_id") == "id":
            return _("只有系统管理员可以新建%(model)s。") % {"model": self.feature.verbose_name}
        return _("您没有在任何开发区新建%(model)s的权限。") % {"model": self.feature.verbose_name}

    def post(self, request, **kwargs):
        instance = self.get_instance()
        if instance is None:
            return self.forbidden(self.cannot_create_message())
        form = self.feature.form(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            with transaction.atomic():
                obj = form.save()
            messages.success(request, _("已保存：%(obj)s") % {"obj": obj})
            return redirect(obj.get_absolute_url())
        messages.error(request, _("保存失败，请按提示修改后重试。"))
        return render(request, self.template_name, self.base_context(form=form, object=instance), status=400)


class ObjectDeleteView(FeatureView):
    template_name = "core/object_delete.html"

    def get_deletable(self):
        obj = self.get_object(CHANGE)
        return obj if self.can_delete(obj) else None

    def get(self, request, **kwargs):
        obj = self.get_deletable()
        if obj is None:
            return self.forbidden(_("只有系统管理员可以删除%(model)s。") % {"model": self.feature.verbose_name})
        return render(request, self.template_name, self.base_context(object=obj))

    def post(self, request, **kwargs):
        obj = self.get_deletable()
        if obj is None:
            return self.forbidden(_("只有系统管理员可以删除%(model)s。") % {"model": self.feature.verbose_name})
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as e:
            related = list(getattr(e, "protected_objects", None) or getattr(e, "restricted_objects", ()))
            names = "、".join(str(o) for o in related[:5]) + ("等" if len(related) > 5 else "")
            messages.error(request, _("无法删除“%(obj)s”：仍有 %(n)s 条关联数据（%(names)s），请先处理这些数据。") % {
                "obj": obj, "n": len(related), "names": names})
            return redirect(obj.get_absolute_url())
        messages.success(request, _("已删除：%(obj)s") % {"obj": obj})
        return redirect(self.feature.url("list"))


class DetailSectionMixin(LoginRequiredMixin):
    """Actions on one section of a record's detail page (a plan's measures, a case's milestones).
    The record must be writable by the user; an htmx request gets its section re-rendered, a plain
    one goes back to the page, or to the page with the form's errors (status 400)."""

    zone_model = None         # the record's model (tests/core/test_isolation.py reads it too)
    detail_view = None        # its ObjectDetailView subclass
    section_templates = {}    # section → the template an htmx request gets
    related = ("zone",)

    def sections_context(self, obj, **forms_):
        raise NotImplementedError

    def writable(self, pk):
        return get_object_or_404(self.zone_model.objects.restrict(self.request.user, CHANGE)
                                 .select_related(*self.related), pk=pk)

    def section(self, obj, which, status=200, **forms_):
        if self.request.htmx and which in self.section_templates:
            return render(self.request, self.section_templates[which], self.sections_context(obj, **forms_),
                          status=status)
        if status != 200:
            from .features import for_model

            view = self.detail_view(feature=for_model(self.zone_model), request=self.request, kwargs={"pk": obj.pk})
            messages.error(self.request, _("保存失败，请按提示修改后重试。"))
            return view.page(obj, status=status, **forms_)
        return redirect(obj.get_absolute_url() + f"#{which}")

