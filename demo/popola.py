"""The demo population: one person for every role of the portal, on real territory.

Every codice fiscale is a well-formed code of a fictitious person; every PEC address is on ``example.it``, a
domain that cannot receive mail, so no demo ever writes to a real office.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from abilitazioni.models import Abilitazione, RichiestaAbilitazioni
from abilitazioni.moduli import modulo_compilato_pdf
from abilitazioni.services import modulo_carica, oggetto_della_pec, richiesta_crea
from accounts.models import Comune, Ente, Struttura, Team, User
from accounts.roles import Ruolo
from accounts.selectors.unificazione import PASSWEB
from accounts.services.registro import registro_carica
from accounts.services.ruoli import ruolo_assegna, team_assegna

DEMO_PASSWORD = "Portale.Demo.2026"  # noqa: S105 - published in the README on purpose, DEBUG only
# The PIN of the demo Ente operator: the only key to the Area riservata (no password exists for him).
PIN_DEMO_MARIO = "MARRSSDEMPN23456"


@dataclass(frozen=True)
class PersonaDemo:
    codice_fiscale: str
    nome: str
    cognome: str
    ruolo: Ruolo | None
    organizzazione: str  # "ente:<cf>", "comune:<istat>", "struttura:<codice>", or "" for the superuser


ENTI_DEMO = [
    # (codice fiscale, nome, codice ISTAT del Comune)
    ("98000000012", "Azienda sanitaria dimostrativa di Cosenza", "078045"),
    ("98000000020", "Istituto scolastico dimostrativo di Rende", "078102"),
    ("98000000038", "Consorzio dimostrativo di Bologna", "037006"),
]

PERSONE_DEMO = [
    PersonaDemo("RSSMRA78C15D086Z", "Mario", "Rossi", Ruolo.OPERATORE_ENTE, "ente:98000000012"),
    PersonaDemo("BNCLRA85L42C352P", "Laura", "Bianchi", Ruolo.PERSONALE_SEDE, "struttura:ST-CS"),
    PersonaDemo("SPSGPP70S21F839M", "Giuseppe", "Esposito", Ruolo.PERSONALE_DIREZIONE_REGIONALE, "struttura:DR-18"),
    PersonaDemo("FRRGLI82P49H501V", "Giulia", "Ferrari", Ruolo.PERSONALE_DIREZIONE_CENTRALE, "struttura:DC-CW"),
    # Decides the PassWeb requests (allegato 4): the portal gives them to the Direzione centrale Posizione Assicurativa.
    PersonaDemo("LMBDVD77M08H501J", "Davide", "Lombardi", Ruolo.PERSONALE_DIREZIONE_CENTRALE, "struttura:DC-PA"),
    PersonaDemo("RMNNTN65D30H224E", "Antonio", "Romano", Ruolo.DIRETTORE, "struttura:DR-18"),
    PersonaDemo("CLMFNC90T52F205Z", "Francesca", "Colombo", Ruolo.OPERATORE_SPORTELLO, "struttura:ST-CS"),
    PersonaDemo("GRCLCU92H27D086D", "Luca", "Greco", Ruolo.REFERENTE_INPS, "struttura:DR-18"),
    PersonaDemo("RCCMRC75E05H235F", "Marco", "Ricci", Ruolo.AMMINISTRATORE_UTENZE, "comune:078102"),
    PersonaDemo("MRNNNA88A58H235M", "Anna", "Marino", Ruolo.OPERATORE_COMUNE, "comune:078102"),
    PersonaDemo("BRNSRA80C43A944C", "Sara", "Bruno", Ruolo.REFERENTE_COMUNE, "comune:078102"),
    PersonaDemo("GLLPLA68M14L219I", "Paolo", "Gallo", None, ""),
]


def _organizzazione(ref: str) -> Ente | Comune | Struttura:
    kind, key = ref.split(":", 1)
    if kind == "ente":
        return Ente.objects.get(codice_fiscale=key)
    if kind == "comune":
        return Comune.objects.get(codice_istat=key)
    return Struttura.objects.get(codice=key)


@transaction.atomic
def demo_popola(*, ripristina: bool = False) -> list[PersonaDemo]:
    """Create (or bring back to their documented state) the demo Enti and people. Idempotent.

    With ``ripristina`` the two operators with ex-Inpdap credentials lose what a demo gave them (the unified PIN, its
    conversions and requests) and get their old credentials back, so that the unification can be tried again."""
    if not Comune.objects.exists():
        registro_carica()
    for codice_fiscale, nome, istat in ENTI_DEMO:
        Ente.objects.update_or_create(
            codice_fiscale=codice_fiscale,
            defaults={
                "nome": nome,
                "comune": Comune.objects.get(codice_istat=istat),
                "pec": f"protocollo.{codice_fiscale}@pec.example.it",
                "attivo": True,
            },
        )
    for persona in PERSONE_DEMO:
        # The people of the Circolare 71/2016 (Ente operators) have no password: only their PIN.
        password = None if persona.ruolo == Ruolo.OPERATORE_ENTE else DEMO_PASSWORD
        user = User.objects.filter(codice_fiscale=persona.codice_fiscale).first()
        if user is None:
            user = User.objects.create_user(
                persona.codice_fiscale,
                password,
                nome=persona.nome,
                cognome=persona.cognome,
                email=f"{persona.nome}.{persona.cognome}@example.it".lower(),
            )
        else:
            user.set_password(password)
            user.is_active = True
            user.save()
        if persona.ruolo is None:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
            continue
        if persona.ruolo == Ruolo.OPERATORE_COMUNE:
            continue  # designated by the Amministratore utenze and enabled by the Sede: demo.convenzioni
        ruolo_assegna(user=user, ruolo=persona.ruolo, organizzazione=_organizzazione(persona.organizzazione))
    # Giuseppe Esposito decides the demo's allegato 3 request: allegato 3 goes to the Direzione regionale's team.
    team_assegna(
        user=User.objects.get(codice_fiscale="SPSGPP70S21F839M"),
        team=Team.objects.get(struttura__codice="DR-18", codice=Team.CREDITO_WELFARE),
    )
    _credenziali_demo(ripristina=ripristina)
    # The Ente operator acts for two Enti, to show the choice between them.
    mario = User.objects.get(codice_fiscale="RSSMRA78C15D086Z")
    ruolo_assegna(user=mario, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=Ente.objects.get(codice_fiscale="98000000020"))
    _richieste_demo(mario)
    from demo.convenzioni import demo_convenzioni  # the PUE conventions of Rende and Cosenza

    demo_convenzioni()
    from demo.sportelli import demo_sportelli  # Gestione sportelli: the Sede's sportello and Rende's bookings

    demo_sportelli()
    return PERSONE_DEMO


# Mario Rossi's requests for abilitazioni, one per office, so that every queue of the demo has something to decide: by
# the catalogue's keys (``Abilitazione.codice``), which a rename in the back office does not change.
RICHIESTE_DEMO = ["visualizzazione-note-di-debito-ente", "domanda-valore-pa", "soggiorni-senior"]


def _richieste_demo(mario: User) -> None:
    """A dispositivo PIN for Mario Rossi (``PIN_DEMO_MARIO``), one request per allegato 2, 3, 5 whose signed modulo
    has arrived (so every office's queue has something to decide), and a PassWeb request waiting for the Ente's PEC."""
    from django.contrib.auth.hashers import check_password, make_password

    from accounts.models import PIN

    attivo = PIN.objects.filter(user=mario, status=PIN.Status.ATTIVO).first()
    if attivo is None:
        PIN.objects.create(
            user=mario,
            codice_hash=make_password(PIN_DEMO_MARIO),
            tipo=PIN.Tipo.DISPOSITIVO,
            origine=PIN.Origine.SPORTELLO,
        )
    elif not check_password(PIN_DEMO_MARIO, attivo.codice_hash):
        attivo.codice_hash = make_password(PIN_DEMO_MARIO)
        attivo.save(update_fields=["codice_hash"])
    if RichiestaAbilitazioni.objects.filter(user=mario).exists():
        return  # already there, perhaps decided during a demo: left as it is
    ente = Ente.objects.get(codice_fiscale="98000000012")
    richiesta = richiesta_crea(user=mario, ente=ente, aggiungi=Abilitazione.objects.filter(codice__in=RICHIESTE_DEMO))
    for instradata in richiesta.instradate.select_related("richiesta__ente"):
        _modulo_demo(instradata, mario)
    # PassWeb, asked and waiting for the Ente's PEC: the operator's page says what the Ente sends, and where.
    richiesta_crea(user=mario, ente=ente, aggiungi=Abilitazione.objects.filter(codice=PASSWEB))


def _modulo_demo(instradata: Any, mario: User) -> None:
    """The signed modulo of a demo request arrives as the circolare has it: uploaded by the operator (allegati 2 and
    3), or with the Ente's PEC (5), registered as if the mailbox reading had found it: nothing is sent anywhere."""
    from email.message import EmailMessage
    from email.utils import make_msgid

    from django.core.files.uploadedfile import SimpleUploadedFile

    from inps_portal import clock
    from inps_portal.pec.arrivo import pec_in_arrivo_registra
    from inps_portal.pec.busta import componi_busta

    pdf = modulo_compilato_pdf(instradata)  # stands in for the scan of the modulo signed on paper
    if not instradata.indirizzo_pec:
        modulo_carica(
            instradata_id=instradata.pk, user=mario, file=SimpleUploadedFile(instradata.nome_file_modulo, pdf)
        )
        return
    messaggio = EmailMessage()
    messaggio["From"] = instradata.richiesta.ente.pec
    messaggio["To"] = instradata.indirizzo_pec
    messaggio["Subject"] = oggetto_della_pec(instradata)
    messaggio["Message-ID"] = make_msgid(domain="pec.example.it")
    messaggio.set_content("Si trasmette il modulo firmato dal legale rappresentante dell'Ente.")
    messaggio.add_attachment(pdf, maintype="application", subtype="pdf", filename=instradata.nome_file_modulo)
    busta = componi_busta(
        originale=messaggio,
        destinatario=instradata.indirizzo_pec,
        gestore="Gestore PEC dimostrativo",
        dominio="pec-demo.localhost",
        quando=clock.now(),
    )
    pec_in_arrivo_registra(grezzo=busta, casella=instradata.indirizzo_pec)


# Operators of Enti who still hold ex-Inpdap credentials: logging in starts the unification (case a and case b). Their
# abilitazioni by the catalogue's keys.
EX_INPDAP_PASSWORD = "Inpdap.Demo.2016"  # noqa: S105 - published in the README on purpose, DEBUG only
PIN_DEMO_CASO_B = "DEMOPINCASOB2345"
ABILITAZIONI_DEMO = {
    "CNTLNE79B62D086B": (
        "Elena",
        "Conti",
        ["denunce-contributive-visualizzazione-dma", "visualizzazione-versamenti-ente"],
        None,
    ),
    "NRERRT72R11A944W": (
        "Roberto",
        "Neri",
        ["domanda-valore-pa", "assistenza-domiciliare-profilo-operatore"],
        date(2015, 3, 2),
    ),
}


def _credenziali_demo(*, ripristina: bool) -> None:
    from django.contrib.auth.hashers import make_password

    from accounts.hashers import codifica_hash_legacy
    from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, RichiestaConversione, RichiestaPin

    ente = Ente.objects.get(codice_fiscale="98000000012")
    nomi = dict(Abilitazione.objects.values_list("codice", "nome"))  # the names the catalogue gives them today
    hash_legacy = codifica_hash_legacy("sha1", hashlib.sha1(EX_INPDAP_PASSWORD.encode()).hexdigest())  # noqa: S324
    for codice_fiscale, (nome, cognome, abilitazioni, passweb_dal) in ABILITAZIONI_DEMO.items():
        user = User.objects.filter(codice_fiscale=codice_fiscale).first()
        if user is None:
            user = User.objects.create_user(
                codice_fiscale, None, nome=nome, cognome=cognome, email=f"{nome}.{cognome}@example.it".lower()
            )
        if ripristina:
            RichiestaConversione.objects.filter(user=user).delete()
            RichiestaPin.objects.filter(user=user).delete()
            PIN.objects.filter(user=user).delete()
            CredenzialeExInpdap.objects.filter(user=user).delete()
        if CredenzialeExInpdap.objects.filter(user=user).exists():
            continue  # already there, perhaps unified during a demo: left as it is (see ``ripristina``)
        credenziale = CredenzialeExInpdap.objects.create(
            codice_fiscale=codice_fiscale, user=user, password_hash=hash_legacy, passweb_abilitato_dal=passweb_dal
        )
        AbilitazioneDetenuta.objects.bulk_create(
            [
                AbilitazioneDetenuta(credenziale_ex_inpdap=credenziale, ente=ente, codice=c, nome=nomi.get(c, c))
                for c in abilitazioni
            ]
        )
        if codice_fiscale == "NRERRT72R11A944W":
            pin = PIN.objects.create(
                user=user,
                codice_hash=make_password(PIN_DEMO_CASO_B),
                tipo=PIN.Tipo.ONLINE,
                origine=PIN.Origine.PREESISTENTE,
            )
            AbilitazioneDetenuta.objects.create(
                pin=pin, ente=ente, codice="domanda-valore-pa", nome=nomi.get("domanda-valore-pa", "Domanda Valore PA")
            )
        ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
