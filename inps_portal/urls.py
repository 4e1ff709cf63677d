from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from inps_portal import bench_views, views

# The back office is inps_portal.admin_site.PortaleAdminSite: behind the portal's login, 404 for what is not yours.

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilita/", views.accessibilita, name="accessibilita"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("account/", include("accounts.urls_accesso")),
    # allauth's social-account pages are not the portal's: an identity is linked by its fiscal number at each login
    # (no page to remove or add one), nobody signs up, a failed login gets identita's own page.
    path("account/3rdparty/", include([path("", views.non_previsto), path("<path:resto>", views.non_previsto)])),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("abilitazioni.urls")),
    path("", include("convenzioni.urls")),
    path("", include("pue.urls")),
    path("", include("identita.urls_accesso")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns += [
        path("bench/plain", bench_views.plain),
        path("bench/table", bench_views.table),
    ]

handler400 = "inps_portal.views.bad_request"
handler403 = "inps_portal.views.permission_denied"
handler404 = "inps_portal.views.page_not_found"
handler500 = "inps_portal.views.server_error"
