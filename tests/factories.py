"""factory_boy factories for the people and organisations of the portal."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any, Literal

import factory
from codicefiscale import codicefiscale
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.hashers import codifica_hash_legacy
from accounts.models import PIN, AbilitazioneDetenuta, Comune, CredenzialeExInpdap, Ente, Struttura, Team, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna, team_assegna
from inps_portal import clock
from inps_portal.pec.arrivo import pec_in_arrivo_registra
from inps_portal.pec.busta import componi_busta
from inps_portal.pec.models import PECInArrivo

if TYPE_CHECKING:
    from abilitazioni.models import RichiestaAbilitazioni, RichiestaInstradata
    from convenzioni.models import Convenzione

PASSWORD = "Password.Di.Prova.1"
_NAMES: list[tuple[str, str, Literal["M", "F"]]] = [
    ("Rossi", "Mario", "M"),
    ("Verdi", "Giulia", "F"),
    ("Russo", "Luca", "M"),
    ("Conti", "Elena", "F"),
]


def codice_fiscale_valido(n: int) -> str:
    """A well-formed codice fiscale, distinct for every ``n``: born in Rome, on a date derived from ``n``."""
    cognome, nome, sesso = _NAMES[n % len(_NAMES)]
    nascita = dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 18000)
    return codicefiscale.encode(
        lastname=cognome, firstname=nome, gender=sesso, birthdate=nascita.strftime("%d/%m/%Y"), birthplace="Roma"
    )


def codice_fiscale_ente(n: int) -> str:
    base = f"9{n:09d}"
    total = 0
    for index, char in enumerate(base):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return base + str((10 - total % 10) % 10)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("codice_fiscale",)

    codice_fiscale = factory.Sequence(codice_fiscale_valido)
    nome = "Mario"
    cognome = "Rossi"
    email = factory.Sequence(lambda n: f"utente{n}@example.it")
    password = factory.django.Password(PASSWORD)


class EnteFactory(factory.django.DjangoModelFactory[Ente]):
    class Meta:
        model = Ente

    nome = factory.Sequence(lambda n: f"Ente di prova {n}")
    codice_fiscale = factory.Sequence(codice_fiscale_ente)
    pec = factory.Sequence(lambda n: f"ente{n}@pec.example.it")
    comune = factory.LazyFunction(lambda: Comune.objects.get(codice_istat="078045"))


def personale_inps(ruolo: Ruolo, codice_struttura: str) -> User:
    """A member of INPS staff with ``ruolo`` at the structure ``codice_struttura``, freshly read (groups, is_staff)."""
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=Struttura.objects.get(codice=codice_struttura))
    return User.objects.get(pk=user.pk)


def nel_team(user: User, codice_struttura: str, codice_team: str = Team.CREDITO_WELFARE) -> User:
    """``user``, staff of ``codice_struttura``, put in one of its teams through the service (by default the Direzione
    regionale's team Prestazioni a sostegno del reddito, Credito e Welfare, which decides allegato 3)."""
    team_assegna(user=user, team=Team.objects.get(struttura__codice=codice_struttura, codice=codice_team))
    return user


def personale_del_team(codice_struttura: str, codice_team: str = Team.CREDITO_WELFARE) -> User:
    """A member of staff of the Direzione regionale ``codice_struttura`` who works in its team (allegato 3)."""
    return nel_team(
        personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, codice_struttura), codice_struttura, codice_team
    )


# --- The signed modulo of a request for abilitazioni (Circolare 71/2016, par. 4) ---------------------------------

PDF_MINIMO = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pec_dell_ente(
    instradata: RichiestaInstradata,
    *,
    mittente: str | None = None,
    oggetto: str | None = None,
    allegati: dict[str, bytes] | None = None,
    casella: str | None = None,
) -> PECInArrivo:
    """The PEC the Ente sends with the signed modulo, as it arrives in the routing mailbox (in its transport
    envelope), registered by the portal's mailbox reading. Nothing is sent anywhere."""
    from abilitazioni.services import oggetto_della_pec

    ente = instradata.richiesta.ente
    messaggio = EmailMessage()
    messaggio["From"] = mittente or ente.pec
    messaggio["To"] = casella or instradata.indirizzo_pec
    messaggio["Subject"] = oggetto if oggetto is not None else oggetto_della_pec(instradata)
    messaggio["Message-ID"] = make_msgid(domain="pec-ente.localhost")
    messaggio.set_content("Si trasmette il modulo firmato dal legale rappresentante.")
    for nome, contenuto in (allegati if allegati is not None else {"modulo-firmato.pdf": PDF_MINIMO}).items():
        messaggio.add_attachment(contenuto, maintype="application", subtype="pdf", filename=nome)
    busta = componi_busta(
        originale=messaggio,
        destinatario=casella or instradata.indirizzo_pec,
        gestore="Gestore PEC di prova",
        dominio="gestore-prova.localhost",
        quando=clock.now(),
    )
    return pec_in_arrivo_registra(grezzo=busta, casella=casella or instradata.indirizzo_pec)


