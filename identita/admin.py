"""allauth's social-account models stay out of the back office: the gateway's clients are configured in the settings
(``SOCIALACCOUNT_PROVIDERS``), no token is stored, and the link of an identity to a person is their codice fiscale,
made again at every login."""

from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin

for modello in (SocialApp, SocialToken, SocialAccount):
    if admin.site.is_registered(modello):
        admin.site.unregister(modello)
