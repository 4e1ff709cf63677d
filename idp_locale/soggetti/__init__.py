"""The demo identities of the local IdP: seeding, claims, and the authorization endpoint's additions."""
