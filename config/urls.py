from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from xinfang.api.urls import api

admin.site.site_header = _("Petition work platform · administration")
admin.site.site_title = _("Petition work platform")

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("xinfang.accounts.urls")),
    path("portal/", include("xinfang.web.portal.urls")),
    path("dashboard/", include("xinfang.web.dashboard.urls")),
    path("stations/", include("xinfang.web.stations.urls")),
    path("analytics/", include("xinfang.web.analytics.urls")),
    path("conferences/", include("xinfang.web.conferences.urls")),
    path("agency/", include("xinfang.web.agency.urls")),
    path("community/", include("xinfang.web.community.urls")),
    path("assessment/", include("xinfang.web.assessment.urls")),
    path("", include("xinfang.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
