"""The demo identities and the two clients of the local identity provider: one list, read by the IdP's seeding,
by the portal's README and by the tests.

Plain data, no Django: tests import it without configuring the IdP's settings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# The same password for every demo identity: they are fictitious people, and the page says so.
PASSWORD_DEMO = "Demo.Identita.2026"  # noqa: S105 - public on purpose, shown on the login page

# The secret of both clients, unless IDP_CLIENT_SECRET says otherwise.
CLIENT_SECRET_SVILUPPO = "segreto-solo-sviluppo"  # noqa: S105 - the development default

# The attribute the SPID and CIE OpenID Connect profiles use for the codice fiscale, valued ``TINIT-<CF>``.
CLAIM_CODICE_FISCALE = "https://attributes.eid.gov.it/fiscal_number"

# Fixed namespace of the subject identifiers: a ``sub`` stays the same across restarts and fresh databases.
_NAMESPACE_SUB = uuid.UUID("6f1c2a52-43a0-4b5e-9d0c-7a1d0c3f2b11")


@dataclass(frozen=True)
class IdentitaDemo:
    """A credential of the IdP: the same person may hold more than one (Anna Marino has a level 1 one too)."""

    username: str
    codice_fiscale: str
    nome: str
    cognome: str
    livello_spid: int
    descrizione: str

    @property
    def sub(self) -> str:
        """Stable per credential, as a real IdP's pairwise or public identifier."""
        return str(uuid.uuid5(_NAMESPACE_SUB, self.username))

    @property
    def email(self) -> str:
        # The addresses of the portal's demo people, on a domain that cannot receive mail.
        return f"{self.nome}.{self.cognome}@example.it".lower()

    @property
    def fiscal_number(self) -> str:
        return f"TINIT-{self.codice_fiscale}"


IDENTITA: tuple[IdentitaDemo, ...] = (
    IdentitaDemo("marco.ricci", "RCCMRC75E05H235F", "Marco", "Ricci", 2, "Amministratore utenze del Comune di Rende"),
    IdentitaDemo("anna.marino", "MRNNNA88A58H235M", "Anna", "Marino", 2, "Operatore del Comune di Rende"),
    IdentitaDemo(
        "anna.marino.l1", "MRNNNA88A58H235M", "Anna", "Marino", 1, "Anna Marino con una credenziale di livello 1"
    ),
    IdentitaDemo("antonio.romano", "RMNNTN65D30H224E", "Antonio", "Romano", 3, "Direttore regionale della Calabria"),
    IdentitaDemo("sara.bruno", "BRNSRA80C43A944C", "Sara", "Bruno", 3, "Referente del Comune (CIE)"),
    # Born on 1 January 1990 in Cosenza (D086): computed with python-codicefiscale.
    IdentitaDemo("chiara.conti", "CNTCHR90A41D086R", "Chiara", "Conti", 2, "Persona con SPID di livello 2"),
    # Born on 1 January 1975 in Roma (H501), unknown to the portal.
    IdentitaDemo("sconosciuto", "NREGUO75A01H501V", "Ugo", "Neri", 2, "Persona che il portale non conosce"),
)


@dataclass(frozen=True)
class ClientDemo:
    """An OpenID Connect client of the IdP: the portal, once per federation."""

    client_id: str
    nome: str
    percorso_callback: str

    def redirect_uri(self, portale: str) -> str:
        return f"{portale.rstrip('/')}{self.percorso_callback}"


CLIENT: tuple[ClientDemo, ...] = (
    ClientDemo("portale-spid", "Portale INPS (SPID)", "/account/identita/spid/login/callback/"),
    ClientDemo("portale-cie", "Portale INPS (CIE)", "/account/identita/cie/login/callback/"),
)


def identita_per_username(username: str) -> IdentitaDemo | None:
    return next((identita for identita in IDENTITA if identita.username == username), None)


def identita_per_sub(sub: str) -> IdentitaDemo | None:
    return next((identita for identita in IDENTITA if identita.sub == sub), None)
