"""The demo's PUE conventions (Messaggio 4461/2023), signed with the demonstration PKI (``convenzioni.pki_demo``).

- The Comune di Rende (ISTAT 078102) has an active convention: its Sindaco signed the generated PDF (PAdES, in the
  field "FirmaComune", as the Comune's own signing software would), Sara Bruno uploaded it, and Antonio Romano,
  Direttore regionale della Calabria, signed for INPS through the portal.
- The Comune di Cosenza (078045), the second Comune of his territory in the demo, has one signed by its Sindaco and
  waiting for his signature: log in as Antonio Romano and sign it from its page.

Idempotent: a Comune that already has a convention (whatever became of it during a demo) is left as it is. The
legal representatives are fictitious people; every address is on ``example.it``.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from accounts.models import Comune, User
from convenzioni import firma, pki_demo, selectors, services
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, Convenzione
from inps_portal import clock

logger = logging.getLogger(__name__)

DIRETTORE = "RMNNTN65D30H224E"  # Antonio Romano, Direttore regionale della Calabria (DR-18)
REFERENTE_INPS = "GRCLCU92H27D086D"  # Luca Greco
REFERENTE_RENDE = "BRNSRA80C43A944C"  # Sara Bruno
AMMINISTRATORE_RENDE = "RCCMRC75E05H235F"  # Marco Ricci
RENDE, COSENZA = "078102", "078045"
SEDE_COSENZA = "BNCLRA85L42C352P"  # Laura Bianchi, Sede territoriale di Cosenza: competent for Rende
# Rende's PUE operators: Anna Marino (enabled), Chiara Conti (waiting for the Sede); both in the local identity
# provider.
OPERATORI_RENDE = (("MRNNNA88A58H235M", "Anna", "Marino"), ("CNTCHR90A41D086R", "Chiara", "Conti"))
SINDACI = {
    RENDE: pki_demo.Persona("FRRGNN62D12H235F", "Giovanni", "Ferraro"),
    COSENZA: pki_demo.Persona("CRSFNC68P43D086V", "Franca", "Caruso"),
}
# Cosenza's Referente and Amministratore utenze have no account in the demo: fictitious codici fiscali.
FIGURE_COSENZA = ("VNTGLI79H55D086N", "MRTPLA71C10D086Q")


def demo_convenzioni() -> None:
    """The two conventions of the demo, if they are not there yet."""
    ca = pki_demo.cartella() / pki_demo.CA_CERTIFICATO
    for persona in (*SINDACI.values(), _persona(User.objects.get(codice_fiscale=DIRETTORE))):
        pki_demo.certificato(persona)
    if not _ca_attendibile(ca.read_bytes()):
        logger.warning(
            "convenzioni dimostrative non create: la CA dimostrativa non è tra le radici attendibili",
            extra={"ca": str(ca)},
        )
        return
    direttore = User.objects.get(codice_fiscale=DIRETTORE)
    referente_inps = User.objects.get(codice_fiscale=REFERENTE_INPS)
    rende = _firmata_dal_comune(RENDE, User.objects.get(codice_fiscale=REFERENTE_RENDE))
    if rende is not None:
        services.convenzione_firma_inps(chi=direttore, convenzione_id=rende.pk, autenticato_il=clock.now())
    _firmata_dal_comune(COSENZA, referente_inps)
    demo_operatori()


def demo_operatori() -> None:
    """Rende's PUE operators: Anna Marino designated by Marco Ricci and enabled by the Sede di Cosenza (Laura
    Bianchi); Chiara Conti designated and waiting for the Sede. Only while Rende's convention is active."""
    from accounts.models import Comune
    from pue.models import DesignazioneOperatore
    from pue.services import DatiOperatore, operatore_abilita, operatore_designa

    comune = Comune.objects.get(codice_istat=RENDE)
    if selectors.convenzione_attiva(comune) is None:
        return
    amministratore = User.objects.get(codice_fiscale=AMMINISTRATORE_RENDE)
    for (codice_fiscale, nome, cognome), abilita in zip(OPERATORI_RENDE, (True, False), strict=True):
        if DesignazioneOperatore.objects.filter(comune=comune, codice_fiscale=codice_fiscale).exists():
            continue
        designazione = operatore_designa(
            chi=amministratore,
            comune=comune,
            dati=DatiOperatore(
                codice_fiscale=codice_fiscale,
                nome=nome,
                cognome=cognome,
                email=f"{nome}.{cognome}@comune.rende.example.it".lower(),
                telefono="0984 000000",
                atto_autorizzazione="determina dirigenziale n. 12 (autorizzazione al trattamento dei dati)",
                data_atto=clock.today().replace(day=1),
            ),
        )
        if abilita:
            operatore_abilita(chi=User.objects.get(codice_fiscale=SEDE_COSENZA), designazione_id=designazione.pk)


def _persona(user: User) -> pki_demo.Persona:
    return pki_demo.Persona(user.codice_fiscale, user.nome, user.cognome)


def _ca_attendibile(pem: bytes) -> bool:
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509

    _, _, der = asn1_pem.unarmor(pem)
    impronta = x509.Certificate.load(der).sha256
    return any(radice.sha256 == impronta for radice in firma.radici_attendibili())


def _firmata_dal_comune(istat: str, chi: User) -> Convenzione | None:
    """A new convention of the Comune, signed by its Sindaco and uploaded by ``chi``; None if it has one already."""
    comune = Comune.objects.select_related("provincia").get(codice_istat=istat)
    if Convenzione.objects.filter(comune=comune).exists():
        return None
    sindaco = SINDACI[istat]
    referente, amministratore = (REFERENTE_RENDE, AMMINISTRATORE_RENDE) if istat == RENDE else FIGURE_COSENZA
    dati = dati_di_esempio(
        comune,
        legale_rappresentante_codice_fiscale=sindaco.codice_fiscale,
        legale_rappresentante_nome=sindaco.nome,
        legale_rappresentante_cognome=sindaco.cognome,
        amministratore_codice_fiscale=amministratore,
        referente_comune_codice_fiscale=referente,
        data_inizio=clock.today(),
    )
    if istat == COSENZA:  # its own people, not Rende's names
        dati = replace(
            dati,
            referente_comune=replace(dati.referente_comune, nome="Giulia", cognome="Ventura"),
            amministratore_utenze=replace(dati.amministratore_utenze, nome="Paolo", cognome="Martini"),
        )
    convenzione = services.convenzione_crea(
        chi=User.objects.get(codice_fiscale=REFERENTE_INPS), comune=comune, dati=dati
    )
    generato = bytes(selectors.documento_generato(convenzione).contenuto)
    firmato = pki_demo.firma_come(generato, sindaco.codice_fiscale, campo=CAMPO_FIRMA_COMUNE)
    return services.convenzione_firma_comune_carica(
        chi=chi, convenzione_id=convenzione.pk, contenuto=firmato, nome_file=convenzione.nome_file
    )
