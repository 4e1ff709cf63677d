from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class InpsPortalConfig(AppConfig):
    name = "inps_portal"
    verbose_name = "Infrastruttura del portale"


class PortaleAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the portal's own site (inps_portal.admin_site)."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "inps_portal.admin_site.PortaleAdminSite"