def modulo_consegnato(richiesta: RichiestaAbilitazioni) -> None:
    """Every routed request of ``richiesta`` gets its signed modulo as the circolare has it arrive: uploaded by the
    operator (allegati 2 and 3) or with the Ente's PEC (4 and 5); the requests then reach their offices."""
    from abilitazioni.services import modulo_carica

    for instradata in richiesta.instradate.select_related("richiesta__ente", "richiesta__user"):
        if instradata.indirizzo_pec:
            pec_dell_ente(instradata)
        else:
            modulo_carica(
                instradata_id=instradata.pk,
                user=instradata.richiesta.user,
                file=SimpleUploadedFile("modulo-firmato.pdf", PDF_MINIMO),
            )


# Documents an upload accepts by their first bytes (the checks read the content, not the name).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


# Credentials as they were before the unification, for the people of a test.
PASSWORD_EX_INPDAP = "vecchia-password-gdp"


def crea_credenziale(
    user: User, abilitazioni: list[tuple[Ente, str]], passweb_dal: dt.date | None = None
) -> CredenzialeExInpdap:
    hash_legacy = hashlib.sha1(("sale" + PASSWORD_EX_INPDAP).encode()).hexdigest()  # noqa: S324 - the legacy format
    credenziale = CredenzialeExInpdap.objects.create(
        codice_fiscale=user.codice_fiscale,
        user=user,
        password_hash=codifica_hash_legacy("sha1", hash_legacy, "sale"),
        passweb_abilitato_dal=passweb_dal,
    )
    AbilitazioneDetenuta.objects.bulk_create(
        [AbilitazioneDetenuta(credenziale_ex_inpdap=credenziale, ente=e, nome=n) for e, n in abilitazioni]
    )
    return credenziale


def crea_pin(user: User, abilitazioni: list[tuple[Ente, str]], tipo: str = PIN.Tipo.ONLINE) -> PIN:
    pin = PIN.objects.create(
        user=user, codice_hash=make_password("VECCHIOPIN234567"), tipo=tipo, origine=PIN.Origine.PREESISTENTE
    )
    AbilitazioneDetenuta.objects.bulk_create([AbilitazioneDetenuta(pin=pin, ente=e, nome=n) for e, n in abilitazioni])
    return pin


def accesso_forte(client: Any, *, metodo: str = "spid", livello: int | None = 2, secondi_fa: float = 10) -> None:
    """The session of a logged-in client as SPID, CIE or CNS leave it (accounts.services.accessi): the way in and
    when, on the portal's clock."""
    from accounts.services.accessi import SESSIONE_ACCESSO

    sessione = client.session
    quando = clock.now() - dt.timedelta(seconds=secondi_fa)
    sessione[SESSIONE_ACCESSO] = {"metodo": metodo, "livello": livello, "quando": quando.isoformat()}
    sessione.save()


def convenzione_attiva_di_prova(
    comune: Comune, *, amministratore_codice_fiscale: str, referente: User | None = None
) -> Convenzione:
    """An active convention of ``comune`` naming that Amministratore utenze, without its signatures (which are the
    subject of tests/test_convenzioni_ciclo.py): created by the service, then marked active. Without ``referente``,
    a new Referente del Comune prepares it."""
    from convenzioni import services
    from convenzioni.esempi import dati_di_esempio
    from convenzioni.models import Convenzione, VersioneQuadro
    from convenzioni.testo import TESTO_QUADRO_2023

    if referente is None:
        referente = UserFactory.create()
        ruolo_assegna(user=referente, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=comune)
    VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )
    dati = dati_di_esempio(
        comune,
        legale_rappresentante_codice_fiscale=codice_fiscale_valido(940),
        amministratore_codice_fiscale=amministratore_codice_fiscale,
        referente_comune_codice_fiscale=referente.codice_fiscale,
        data_inizio=clock.today(),
    )
    convenzione = services.convenzione_crea(chi=referente, comune=comune, dati=dati)
    Convenzione.objects.filter(pk=convenzione.pk).update(
        stato=Convenzione.Stato.ATTIVA, protocollo=f"INPS.DR-18.2026.{convenzione.pk:07d}", attivata_il=clock.now()
    )
    convenzione.refresh_from_db()
    return convenzione
