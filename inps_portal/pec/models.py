"""The PEC outbox: every notification of the portal, its recipients, the receipts that prove what happened.

A message is written by ``pec_spedisci`` in the transaction of the change that causes it and only then sent by a task;
its Message-ID is fixed at that moment, so that every receipt (``X-Riferimento-Message-ID``) finds it. Receipts are
evidence: kept raw, never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from inps_portal import clock


class MessaggioPEC(models.Model):
    class Status(models.TextChoices):
        DA_INVIARE = "da_inviare", "Da inviare"
        IN_INVIO = "in_invio", "In invio"
        INVIATO = "inviato", "Inviato"
        ACCETTATO = "accettato", "Accettato"
        NON_ACCETTATO = "non_accettato", "Non accettato"
        CONSEGNATO = "consegnato", "Consegnato"
        ERRORE_CONSEGNA = "errore_consegna", "Errore di consegna"
        FALLITO = "fallito", "Invio fallito"

    message_id = models.CharField("Message-ID", max_length=250, unique=True)
    mittente = models.EmailField()
    oggetto = models.CharField(max_length=250)
    corpo_testo = models.TextField("testo")
    corpo_html = models.TextField("testo HTML", blank=True)
    modello = models.CharField("modello", max_length=100, help_text="Il modello di messaggio usato.")
    status = models.CharField("stato", max_length=20, choices=Status.choices, default=Status.DA_INVIARE, db_index=True)
    tentativi = models.PositiveSmallIntegerField(default=0)
    prossimo_tentativo = models.DateTimeField(default=clock.now, db_index=True)
    preso_in_carico_il = models.DateTimeField(null=True, blank=True)
    inviato_il = models.DateTimeField(null=True, blank=True)
    ultimo_errore = models.TextField(blank=True)
    creato_il = models.DateTimeField(default=clock.now, db_index=True)
    # The object the message concerns: the infrastructure knows no app, only a generic relation.
    riferimento_tipo = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name="tipo dell'oggetto collegato"
    )
    riferimento_id = models.CharField("identificativo dell'oggetto collegato", max_length=64, blank=True)
    riferimento = GenericForeignKey("riferimento_tipo", "riferimento_id")

    class Meta:
        verbose_name = "messaggio PEC"
        verbose_name_plural = "messaggi PEC"
        ordering = ["-creato_il"]
        indexes = [models.Index(fields=["riferimento_tipo", "riferimento_id"])]
        constraints = [
            models.CheckConstraint(
                name="pec_in_invio_ha_presa_in_carico",
                condition=~Q(status="in_invio") | Q(preso_in_carico_il__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.oggetto} ({self.get_status_display()})"


class DestinatarioPEC(models.Model):
    class Status(models.TextChoices):
        IN_ATTESA = "in_attesa", "In attesa"
        PREAVVISO_ERRORE = "preavviso_errore", "Preavviso di errore"
        CONSEGNATO = "consegnato", "Consegnato"
        ERRORE_CONSEGNA = "errore_consegna", "Errore di consegna"

    messaggio = models.ForeignKey(MessaggioPEC, on_delete=models.CASCADE, related_name="destinatari")
    indirizzo = models.EmailField()
    status = models.CharField("stato", max_length=20, choices=Status.choices, default=Status.IN_ATTESA, db_index=True)
    errore = models.TextField("errore esteso", blank=True)
    aggiornato_il = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "destinatario"
        verbose_name_plural = "destinatari"
        constraints = [models.UniqueConstraint(fields=["messaggio", "indirizzo"], name="pec_destinatario_unico")]

    def __str__(self) -> str:
        return self.indirizzo


class AllegatoPEC(models.Model):
    messaggio = models.ForeignKey(MessaggioPEC, on_delete=models.CASCADE, related_name="allegati")
    nome = models.CharField(max_length=200)
    tipo_mime = models.CharField("tipo MIME", max_length=100)
    contenuto = models.BinaryField()

    class Meta:
        verbose_name = "allegato"
        verbose_name_plural = "allegati"

    def __str__(self) -> str:
        return self.nome


class RicevutaPEC(models.Model):
    """A receipt from the PEC provider, kept raw as legal evidence; or a message that could not be used as one."""

    class Tipo(models.TextChoices):
        ACCETTAZIONE = "accettazione", "Accettazione"
        NON_ACCETTAZIONE = "non-accettazione", "Non accettazione"
        AVVENUTA_CONSEGNA = "avvenuta-consegna", "Avvenuta consegna"
        ERRORE_CONSEGNA = "errore-consegna", "Errore di consegna"
        PREAVVISO_ERRORE_CONSEGNA = "preavviso-errore-consegna", "Preavviso di errore di consegna"
        ALTRO = "altro", "Non riconosciuta"

    class Esito(models.TextChoices):
        APPLICATA = "applicata", "Applicata al messaggio"
        SCARTATA = "scartata", "Scartata"

    messaggio = models.ForeignKey(
        MessaggioPEC, on_delete=models.PROTECT, null=True, blank=True, related_name="ricevute"
    )
    tipo = models.CharField(max_length=30, choices=Tipo.choices, db_index=True)
    esito = models.CharField(max_length=20, choices=Esito.choices, db_index=True)
    motivo_scarto = models.TextField("motivo dello scarto", blank=True)
    identificativo = models.CharField(
        max_length=250, blank=True, help_text="Identificativo del messaggio di ricevuta attribuito dal gestore."
    )
    riferimento_message_id = models.CharField("Message-ID di riferimento", max_length=250, blank=True, db_index=True)
    consegna = models.CharField("destinatario interessato", max_length=254, blank=True)
    errore_esteso = models.TextField(blank=True)
    gestore = models.CharField("gestore emittente", max_length=200, blank=True)
    data_evento = models.DateTimeField("data dell'evento", null=True, blank=True)
    ricevuta_il = models.DateTimeField(default=clock.now)
    sha256 = models.CharField(
        "impronta SHA-256", max_length=64, unique=True, help_text="Impronta del messaggio grezzo."
    )
    grezzo = models.BinaryField("messaggio grezzo")

    class Meta:
        verbose_name = "ricevuta PEC"
        verbose_name_plural = "ricevute PEC"
        ordering = ["-ricevuta_il"]
        constraints = [
            models.UniqueConstraint(
                fields=["identificativo"], condition=~Q(identificativo=""), name="pec_ricevuta_identificativo_unico"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.consegna}".strip()


class EventoPEC(models.Model):
    """Every change of a message's status: the audit trail the admin shows."""

    messaggio = models.ForeignKey(MessaggioPEC, on_delete=models.CASCADE, related_name="eventi")
    da = models.CharField(max_length=20, blank=True)
    a = models.CharField(max_length=20)
    motivo = models.TextField(blank=True)
    quando = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "evento"
        verbose_name_plural = "eventi"
        ordering = ["quando", "pk"]

    def __str__(self) -> str:
        return f"{self.da or '—'} → {self.a}"


