"""The Comune's PUE operators (Messaggio 4461/2023): named by the Amministratore utenze, enabled by INPS.

"L'operatore del Comune, profilato e autorizzato al trattamento dei dati personali, accede al servizio ... con le
credenziali SPID almeno di II livello, CIE o CNS ... abilitate al servizio PUE dall'INPS per gli operatori
espressamente indicati dall'Amministratore Utente." A designation carries the operator's identity, contacts and the
act that authorises them to process personal data; INPS enables or refuses it; either side revokes it; the end of the
convention ends it. Only an enabled designation gives the ``operatore_comune`` role on the Comune.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Comune
from accounts.validators import validate_codice_fiscale
from convenzioni.models import Convenzione
from inps_portal import clock
from inps_portal.eventi import EventoDiStato


class DesignazioneOperatore(models.Model):
    class Stato(models.TextChoices):
        IN_ATTESA = "in_attesa", "In attesa di abilitazione INPS"
        ABILITATA = "abilitata", "Abilitata"
        RIFIUTATA = "rifiutata", "Rifiutata dall'INPS"
        REVOCATA = "revocata", "Revocata"
        CESSATA = "cessata", "Cessata con la convenzione"

    APERTE = (Stato.IN_ATTESA, Stato.ABILITATA)

    convenzione = models.ForeignKey(Convenzione, on_delete=models.PROTECT, related_name="designazioni")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="designazioni_pue")
    codice_fiscale = models.CharField("codice fiscale", max_length=16, validators=[validate_codice_fiscale])
    nome = models.CharField(max_length=100)
    cognome = models.CharField(max_length=100)
    email = models.EmailField("e-mail")
    telefono = models.CharField(max_length=30)
    atto_autorizzazione = models.CharField(
        "atto di autorizzazione al trattamento dei dati personali",
        max_length=200,
        help_text="Gli estremi dell'atto con cui il Comune autorizza l'operatore (per esempio: determina n. 12).",
    )
    data_atto = models.DateField("data dell'atto")
    stato = models.CharField(max_length=20, choices=Stato.choices, default=Stato.IN_ATTESA)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designazioni_pue",
        verbose_name="utente del portale",
    )
    designata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designata_il = models.DateTimeField(default=clock.now)
    decisa_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decisa_il = models.DateTimeField(null=True, blank=True)
    chiusa_il = models.DateTimeField(null=True, blank=True)
    motivo = models.TextField("motivo del rifiuto o della revoca", blank=True)

    class Meta:
        verbose_name = "designazione di operatore PUE"
        verbose_name_plural = "designazioni di operatori PUE"
        ordering = ["cognome", "nome", "-designata_il"]
        constraints = [
            models.UniqueConstraint(
                fields=["comune", "codice_fiscale"],
                condition=Q(stato__in=["in_attesa", "abilitata"]),
                name="una_designazione_aperta_per_persona",
            ),
        ]
        indexes = [models.Index(fields=["codice_fiscale", "stato"], name="designazione_per_cf")]

    def __str__(self) -> str:
        return f"{self.nome_completo} ({self.comune})"

    @property
    def nome_completo(self) -> str:
        return f"{self.nome} {self.cognome}".strip()

    @property
    def aperta(self) -> bool:
        return self.stato in self.APERTE


class EventoDesignazione(EventoDiStato):
    designazione = models.ForeignKey(DesignazioneOperatore, on_delete=models.CASCADE, related_name="eventi")

    class Meta(EventoDiStato.Meta):
        verbose_name = "evento della designazione"
        verbose_name_plural = "eventi della designazione"


class Sportello(models.Model):
    """An INPS desk that answers web meetings booked by the Comuni (Messaggio 4461/2023, "Gestione sportelli"): one
    per Struttura territoriale, or per Polo nazionale, which answers for the prestazioni of its Polo
    (``Struttura.prestazioni``). ``comune`` is where the office is: its patron saint's day closes it (and only it)."""

    struttura = models.ForeignKey("accounts.Struttura", on_delete=models.PROTECT, related_name="sportelli_pue")
    nome = models.CharField(max_length=200)
    comune = models.ForeignKey(
        Comune, on_delete=models.PROTECT, related_name="+", help_text="Dove ha sede l'ufficio (per la festa patronale)."
    )
    attivo = models.BooleanField(default=True)

    class Meta:
        verbose_name = "sportello PUE"
        verbose_name_plural = "sportelli PUE"
        ordering = ["nome"]

    def __str__(self) -> str:
        return self.nome


