"""The refusals of the PUE's procedures, each an Italian message for the person who tried."""

from __future__ import annotations

from inps_portal.errori import ErroreDominio


class DesignazioneNonAmmessa(ErroreDominio):
    """The designation, its decision or its revocation is not allowed now, or its data do not hold."""


class DatiDesignazioneNonValidi(DesignazioneNonAmmessa):
    """``errori`` maps each field to its messages (for forms)."""

    def __init__(self, errori: dict[str, list[str]]) -> None:
        self.errori = errori
        super().__init__(" ".join(m for messaggi in errori.values() for m in messaggi))


class NonAutorizzato(DesignazioneNonAmmessa):
    """The person may not act on this designation: views answer 404."""
