"""The PUE conventions between INPS and the Comuni (Messaggio INPS n. 4461 del 14 dicembre 2023).

A ``VersioneQuadro`` is one version of the Convenzione quadro adopted by determinazione commissariale n. 83/2023: the
schema text with its placeholders. A ``Convenzione`` is the individual agreement with one Comune, generated from one
version with the Comune's data: it keeps its own filled text and its own documents, so that a later version of the
schema never changes it. The documents (``DocumentoConvenzione``) are append-only rows: the generated PDF/A with its
two empty signature fields, the one signed by the Comune, the one signed by INPS too; each signature leaves a
``FirmaConvenzione`` with who signed, when, with which certificate, and the document's SHA-256.

What the database can hold, it holds: one active convention per Comune, one in preparation, a version used by a
convention and the documents are never updated (triggers, ``migrations/0002_protezioni.py``), one reminder per
threshold, one current holder per figure, unique protocol numbers.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Comune, Struttura
from accounts.validators import validate_codice_fiscale, validate_codice_fiscale_ente
from inps_portal import clock
from inps_portal.eventi import EventoDiStato

# The two signature fields every generated convention carries (PAdES, incremental: the Comune first, then INPS).
CAMPO_FIRMA_COMUNE = "FirmaComune"
CAMPO_FIRMA_INPS = "FirmaINPS"


class Parte(models.TextChoices):
    """The two parties of a convention."""

    COMUNE = "comune", "Comune"
    INPS = "inps", "INPS"

    @property
    def altra(self) -> Parte:
        return Parte.INPS if self is Parte.COMUNE else Parte.COMUNE


class VersioneQuadro(models.Model):
    """One version of the Convenzione quadro: the schema every individual convention conforms to."""

    numero = models.PositiveSmallIntegerField("versione", unique=True)
    titolo = models.CharField(max_length=300)
    testo = models.TextField(
        help_text=(
            "Il testo dello schema. I dati della singola convenzione si indicano con i segnaposto tra doppie "
            "graffe, per esempio {{ comune }}; le righe che iniziano con «Art.» sono i titoli degli articoli."
        )
    )
    determinazione = models.CharField(
        "atto di adozione",
        max_length=250,
        default="determinazione del Commissario straordinario n. 83 del 23 novembre 2023",
        help_text="Come si legge nel testo: «adottata con la ...».",
    )
    determinazione_numero = models.CharField("numero della determinazione", max_length=20, default="83")
    determinazione_data = models.DateField("data della determinazione", default=dt.date(2023, 11, 23))
    valida_dal = models.DateField(
        "in vigore dal", help_text="Dal giorno indicato le nuove convenzioni si generano da questa versione."
    )
    note = models.TextField(blank=True, help_text="Che cosa cambia rispetto alla versione precedente.")
    creata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creata_il = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "versione della convenzione quadro"
        verbose_name_plural = "versioni della convenzione quadro"
        ordering = ["-valida_dal", "-numero"]
        constraints = [models.UniqueConstraint(fields=["valida_dal"], name="una_versione_quadro_per_data")]

    def __str__(self) -> str:
        return f"Convenzione quadro, versione {self.numero} (in vigore dal {self.valida_dal:%d/%m/%Y})"


class Convenzione(models.Model):
    """The convention between INPS (the competent Direzione) and one Comune for a Punto Utente Evoluto."""

    class Stato(models.TextChoices):
        BOZZA = "bozza", "Bozza, da firmare per il Comune"
        FIRMATA_COMUNE = "firmata_comune", "Firmata dal Comune, in attesa della firma INPS"
        ATTIVA = "attiva", "Attiva (firmata dalle due Parti)"
        SCADUTA = "scaduta", "Scaduta"
        CESSATA = "cessata", "Cessata"
        REVOCATA = "revocata", "Revocata"
        ANNULLATA = "annullata", "Annullata prima della stipula"

    IN_PREPARAZIONE = (Stato.BOZZA, Stato.FIRMATA_COMUNE)
    CHIUSE = (Stato.SCADUTA, Stato.CESSATA, Stato.REVOCATA, Stato.ANNULLATA)

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="convenzioni_pue")
    versione = models.ForeignKey(
        VersioneQuadro, on_delete=models.PROTECT, related_name="convenzioni", verbose_name="versione dello schema"
    )
    direzione = models.ForeignKey(
        Struttura,
        on_delete=models.PROTECT,
        related_name="convenzioni_pue",
        verbose_name="Direzione firmataria",
        help_text="La Direzione regionale o di coordinamento metropolitano competente per il Comune.",
    )
    stato = models.CharField(max_length=20, choices=Stato.choices, default=Stato.BOZZA, db_index=True)
    protocollo = models.CharField(
        "numero di protocollo",
        max_length=60,
        null=True,
        blank=True,
        unique=True,
        help_text="Assegnato quando la convenzione diventa attiva.",
    )

    # The Comune as a party
    comune_codice_fiscale = models.CharField(
        "codice fiscale del Comune", max_length=11, validators=[validate_codice_fiscale_ente]
    )
    comune_pec = models.EmailField("PEC del Comune")
    legale_rappresentante_nome = models.CharField("nome del legale rappresentante", max_length=100)
    legale_rappresentante_cognome = models.CharField("cognome del legale rappresentante", max_length=100)
    legale_rappresentante_codice_fiscale = models.CharField(
        "codice fiscale del legale rappresentante", max_length=16, validators=[validate_codice_fiscale]
    )
    legale_rappresentante_qualifica = models.CharField(
        "qualifica del legale rappresentante", max_length=100, default="Sindaco"
    )
    # INPS as a party
    pec_inps = models.EmailField(
        "PEC della Direzione", help_text="L'indirizzo a cui il Comune scrive per questa convenzione."
    )

    # The Punto Utente Evoluto (Messaggio 4461/2023: the Comune sets up the workstation and provides the equipment)
    postazione_indirizzo = models.CharField("indirizzo della postazione", max_length=250)
    postazione_locale = models.CharField("locale", max_length=200, help_text="Ufficio, piano, stanza.")
    postazione_strumentazione = models.TextField(
        "strumentazione fornita dal Comune", help_text="Computer, stampante, scanner, webcam, collegamento."
    )
    postazione_orari = models.CharField("giorni e orari di apertura", max_length=250, blank=True)
    costi = models.TextField(
        "costi a carico del Comune",
        help_text="Energia elettrica e ogni altra spesa diretta e indiretta connessa al web meeting presso il PUE.",
    )
    # What INPS gives the Comune's operators (M5)
    supporto_telefono = models.CharField("consulenza telefonica INPS: numero", max_length=50)
    supporto_orari = models.CharField("consulenza telefonica INPS: orari", max_length=200, blank=True)
    materiale_informativo = models.TextField(
        "materiale informativo", blank=True, help_text="Guide e materiale che l'INPS mette a disposizione."
    )

    data_inizio = models.DateField("decorrenza")
    data_fine = models.DateField("scadenza", db_index=True)

    testo = models.TextField(
        "testo compilato", help_text="Lo schema della versione con i dati di questa convenzione, come firmato."
    )
    documento_generato = models.ForeignKey(
        "DocumentoConvenzione",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Il PDF generato dal portale che le Parti firmano.",
    )
    documento = models.ForeignKey(
        "DocumentoConvenzione",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="documento corrente",
        help_text="L'ultimo documento: generato, firmato dal Comune, firmato dalle due Parti.",
    )

    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    creata_il = models.DateTimeField(default=clock.now)
    firmata_comune_il = models.DateTimeField("firmata dal Comune il", null=True, blank=True)
    attivata_il = models.DateTimeField("firmata dall'INPS il", null=True, blank=True)
    chiusa_il = models.DateTimeField(null=True, blank=True)
    motivo_chiusura = models.TextField(blank=True)

    class Meta:
        verbose_name = "convenzione PUE"
        verbose_name_plural = "convenzioni PUE"
        ordering = ["comune__nome", "-creata_il"]
        permissions = [
            ("firmare_convenzione", "Firma le convenzioni PUE per l'INPS"),
            ("gestire_versioni_quadro", "Gestisce le versioni della convenzione quadro"),
        ]
        indexes = [models.Index(fields=["stato", "data_fine"], name="convenzione_per_scadenza")]
        constraints = [
            models.UniqueConstraint(
                fields=["comune"], condition=Q(stato="attiva"), name="una_convenzione_attiva_per_comune"
            ),
            models.UniqueConstraint(
                fields=["comune"],
                condition=Q(stato__in=["bozza", "firmata_comune"]),
                name="una_convenzione_in_preparazione_per_comune",
            ),
            models.CheckConstraint(name="convenzione_durata_positiva", condition=Q(data_fine__gt=F("data_inizio"))),
            models.CheckConstraint(
                name="convenzione_attiva_protocollata",
                condition=~Q(stato="attiva") | Q(protocollo__isnull=False, attivata_il__isnull=False),
            ),
            models.CheckConstraint(
                name="convenzione_chiusa_motivata",
                condition=~Q(stato__in=["cessata", "revocata", "annullata"]) | ~Q(motivo_chiusura=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Convenzione PUE con il Comune di {self.comune}" + (f" ({self.protocollo})" if self.protocollo else "")

    @property
    def numero(self) -> str:
        """The identifier printed on the document (the protocol number comes only after both signatures)."""
        return f"PUE-{self.creata_il:%Y}-{self.pk:06d}"

    @property
    def legale_rappresentante(self) -> str:
        return f"{self.legale_rappresentante_nome} {self.legale_rappresentante_cognome}".strip()

    @property
    def nome_file(self) -> str:
        return f"convenzione-pue-{self.comune.codice_istat}-{self.pk}.pdf"


class EventoConvenzione(EventoDiStato):
    convenzione = models.ForeignKey(Convenzione, on_delete=models.CASCADE, related_name="eventi")

    class Meta(EventoDiStato.Meta):
        verbose_name = "evento della convenzione"
        verbose_name_plural = "eventi della convenzione"


class DocumentoConvenzione(models.Model):
    """One PDF of a convention, as generated or as it came back signed. Never updated (a database trigger)."""

    class Tipo(models.TextChoices):
        GENERATO = "generato", "Generato dal portale, da firmare"
        FIRMATO_COMUNE = "firmato_comune", "Firmato dal Comune"
        FIRMATO_INPS = "firmato_inps", "Firmato dal Comune e dall'INPS"

    convenzione = models.ForeignKey(Convenzione, on_delete=models.CASCADE, related_name="documenti")
    tipo = models.CharField(max_length=20, choices=Tipo.choices)
    contenuto = models.BinaryField()
    sha256 = models.CharField("impronta SHA-256", max_length=64, db_index=True)
    dimensione = models.PositiveIntegerField("dimensione in byte")
    revisioni = models.PositiveSmallIntegerField(
        "revisioni del PDF", help_text="Gli aggiornamenti incrementali del file: ognuno aggiunge una firma."
    )
    nome_file_caricato = models.CharField("nome del file caricato", max_length=200, blank=True)
    creato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creato_il = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "documento della convenzione"
        verbose_name_plural = "documenti della convenzione"
        ordering = ["creato_il", "pk"]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} ({self.creato_il:%d/%m/%Y %H:%M}, SHA-256 {self.sha256[:12]}…)"


class FirmaConvenzione(models.Model):
    """A signature of one party on the convention: who, when, the certificate, the document it produced."""

    convenzione = models.ForeignKey(Convenzione, on_delete=models.CASCADE, related_name="firme")
    parte = models.CharField(max_length=10, choices=Parte.choices)
    campo = models.CharField("campo di firma", max_length=60)
    firmatario = models.CharField(max_length=200)
    firmatario_codice_fiscale = models.CharField("codice fiscale del firmatario", max_length=16)
    firmata_il = models.DateTimeField(
        "firmata il", help_text="L'ora dichiarata nella firma (o della marca temporale), o quella dell'apposizione."
    )
    soggetto = models.TextField("soggetto del certificato")
    emittente = models.TextField("emittente del certificato")
    numero_serie = models.CharField("numero di serie del certificato", max_length=80)
    documento = models.OneToOneField(
        DocumentoConvenzione, on_delete=models.PROTECT, related_name="firma", help_text="Il documento con la firma."
    )
    sha256 = models.CharField("impronta SHA-256 del documento firmato", max_length=64)
    registrata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        help_text="Chi ha caricato il documento firmato o ha fatto apporre la firma.",
    )
    registrata_il = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "firma della convenzione"
        verbose_name_plural = "firme della convenzione"
        ordering = ["registrata_il", "pk"]
        constraints = [models.UniqueConstraint(fields=["convenzione", "parte"], name="una_firma_per_parte")]

    def __str__(self) -> str:
        return f"{self.get_parte_display()}: {self.firmatario} ({self.firmata_il:%d/%m/%Y %H:%M})"


class ContatoreProtocollo(models.Model):
    """The last protocol number given by one Struttura in one year (INPS.<codice struttura>.<anno>.<numero>)."""

    struttura = models.ForeignKey(Struttura, on_delete=models.PROTECT, related_name="+")
    anno = models.PositiveSmallIntegerField()
    ultimo = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "contatore di protocollo"
        verbose_name_plural = "contatori di protocollo"
        constraints = [models.UniqueConstraint(fields=["struttura", "anno"], name="un_contatore_per_struttura_e_anno")]

    def __str__(self) -> str:
        return f"{self.struttura_id}/{self.anno}: {self.ultimo}"


class FiguraConvenzione(models.Model):
    """A Referente of either party or the Comune's Amministratore utenze, as named at one time. A change of name or
    contacts (Messaggio 4461/2023: exchanged by PEC) is a new row: the previous one is closed, never overwritten."""

    class Ruolo(models.TextChoices):
        REFERENTE_INPS = "referente_inps", "Referente dell'INPS"
        REFERENTE_COMUNE = "referente_comune", "Referente del Comune"
        AMMINISTRATORE_UTENZE = "amministratore_utenze", "Amministratore utenze del Comune"

    DEL_COMUNE = (Ruolo.REFERENTE_COMUNE, Ruolo.AMMINISTRATORE_UTENZE)

    convenzione = models.ForeignKey(Convenzione, on_delete=models.CASCADE, related_name="figure")
    ruolo = models.CharField(max_length=30, choices=Ruolo.choices)
    nome = models.CharField(max_length=100)
    cognome = models.CharField(max_length=100)
    codice_fiscale = models.CharField("codice fiscale", max_length=16, blank=True, validators=[validate_codice_fiscale])
    qualifica = models.CharField(max_length=150, blank=True)
    email = models.EmailField("e-mail")
    telefono = models.CharField(max_length=30)
    pec = models.EmailField("PEC", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="utente del portale",
    )
    dal = models.DateTimeField(default=clock.now)
    sostituita_il = models.DateTimeField(null=True, blank=True)
    registrata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    motivo = models.TextField(blank=True)
    messaggio_pec = models.ForeignKey(
        "inps_portal.MessaggioPEC",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="PEC della comunicazione",
        help_text="La PEC con cui la modifica è stata comunicata all'altra Parte (con le sue ricevute).",
    )

    class Meta:
        verbose_name = "referente o amministratore"
        verbose_name_plural = "referenti e amministratori (storico)"
        ordering = ["ruolo", "-dal", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["convenzione", "ruolo"],
                condition=Q(sostituita_il__isnull=True),
                name="una_figura_attuale_per_ruolo",
            ),
            models.CheckConstraint(
                name="figura_del_comune_con_codice_fiscale",
                condition=Q(ruolo="referente_inps") | ~Q(codice_fiscale=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ruolo_display()}: {self.nome_completo}"

    @property
    def nome_completo(self) -> str:
        return f"{self.nome} {self.cognome}".strip()

    @property
    def recapiti(self) -> str:
        parti = [f"e-mail {self.email}", f"tel. {self.telefono}"]
        if self.pec:
            parti.append(f"PEC {self.pec}")
        return ", ".join(parti)


class Criticita(models.Model):
    """A problem a Referente reports in the working of the convention (Messaggio 4461/2023); the other party takes
    it in charge and resolves it."""

    class Stato(models.TextChoices):
        APERTA = "aperta", "Aperta"
        IN_CARICO = "in_carico", "Presa in carico"
        RISOLTA = "risolta", "Risolta"

    convenzione = models.ForeignKey(Convenzione, on_delete=models.CASCADE, related_name="criticita")
    parte = models.CharField("segnalata dalla parte", max_length=10, choices=Parte.choices, db_index=True)
    oggetto = models.CharField(max_length=200)
    descrizione = models.TextField()
    stato = models.CharField(max_length=20, choices=Stato.choices, default=Stato.APERTA, db_index=True)
    segnalata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    segnalata_il = models.DateTimeField(default=clock.now)
    presa_in_carico_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risolta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risolta_il = models.DateTimeField(null=True, blank=True)
    risoluzione = models.TextField(blank=True)

    class Meta:
        verbose_name = "criticità"
        verbose_name_plural = "criticità"
        ordering = ["-segnalata_il", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="criticita_risolta_con_risoluzione", condition=~Q(stato="risolta") | ~Q(risoluzione="")
            )
        ]

    def __str__(self) -> str:
        return f"{self.oggetto} ({self.get_stato_display().lower()})"

    @property
    def parte_che_gestisce(self) -> Parte:
        """The other party: the one that takes the problem in charge."""
        return Parte(self.parte).altra


class EventoCriticita(EventoDiStato):
    criticita = models.ForeignKey(Criticita, on_delete=models.CASCADE, related_name="eventi")

    class Meta(EventoDiStato.Meta):
        verbose_name = "evento della criticità"
        verbose_name_plural = "eventi della criticità"


class PromemoriaConvenzione(models.Model):
    """A reminder of the expiry sent to both Referenti: one per convention and threshold (60, 15 days)."""

    convenzione = models.ForeignKey(Convenzione, on_delete=models.CASCADE, related_name="promemoria")
    soglia = models.PositiveSmallIntegerField("giorni prima della scadenza")
    scadenza = models.DateField()
    inviato_il = models.DateTimeField(default=clock.now)
    messaggio_pec = models.ForeignKey(
        "inps_portal.MessaggioPEC",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="messaggio PEC",
    )

    class Meta:
        verbose_name = "promemoria della scadenza"
        verbose_name_plural = "promemoria della scadenza"
        constraints = [
            models.UniqueConstraint(fields=["convenzione", "soglia"], name="un_promemoria_per_convenzione_e_soglia")
        ]

    def __str__(self) -> str:
        return f"{self.soglia} giorni prima del {self.scadenza:%d/%m/%Y}"
