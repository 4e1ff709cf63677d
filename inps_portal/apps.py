from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class InpsPortalConfig(AppConfig):
    name = "inps_portal"
    verbose_name = "Infrastruttura del portale"
    # The back-office groups' model permissions on this app, by role (see accounts.roles.PERMESSI_DEI_RUOLI): central
    # staff watch the PEC channel (messages, receipts) and sort what arrives in INPS's mailboxes and matches no request.
    permessi_dei_ruoli = {
        "personale_direzione_centrale": (
            "inps_portal.view_messaggiopec",
            "inps_portal.view_ricevutapec",
            "inps_portal.view_pecinarrivo",
            "inps_portal.view_allegatopecinarrivo",
        ),
    }


class PortaleAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the portal's own site (inps_portal.admin_site)."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "inps_portal.admin_site.PortaleAdminSite"
