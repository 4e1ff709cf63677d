"""The unification of credentials (Circolare INPS 71/2016, sections 2 and 3): every write about PINs.

From the start date, a person with ex-Inpdap credentials gets one new PIN at the first access: case a (ex-Inpdap
credentials and no PIN) with the ex-Inpdap abilitazioni, case b (both) with the union of both sets. The step is one
transaction under a lock on the person, so two simultaneous first logins issue one PIN.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, EventoCredenziale, User
from accounts.selectors.unificazione import abilitazioni_unite, pin_tipo_spettante
from inps_portal import clock
from inps_portal.errori import ErroreDominio
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)


# 16 characters without the ones that are easy to mistake for each other when read from paper (0/O, 1/I/L).
ALFABETO_PIN = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


LUNGHEZZA_PIN = 16


class GiaUnificata(ErroreDominio):
    """The credentials were unified already: the new PIN is the only credential."""


class NienteDaUnificare(ErroreDominio):
    """The person has no ex-Inpdap credential."""


@dataclass(frozen=True)
class PinRilasciato:
    pin: PIN
    codice: str  # shown once to its holder, never stored nor sent


def genera_codice_pin() -> str:
    return "".join(secrets.choice(ALFABETO_PIN) for _ in range(LUNGHEZZA_PIN))


def normalizza_pin(digitato: str, pin: PIN | None = None) -> str:
    """The PIN as issued: people read it from paper and type it in lower case, in groups, with spaces or dashes.

    The portal's alphabet (``ALFABETO_PIN``) has capitals and digits only, so case and separators can be dropped for
    every PIN the portal issues. An imported PIN (``origine`` preesistente) came from another alphabet: only the
    spaces around and between its groups are dropped, its case is kept.
    """
    compatto = "".join(digitato.split())
    if pin is not None and pin.origine == PIN.Origine.PREESISTENTE:
        return compatto
    return compatto.replace("-", "").upper()


@transaction.atomic
def unificazione_esegui(
    *,
    user: User,
    indirizzo_ip: str | None = None,
    chi: User | None = None,
    documento: dict[str, str] | None = None,
) -> PinRilasciato:
    """Issue the new PIN that replaces the person's ex-Inpdap credentials (and old PIN, in case b).

    At a counter, ``chi`` is the Sede's staff member and ``documento`` the identity document checked.
    """
    if chi is not None and not documento:
        raise ValueError("Allo sportello va registrato il documento di identità verificato.")
    # The slow part (the PIN's hash) comes before the lock, so that the person's row is held only briefly.
    codice = genera_codice_pin()
    codice_hash = make_password(codice)
    User.objects.select_for_update().get(pk=user.pk)  # serialises simultaneous first logins of the same person
    credenziale = CredenzialeExInpdap.objects.filter(user=user).first()
    if credenziale is None:
        raise NienteDaUnificare("Nessuna credenziale ex Inpdap da unificare.")
    if credenziale.unificata_il is not None:
        raise GiaUnificata("Le credenziali sono già state unificate: usi il nuovo PIN.")
    adesso = clock.now()
    vecchio = PIN.objects.filter(user=user, status=PIN.Status.ATTIVO).first()
    tipo = pin_tipo_spettante(
        ha_pin_dispositivo=vecchio is not None and vecchio.tipo == PIN.Tipo.DISPOSITIVO,
        passweb_abilitato_dal=credenziale.passweb_abilitato_dal,
    )
    abilitazioni = abilitazioni_unite(credenziale, vecchio)
    if vecchio is not None:
        vecchio.status, vecchio.superato_il = PIN.Status.SUPERATO, adesso
        vecchio.save(update_fields=["status", "superato_il"])
    pin = PIN.objects.create(
        user=user,
        codice_hash=codice_hash,
        tipo=tipo,
        origine=PIN.Origine.UNIFICAZIONE_B if vecchio is not None else PIN.Origine.UNIFICAZIONE_A,
        creato_il=adesso,
    )
    AbilitazioneDetenuta.objects.bulk_create(
        [
            AbilitazioneDetenuta(pin=pin, ente_id=ente_id, codice=codice, nome=detenuta.nome, dal=detenuta.dal)
            for (ente_id, codice), detenuta in sorted(abilitazioni.items())
        ]
    )
    credenziale.unificata_il = adesso
    credenziale.save(update_fields=["unificata_il"])
    canale = "sportello" if chi is not None else "online"
    EventoCredenziale.objects.create(
        user=user,
        tipo=EventoCredenziale.Tipo.UNIFICAZIONE,
        indirizzo_ip=indirizzo_ip,
        eseguito_da=chi,
        quando=adesso,
        dettagli={
            "caso": "b" if vecchio else "a",
            "tipo_pin": tipo,
            "abilitazioni": len(abilitazioni),
            "passweb_abilitato_dal": credenziale.passweb_abilitato_dal.isoformat()
            if credenziale.passweb_abilitato_dal
            else None,
            "canale": canale,
            **({"documento": documento} if documento else {}),
        },
    )
    if user.email:
        pec_spedisci(
            modello="unificazione",
            destinatari=[user.email],
            riferimento=pin,
            contesto={
                "persona": user.get_full_name(),
                "quando": adesso,
                "da_dove": indirizzo_ip or "non rilevato",
                "canale": canale,
                "tipo_pin": pin.get_tipo_display(),
                "abilitazioni": len(abilitazioni),
            },
        )
    logger.info("credenziali unificate", extra={"user_id": user.pk, "caso": "b" if vecchio else "a", "tipo": tipo})
    return PinRilasciato(pin=pin, codice=codice)
