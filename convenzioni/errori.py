"""The refusals of the conventions' procedures: each a domain error whose text is the Italian message for the
person who tried (``inps_portal.errori.ErroreDominio``)."""

from __future__ import annotations

from inps_portal.errori import ErroreDominio


class ConvenzioneNonAmmessa(ErroreDominio):
    """The action is not allowed on the convention in its current state, or its data do not hold."""


class DatiNonValidi(ConvenzioneNonAmmessa):
    """The data of a convention or of a figure do not hold; ``errori`` maps each field to its messages (for forms)."""

    def __init__(self, errori: dict[str, list[str]]) -> None:
        self.errori = errori
        super().__init__(" ".join(m for messaggi in errori.values() for m in messaggi))


class NonAutorizzato(ConvenzioneNonAmmessa):
    """The person may not do this on this convention. Views answer 404: the convention is not theirs."""


class VersioneInUso(ConvenzioneNonAmmessa):
    """A version of the Convenzione quadro already used by a convention cannot change."""


class FirmaNonValida(ConvenzioneNonAmmessa):
    """The signed document was refused; the message says which check failed."""


class AutenticazioneNonRecente(ConvenzioneNonAmmessa):
    """The INPS signature needs an authentication of the signer made just before."""


class FirmaNonRiuscita(ConvenzioneNonAmmessa):
    """The signature could not be applied (no certificate configured, the remote service refused or is down)."""
