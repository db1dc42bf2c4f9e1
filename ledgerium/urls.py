from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core.views import healthz

# An error answers in the API's JSON shape to an API client, else as a page.
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"

# One name in the header and the browser's title alike.
admin.site.site_header = admin.site.site_title = "Ledgerium staff"

api_v1 = [
    path("", include("apps.recordings.api_urls")),
    path("", include("apps.workflows.api_urls")),
    path("", include("apps.reports.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("staff/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
    path("", include("apps.accounts.urls")),
    path("", include("apps.recordings.urls")),
    path("", include("apps.workflows.urls")),
    path("", include("apps.reports.urls")),
    path("", include("apps.sharing.urls")),
    path("", include("apps.web.urls")),
]