class PECInArrivo(models.Model):
    """A message that arrived in one of INPS's mailboxes (the routing addresses of the circolare), kept raw.

    The infrastructure reads and keeps it, verifies the signatures of its attachments, and asks the apps whether it
    belongs to one of their objects (``services.pec_arrivata``); what nobody claims waits to be sorted by hand.
    Nothing that arrives is ever dropped: a message read twice is one row (its SHA-256).
    """

    class Status(models.TextChoices):
        DA_SMISTARE = "da_smistare", "Da smistare"
        SMISTATA = "smistata", "Smistata"

    casella = models.EmailField("casella INPS", db_index=True)
    certificata = models.BooleanField(
        default=False, help_text="Arrivata in una busta di trasporto PEC, con i dati di certificazione del gestore."
    )
    mittente = models.EmailField(blank=True)
    oggetto = models.CharField(max_length=500, blank=True)
    message_id = models.CharField("Message-ID", max_length=250, blank=True, db_index=True)
    identificativo = models.CharField("identificativo del gestore", max_length=250, blank=True)
    inviata_il = models.DateTimeField(null=True, blank=True)
    ricevuta_il = models.DateTimeField(default=clock.now, db_index=True)
    status = models.CharField("stato", max_length=20, choices=Status.choices, default=Status.DA_SMISTARE, db_index=True)
    motivo = models.TextField("perché è da smistare", blank=True)
    smistata_il = models.DateTimeField(null=True, blank=True)
    smistata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vuoto: smistata in automatico.",
    )
    riferimento_tipo = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name="tipo dell'oggetto collegato"
    )
    riferimento_id = models.CharField("identificativo dell'oggetto collegato", max_length=64, blank=True)
    riferimento = GenericForeignKey("riferimento_tipo", "riferimento_id")
    sha256 = models.CharField(
        "impronta SHA-256", max_length=64, unique=True, help_text="Impronta del messaggio grezzo."
    )
    grezzo = models.BinaryField("messaggio grezzo")

    class Meta:
        verbose_name = "PEC in arrivo"
        verbose_name_plural = "PEC in arrivo"
        ordering = ["-ricevuta_il"]
        indexes = [models.Index(fields=["riferimento_tipo", "riferimento_id"], name="pec_arrivo_riferimento")]
        constraints = [
            models.CheckConstraint(
                name="pec_smistata_ha_riferimento",
                condition=~Q(status="smistata") | Q(riferimento_tipo__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.oggetto or '(senza oggetto)'} da {self.mittente or 'mittente sconosciuto'}"


class AllegatoPECInArrivo(models.Model):
    """An attachment of an incoming PEC, with the outcome of the verification of its digital signature."""

    pec = models.ForeignKey(PECInArrivo, on_delete=models.CASCADE, related_name="allegati", verbose_name="PEC")
    nome = models.CharField(max_length=200)
    tipo_mime = models.CharField("tipo MIME", max_length=100)
    contenuto = models.BinaryField()
    sha256 = models.CharField("impronta SHA-256", max_length=64)
    firmato = models.BooleanField(default=False, db_index=True)
    firma_valida = models.BooleanField(
        default=False, help_text="Firma integra, di un certificato valido, emesso da un'autorità riconosciuta."
    )
    firmatario = models.CharField(max_length=250, blank=True)
    codice_fiscale_firmatario = models.CharField(max_length=16, blank=True)
    emittente = models.CharField("emittente del certificato", max_length=500, blank=True)
    numero_serie = models.CharField("numero di serie del certificato", max_length=100, blank=True)
    firmato_il = models.DateTimeField(null=True, blank=True)
    problemi = models.JSONField("esito della verifica", default=list)

    class Meta:
        verbose_name = "allegato ricevuto"
        verbose_name_plural = "allegati ricevuti"

    def __str__(self) -> str:
        return self.nome
