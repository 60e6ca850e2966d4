from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zoneops.core import portal, views_home
from zoneops.core.api.router import api_urls

urlpatterns = [
    path("", views_home.home, name="home"),
    path("zones/<int:pk>/home/", views_home.zone_home, name="zone_home"),
    path("portal/", portal.portal, name="portal"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("core/", include("zoneops.core.urls")),
    path("imports/", include("zoneops.core.importing.urls")),
    path("registry/", include("zoneops.registry.urls")),
    path("evaluation/", include("zoneops.evaluation.urls")),
    path("improvement/", include("zoneops.improvement.urls")),
    path("chains/", include("zoneops.chains.urls")),
    path("service/", include("zoneops.service.urls")),
    path("projects/", include("zoneops.projects.urls")),
    path("land/", include("zoneops.land.urls")),
    path("redevelop/", include("zoneops.redevelop.urls")),
    path("figures/", include("zoneops.figures.urls")),
    path("rankings/", include("zoneops.rankings.urls")),
    path("peers/", include("zoneops.peers.urls")),
    path("api/", include(api_urls())),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
