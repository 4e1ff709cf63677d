"""A local OpenID Connect identity provider, for development and tests only.

It plays the identity gateway that speaks to the SPID and CIE federations: a separate Django project (its own
settings, its own SQLite database) built on django-allauth's provider, ``allauth.idp.oidc``. It imports nothing of
the portal. Start it with ``python -m idp_locale --porta 8001 --portale http://127.0.0.1:8000``.
"""
