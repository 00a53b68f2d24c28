from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from wanghua.core.api import api
from wanghua.core.rules import PUBLIC, access

admin.site.site_header = "望花区数字治理平台 · 系统管理"
admin.site.site_title = "望花区数字治理平台"

urlpatterns = [
    path("", include("wanghua.dashboard.urls")),
    path("", include("wanghua.core.urls")),
    path("org/", include("wanghua.org.urls")),
    path("services/", include("wanghua.stations.urls")),
    path("industry/", include("wanghua.industry.urls")),
    path("", include("wanghua.lab.urls")),  # /lab/..., the public /verify/<token>/, old /industry/lab/... redirects
    path("projects/", include("wanghua.projects.urls")),
    path("civic/", include("wanghua.civic.urls")),
    path("culture/", include("wanghua.culture.urls")),
    path("open311/v2/", include("wanghua.civic.open311_urls")),
    path("i18n/setlang/", access(PUBLIC)(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "wanghua.core.views.bad_request"
handler403 = "wanghua.core.views.permission_denied"
handler404 = "wanghua.core.views.page_not_found"
handler500 = "wanghua.core.views.server_error"
