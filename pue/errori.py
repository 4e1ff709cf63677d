"""The refusals of the PUE's procedures, each an Italian message for the person who tried."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inps_portal.errori import ErroreDominio

if TYPE_CHECKING:
    from pue.disponibilita import Slot


class DesignazioneNonAmmessa(ErroreDominio):
    """The designation, its decision or its revocation is not allowed now, or its data do not hold."""


class DatiDesignazioneNonValidi(DesignazioneNonAmmessa):
    """``errori`` maps each field to its messages (for forms)."""

    def __init__(self, errori: dict[str, list[str]]) -> None:
        self.errori = errori
        super().__init__(" ".join(m for messaggi in errori.values() for m in messaggi))


class NonAutorizzato(DesignazioneNonAmmessa):
    """The person may not act on this designation: views answer 404."""


class PrenotazioneNonAmmessa(ErroreDominio):
    """The booking is not allowed (no active convention, an operator not enabled, a slot that does not exist)."""


class SlotOccupato(PrenotazioneNonAmmessa):
    """Someone else took the slot first; ``alternative`` are the next free slots of the same sportello."""

    def __init__(self, alternative: list[Slot]) -> None:
        self.alternative = alternative
        super().__init__(
            "L'orario scelto è stato appena prenotato da un altro operatore: scelga uno degli orari liberi."
        )
