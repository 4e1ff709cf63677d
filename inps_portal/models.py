"""Models of the portal's infrastructure (the PEC outbox lives in ``inps_portal.pec``)."""

from inps_portal.pec.models import AllegatoPEC, DestinatarioPEC, EventoPEC, MessaggioPEC, RicevutaPEC

__all__ = ["AllegatoPEC", "DestinatarioPEC", "EventoPEC", "MessaggioPEC", "RicevutaPEC"]
