from django.urls import path

from .features import for_app

app_name = "core"


def feature_urls(app_label):
    """list/add/detail/edit/delete URLs for every feature registered by `app_label`."""
    from .views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

    defaults = {"list": ObjectListView, "detail": ObjectDetailView, "edit": ObjectEditView,
                "delete": ObjectDeleteView}
    patterns = []
    for f in for_app(app_label):
        v = {**defaults, **f.views}
        patterns += [
            path(f"{f.slug}/", v["list"].as_view(feature=f), name=f"{f.name}_list"),
            path(f"{f.slug}/<int:pk>/", v["detail"].as_view(feature=f), name=f"{f.name}_detail"),
        ]
        if f.form is not None:
            patterns += [
                path(f"{f.slug}/add/", v["edit"].as_view(feature=f), name=f"{f.name}_add"),
                path(f"{f.slug}/<int:pk>/edit/", v["edit"].as_view(feature=f), name=f"{f.name}_edit"),
                path(f"{f.slug}/<int:pk>/delete/", v["delete"].as_view(feature=f), name=f"{f.name}_delete"),
            ]
    return patterns


urlpatterns = feature_urls("core")
