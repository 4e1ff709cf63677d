"""The web meeting of a booking (Messaggio 4461/2023, "Gestione sportelli"): who may enter it, when, and where.

Each booking has its own room on the provider (Jitsi Meet), named after the booking's unguessable ``stanza``. The
portal's join page is the only way in: it checks the person and the time, logs the access, and sends the browser to
the provider. With a self-hosted provider that requires tokens (``PUE_INCONTRI_JWT_SEGRETO`` set), the link carries
a short-lived token signed HS256 with the claims Jitsi's prosody token authentication checks; the INPS operator
enters as moderator, the Comune's operator as a participant. The link opens ``PUE_INCONTRI_ANTICIPO_MINUTI`` before
the meeting and closes at its end.

Jitsi lowercases room names (they are XMPP node names): the room is lowercased here so that the address and the
token's ``room`` claim name the same room. Lowercasing the 32 random characters of ``stanza`` still leaves well over
128 bits.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from django.conf import settings
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di
from inps_portal import clock
from inps_portal.errori import ErroreDominio
from pue.disponibilita import ROMA
from pue.models import Prenotazione

Stato = Prenotazione.Stato

PREFISSO_STANZA = "inps-pue-"
AUDIENCE = "jitsi"
ALGORITMO = "HS256"
# A moved meeting may be moved again: the join page follows the chain, never forever.
_MASSIMO_SPOSTAMENTI = 20


class TokenRifiutato(ErroreDominio):
    """A meeting token that the provider would refuse: expired, not yet valid, for another room, or not ours."""


class Partecipante(enum.Enum):
    """How a person takes part in the meeting: the INPS operator leads it, the Comune's operator attends."""

    OPERATORE_INPS = "operatore_inps"
    OPERATORE_COMUNE = "operatore_comune"

    @property
    def moderatore(self) -> bool:
        return self is Partecipante.OPERATORE_INPS


def nome_stanza(prenotazione: Prenotazione) -> str:
    """The room's name on the provider."""
    return f"{PREFISSO_STANZA}{prenotazione.stanza}".lower()


def _ora(istante: dt.datetime) -> str:
    return f"{istante.astimezone(ROMA):%H:%M} del {istante.astimezone(ROMA):%d/%m/%Y}"


# --- Who may enter -------------------------------------------------------------------------------------------------


def prenotazioni_con_incontro_di(user: User) -> QuerySet[Prenotazione]:
    """The bookings whose meeting ``user`` may enter, whatever their state: an enabled operator of the booking's
    Comune (any of them, as for the other services of the Comune's bookings) or an INPS operator of the sportello's
    Struttura. Anything else is not theirs (a 404)."""
    return Prenotazione.objects.filter(
        comune__in=organizzazioni_di(user, Ruolo.OPERATORE_COMUNE).values("pk")
    ) | Prenotazione.objects.filter(
        sportello__struttura__in=organizzazioni_di(user, Ruolo.OPERATORE_SPORTELLO).values("pk")
    )


def partecipante(user: User, prenotazione: Prenotazione) -> Partecipante | None:
    """How ``user`` takes part in the booking's meeting, or ``None`` if they do not. Someone who holds both roles
    enters as the Comune's operator: the stricter gate (a strong session) applies to them."""
    if organizzazioni_di(user, Ruolo.OPERATORE_COMUNE).filter(pk=prenotazione.comune_id).exists():
        return Partecipante.OPERATORE_COMUNE
    if organizzazioni_di(user, Ruolo.OPERATORE_SPORTELLO).filter(pk=prenotazione.sportello.struttura_id).exists():
        return Partecipante.OPERATORE_INPS
    return None


# --- When ----------------------------------------------------------------------------------------------------------


class Esito(enum.Enum):
    APERTO = "aperto"
    NON_ANCORA = "non_ancora"  # the meeting will open: come back later
    CHIUSO = "chiuso"  # the meeting will never open again (cancelled, moved, ended, a hold never confirmed)


@dataclass(frozen=True)
class Ingresso:
    """Whether the meeting can be entered now; if not, why (in Italian), and for a moved meeting the booking that
    replaced it (the last of the chain) and when it opens."""

    esito: Esito
    motivo: str = ""
    apre_il: dt.datetime | None = None
    nuova: Prenotazione | None = None

    @property
    def aperto(self) -> bool:
        return self.esito is Esito.APERTO


def apertura(prenotazione: Prenotazione) -> dt.datetime:
    """When the join link opens: ``PUE_INCONTRI_ANTICIPO_MINUTI`` before the meeting."""
    return prenotazione.inizio - dt.timedelta(minutes=int(settings.PUE_INCONTRI_ANTICIPO_MINUTI))


def _sostituta(prenotazione: Prenotazione) -> Prenotazione | None:
    nuova = prenotazione.sostituita_da
    for _ in range(_MASSIMO_SPOSTAMENTI):
        if nuova is None or nuova.sostituita_da_id is None:
            break
        nuova = nuova.sostituita_da
    return nuova