class OrarioSportello(models.Model):
    """A weekly rule of a sportello's availability: on ``giorno`` (0 Monday … 6 Sunday), from ``dalle`` to ``alle``
    (Europe/Rome wall-clock time), meetings of ``durata_minuti`` with ``operatori`` INPS operators in parallel, from
    ``valido_dal`` to ``valido_al`` included (open-ended when empty). Slots are computed from these rules, never
    stored."""

    class Giorno(models.IntegerChoices):
        LUNEDI = 0, "lunedì"
        MARTEDI = 1, "martedì"
        MERCOLEDI = 2, "mercoledì"
        GIOVEDI = 3, "giovedì"
        VENERDI = 4, "venerdì"
        SABATO = 5, "sabato"
        DOMENICA = 6, "domenica"

    sportello = models.ForeignKey(Sportello, on_delete=models.CASCADE, related_name="orari")
    giorno = models.PositiveSmallIntegerField(choices=Giorno.choices)
    dalle = models.TimeField()
    alle = models.TimeField()
    durata_minuti = models.PositiveSmallIntegerField("durata di un incontro (minuti)", default=30)
    operatori = models.PositiveSmallIntegerField("operatori in parallelo", default=1)
    valido_dal = models.DateField("valido dal")
    valido_al = models.DateField("valido fino al", null=True, blank=True)

    class Meta:
        verbose_name = "orario settimanale"
        verbose_name_plural = "orari settimanali"
        ordering = ["sportello", "giorno", "dalle"]
        constraints = [
            models.CheckConstraint(name="orario_dalle_prima_delle_alle", condition=Q(dalle__lt=models.F("alle"))),
            models.CheckConstraint(name="orario_durata_positiva", condition=Q(durata_minuti__gte=5)),
            models.CheckConstraint(name="orario_operatori_positivi", condition=Q(operatori__gte=1)),
            models.CheckConstraint(
                name="orario_validita_ordinata",
                condition=Q(valido_al__isnull=True) | Q(valido_al__gte=models.F("valido_dal")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_giorno_display()} {self.dalle:%H:%M}-{self.alle:%H:%M}"


class EccezioneSportello(models.Model):
    """A day that departs from the weekly rules: a closure (all day), or an extra opening with its own hours."""

    class Tipo(models.TextChoices):
        CHIUSURA = "chiusura", "Chiusura"
        APERTURA = "apertura", "Apertura straordinaria"

    sportello = models.ForeignKey(Sportello, on_delete=models.CASCADE, related_name="eccezioni")
    giorno = models.DateField()
    tipo = models.CharField(max_length=10, choices=Tipo.choices)
    dalle = models.TimeField(null=True, blank=True)
    alle = models.TimeField(null=True, blank=True)
    durata_minuti = models.PositiveSmallIntegerField("durata di un incontro (minuti)", null=True, blank=True)
    operatori = models.PositiveSmallIntegerField("operatori in parallelo", null=True, blank=True)
    motivo = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "eccezione al calendario"
        verbose_name_plural = "eccezioni al calendario"
        ordering = ["sportello", "giorno"]
        constraints = [
            models.CheckConstraint(
                name="apertura_con_orario",
                condition=Q(tipo="chiusura")
                | Q(
                    dalle__isnull=False,
                    alle__isnull=False,
                    durata_minuti__gte=5,
                    operatori__gte=1,
                    dalle__lt=models.F("alle"),
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} del {self.giorno:%d/%m/%Y}"


def nuova_stanza() -> str:
    """The name of a meeting room: 192 random bits, so that nobody finds a meeting by guessing."""
    return secrets.token_urlsafe(24)


def _percorso_documento(instance: object, filename: str) -> str:
    """A random name: nothing of the uploaded file's name ends up on disk."""
    return f"pue/{clock.today():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class Prenotazione(models.Model):
    """A web meeting booked by a Comune's operator at a sportello, for one slot and one of its parallel seats
    (``posto``). A slot is never booked twice: a partial unique index on the live bookings (PostgreSQL and SQLite),
    plus on PostgreSQL an exclusion constraint on overlapping times of one seat (migration 0004), and the sportello's
    row locked while a booking is made. A hold (``trattenuta``) keeps the slot while the operator fills in the details,
    until ``scade_il``."""

    class Stato(models.TextChoices):
        TRATTENUTA = "trattenuta", "In compilazione"
        CONFERMATA = "confermata", "Confermata"
        ANNULLATA = "annullata", "Annullata"
        SCADUTA = "scaduta", "Trattenuta scaduta"
        SVOLTA = "svolta", "Svolta"
        NON_PRESENTATO = "non_presentato", "Cittadino non presentato"

    # The states that occupy the slot.
    OCCUPANO = (Stato.TRATTENUTA, Stato.CONFERMATA, Stato.SVOLTA, Stato.NON_PRESENTATO)

    sportello = models.ForeignKey(Sportello, on_delete=models.PROTECT, related_name="prenotazioni")
    inizio = models.DateTimeField()
    fine = models.DateTimeField()
    posto = models.PositiveSmallIntegerField(default=1)
    stato = models.CharField(max_length=20, choices=Stato.choices, default=Stato.TRATTENUTA)
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="+")
    convenzione = models.ForeignKey(Convenzione, on_delete=models.PROTECT, related_name="+")
    operatore = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creata_il = models.DateTimeField(default=clock.now)
    scade_il = models.DateTimeField("la trattenuta scade il", null=True, blank=True)

    # The citizen, as the operator records them when confirming (Messaggio 4461/2023: residents or domiciled in the
    # Comune; the residence or domicile is the citizen's self-declaration, recorded with its time).
    class Titolo(models.TextChoices):
        RESIDENZA = "residenza", "Residente nel Comune"
        DOMICILIO = "domicilio", "Domiciliato nel Comune"

    cittadino_codice_fiscale = models.CharField("codice fiscale del cittadino", max_length=16, blank=True)
    cittadino_nome = models.CharField("nome", max_length=100, blank=True)
    cittadino_cognome = models.CharField("cognome", max_length=100, blank=True)
    titolo = models.CharField("residenza o domicilio", max_length=10, choices=Titolo.choices, blank=True)
    dichiarazione_il = models.DateTimeField("autodichiarazione registrata il", null=True, blank=True)
    prestazione = models.ForeignKey(
        "accounts.Prestazione", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    argomento = models.CharField(max_length=300, blank=True)
    assistenza = models.BooleanField(
        "assistenza dell'operatore durante l'incontro", default=False, help_text="Messaggio 4461/2023, se richiesta."
    )
    confermata_il = models.DateTimeField(null=True, blank=True)
    annullata_il = models.DateTimeField(null=True, blank=True)
    motivo_annullamento = models.CharField("motivo dell'annullamento", max_length=300, blank=True)
    annullata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sostituita_da = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sostituisce",
        help_text="La prenotazione che l'ha sostituita (spostamento ad altro orario).",
    )
    # Waiting time (monitoring, Messaggio 4461/2023): the first free slot of the sportello when the hold was made.
    primo_libero = models.DateTimeField("primo orario libero al momento della prenotazione", null=True, blank=True)

    # Access by delegation (M7): the person above is the one concerned (resident or domiciled in the Comune); the
    # delegate attends for them, with the delega recorded.
    delegato_codice_fiscale = models.CharField("codice fiscale del delegato", max_length=16, blank=True)
    delegato_nome = models.CharField("nome del delegato", max_length=100, blank=True)
    delegato_cognome = models.CharField("cognome del delegato", max_length=100, blank=True)
    delega_documento = models.FileField("delega firmata", upload_to=_percorso_documento, blank=True)

    # The citizen's request on the model attached to the convention (M6): filled by the portal, signed by the citizen,
    # kept here.
    richiesta_firmata = models.FileField("richiesta firmata dal cittadino", upload_to=_percorso_documento, blank=True)
    richiesta_firmata_il = models.DateTimeField(null=True, blank=True)

    # The web meeting: its own unguessable room; SEQUENCE of its calendar entry, raised on every change.
    stanza = models.CharField(
        "stanza del web meeting", max_length=64, unique=True, default=nuova_stanza, editable=False
    )
    sequenza = models.PositiveIntegerField("revisione del calendario", default=0)
    promemoria_il = models.DateTimeField("promemoria inviato il", null=True, blank=True)

    # The outcome, recorded by the INPS operator of the sportello.
    esito_il = models.DateTimeField(null=True, blank=True)
    esito_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seguito = models.BooleanField("serve un seguito", default=False)
    documenti_scambiati = models.BooleanField(default=False)
    esito_note = models.TextField("note dell'operatore INPS", max_length=2000, blank=True)

    # The citizen's rating at the Comune's workstation, after the meeting (M21).
    valutazione = models.PositiveSmallIntegerField("gradimento (1-5)", null=True, blank=True)
    valutazione_il = models.DateTimeField(null=True, blank=True)
    valutazione_commento = models.CharField("commento", max_length=500, blank=True)

    # Personal data removed after the retention period (README): the booking stays for the statistics.
    dati_rimossi_il = models.DateTimeField("dati personali rimossi il", null=True, blank=True)

    class Meta:
        verbose_name = "prenotazione"
        verbose_name_plural = "prenotazioni"
        ordering = ["inizio", "posto"]
        constraints = [
            models.UniqueConstraint(
                fields=["sportello", "inizio", "posto"],
                condition=Q(stato__in=["trattenuta", "confermata", "svolta", "non_presentato"]),
                name="uno_slot_una_prenotazione",
            ),
            models.CheckConstraint(name="prenotazione_fine_dopo_inizio", condition=Q(fine__gt=models.F("inizio"))),
            models.CheckConstraint(
                name="trattenuta_con_scadenza", condition=~Q(stato="trattenuta") | Q(scade_il__isnull=False)
            ),
            models.CheckConstraint(
                name="confermata_con_cittadino",
                condition=Q(stato__in=["trattenuta", "scaduta", "annullata"])
                | Q(dati_rimossi_il__isnull=False)
                | (~Q(cittadino_codice_fiscale="") & ~Q(titolo="") & Q(dichiarazione_il__isnull=False)),
            ),
            models.CheckConstraint(
                name="valutazione_da_1_a_5",
                condition=Q(valutazione__isnull=True) | Q(valutazione__gte=1, valutazione__lte=5),
            ),
        ]
        indexes = [models.Index(fields=["stato", "scade_il"], name="prenotazione_trattenute")]

    def __str__(self) -> str:
        return f"{self.sportello} {self.inizio:%Y-%m-%d %H:%M} posto {self.posto}"

    @property
    def trattenuta_viva(self) -> bool:
        """A hold still within its time (one past it is as good as expired, even before the task marks it)."""
        return self.stato == self.Stato.TRATTENUTA and self.scade_il is not None and self.scade_il > clock.now()


class DocumentoIncontro(models.Model):
    """A document the citizen sent or received during the web meeting (M15), attached to the booking; checked by
    content and size when uploaded."""

    class Verso(models.TextChoices):
        DAL_CITTADINO = "dal_cittadino", "Inviato dal cittadino"
        AL_CITTADINO = "al_cittadino", "Consegnato al cittadino"

    prenotazione = models.ForeignKey(Prenotazione, on_delete=models.CASCADE, related_name="documenti")
    verso = models.CharField(max_length=20, choices=Verso.choices)
    file = models.FileField(upload_to=_percorso_documento)
    nome = models.CharField("nome del file", max_length=120)
    tipo = models.CharField(max_length=60)
    dimensione = models.PositiveIntegerField()
    caricato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    caricato_il = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "documento dell'incontro"
        verbose_name_plural = "documenti dell'incontro"
        ordering = ["caricato_il", "pk"]

    def __str__(self) -> str:
        return self.nome


class EventoPrenotazione(EventoDiStato):
    """Every change of a booking's state: who (none for the portal's own tasks), when, from, to, why."""

    prenotazione = models.ForeignKey(Prenotazione, on_delete=models.CASCADE, related_name="eventi")

    class Meta(EventoDiStato.Meta):
        verbose_name = "evento della prenotazione"
        verbose_name_plural = "eventi della prenotazione"