def ingresso(prenotazione: Prenotazione) -> Ingresso:
    """Whether the meeting can be entered now: a confirmed booking (or one already marked ``svolta`` while its time
    lasts, so that the INPS operator can go back in) from its opening until its end."""
    adesso = clock.now()
    if prenotazione.stato == Stato.ANNULLATA:
        if prenotazione.sostituita_da_id is not None:
            nuova = _sostituta(prenotazione)
            quando = f" alle {_ora(nuova.inizio)}" if nuova is not None else ""
            return Ingresso(
                Esito.CHIUSO,
                f"L'incontro è stato spostato ad altro orario{quando}: questo collegamento non è più valido.",
                nuova=nuova,
            )
        return Ingresso(Esito.CHIUSO, "L'incontro è stato annullato.")
    if prenotazione.trattenuta_viva:
        return Ingresso(
            Esito.NON_ANCORA, "La prenotazione non è ancora confermata: l'incontro si potrà aprire dopo la conferma."
        )
    if prenotazione.stato in (Stato.TRATTENUTA, Stato.SCADUTA):
        return Ingresso(Esito.CHIUSO, "La prenotazione non è stata completata: l'incontro non è fissato.")
    if prenotazione.stato == Stato.NON_PRESENTATO:
        return Ingresso(Esito.CHIUSO, "L'incontro si è concluso: il cittadino è risultato non presentato.")
    if adesso >= prenotazione.fine:
        return Ingresso(Esito.CHIUSO, f"L'incontro si è concluso alle {_ora(prenotazione.fine)}.")
    if adesso < apertura(prenotazione):
        return Ingresso(
            Esito.NON_ANCORA,
            f"L'incontro si apre alle {_ora(apertura(prenotazione))}.",
            apre_il=apertura(prenotazione),
        )
    return Ingresso(Esito.APERTO)


# --- Where ---------------------------------------------------------------------------------------------------------


def _host_del_provider() -> str:
    return urlsplit(str(settings.PUE_INCONTRI_URL)).hostname or ""


def token_crea(prenotazione: Prenotazione, *, nome: str, ruolo: Partecipante) -> str:
    """A token for the booking's room, valid ``PUE_INCONTRI_TOKEN_SECONDI`` from now: the claims of Jitsi's token
    authentication (prosody ``token`` and its moderator affiliation): ``aud`` "jitsi", ``iss`` the application id,
    ``sub`` the provider's domain, ``room`` the room's name, ``context.user`` who enters."""
    adesso = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "aud": AUDIENCE,
        "iss": str(settings.PUE_INCONTRI_JWT_APP_ID),
        "sub": _host_del_provider(),
        "room": nome_stanza(prenotazione),
        "iat": adesso,
        "nbf": adesso,
        "exp": adesso + int(settings.PUE_INCONTRI_TOKEN_SECONDI),
        "context": {"user": {"name": nome, "moderator": ruolo.moderatore}},
    }
    return jwt.encode(claims, str(settings.PUE_INCONTRI_JWT_SEGRETO), algorithm=ALGORITMO)


def token_verifica(token: str, *, stanza: str | None = None) -> dict[str, Any]:
    """The claims of a meeting token, checked as the provider checks them, on the portal's clock: signature, audience,
    issuer, domain, room (if ``stanza``, a room name, is given), and its time (expired or not yet valid: refused).
    Raises ``TokenRifiutato``."""
    segreto = str(settings.PUE_INCONTRI_JWT_SEGRETO)
    if not segreto:
        raise TokenRifiutato("Il fornitore dei web meeting non usa token: nessun token è valido.")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            segreto,
            algorithms=[ALGORITMO],
            audience=AUDIENCE,
            issuer=str(settings.PUE_INCONTRI_JWT_APP_ID),
            # PyJWT reads the wall clock; the portal's time is clock.now(), checked below.
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "require": ["exp", "nbf", "iat", "room", "sub", "aud", "iss"],
            },
        )
        adesso = clock.now().timestamp()
        if adesso >= float(claims["exp"]):
            raise jwt.ExpiredSignatureError("Signature has expired")
        if adesso < float(claims["nbf"]):
            raise jwt.ImmatureSignatureError("The token is not yet valid (nbf)")
    except jwt.ExpiredSignatureError as errore:
        raise TokenRifiutato("Il token del web meeting è scaduto.") from errore
    except jwt.InvalidTokenError as errore:
        raise TokenRifiutato("Il token del web meeting non è valido.") from errore
    if claims["sub"] != _host_del_provider():
        raise TokenRifiutato("Il token del web meeting è per un altro fornitore.")
    if stanza is not None and claims["room"] != stanza.lower():
        raise TokenRifiutato("Il token del web meeting è per un'altra stanza.")
    return claims


def url_incontro(prenotazione: Prenotazione, *, nome: str = "", ruolo: Partecipante | None = None) -> str:
    """The provider's address of the booking's room; with token authentication configured, with a token for the
    person (``nome``, ``ruolo``) that expires in ``PUE_INCONTRI_TOKEN_SECONDI``. Without a ``ruolo`` no token is
    added: the address alone names the room."""
    url = f"{str(settings.PUE_INCONTRI_URL).rstrip('/')}/{nome_stanza(prenotazione)}"
    if settings.PUE_INCONTRI_JWT_SEGRETO and ruolo is not None:
        url = f"{url}?{urlencode({'jwt': token_crea(prenotazione, nome=nome, ruolo=ruolo)})}"
    return url


def nome_visualizzato(user: User, ruolo: Partecipante, prenotazione: Prenotazione) -> str:
    """The name shown in the meeting: the person and whom they are there for (no citizen's data)."""
    persona = f"{user.nome} {user.cognome}".strip() or "Operatore"
    if ruolo is Partecipante.OPERATORE_INPS:
        return f"{persona} (INPS)"
    return f"{persona} (Comune di {prenotazione.comune.nome})"
