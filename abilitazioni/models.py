"""The catalogue of abilitazioni of the Circolare INPS 71/2016 (section 4): data, editable by central staff."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.models import CODICE_ABILITAZIONE_MAX, Struttura, codice_abilitazione
from inps_portal import clock
from inps_portal.eventi import EventoDiStato


class Abilitazione(models.Model):
    class Allegato(models.IntegerChoices):
        ALLEGATO_2 = 2, "Allegato 2"
        ALLEGATO_3 = 3, "Allegato 3"
        ALLEGATO_4 = 4, "Allegato 4"
        ALLEGATO_5 = 5, "Allegato 5"

    class Canale(models.TextChoices):
        SEDE_TERRITORIALE = "sede_territoriale", "Richiesta alla sede territoriale competente per l'Ente"
        DIREZIONE_REGIONALE = (
            "direzione_regionale",
            "Richiesta alla Direzione regionale, Area/team Prestazioni a sostegno del reddito, Credito e Welfare",
        )
        PEC_DALL_ENTE = "pec_dall_ente", "PEC inviata dall'Ente all'indirizzo indicato"
        PEC_DIREZIONE_CENTRALE = "pec_direzione_centrale", "PEC alla Direzione centrale indicata"

    class Prerequisito(models.TextChoices):
        PIN = "pin", "PIN"
        PIN_DISPOSITIVO = "pin_dispositivo", "PIN dispositivo"

    codice = models.SlugField(
        max_length=CODICE_ABILITAZIONE_MAX,
        unique=True,
        help_text=(
            "La chiave stabile della voce: lega le abilitazioni che le persone già detengono. Si sceglie alla "
            "creazione (lettere minuscole, cifre e trattini) e poi non cambia più, anche se la voce viene rinominata."
        ),
    )
    nome = models.CharField(max_length=150, unique=True)
    allegato = models.PositiveSmallIntegerField(choices=Allegato.choices, db_index=True)
    canale = models.CharField(max_length=30, choices=Canale.choices)
    indirizzo_pec = models.EmailField(
        "indirizzo PEC di destinazione", blank=True, help_text="Solo per i canali via PEC: dato di instradamento."
    )
    ufficio_centrale = models.ForeignKey(
        Struttura,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="abilitazioni_esaminate",
        limit_choices_to={"tipo": Struttura.Tipo.DIREZIONE_CENTRALE},
        verbose_name="Direzione centrale che esamina",
        help_text=(
            "Solo per i canali via PEC: la Direzione centrale che legge la casella e decide. Le richieste le "
            "compaiono in coda nel back office."
        ),
    )
    prerequisito = models.CharField(max_length=20, choices=Prerequisito.choices, default=Prerequisito.PIN)
    attiva = models.BooleanField(default=True)

    class Meta:
        verbose_name = "abilitazione"
        verbose_name_plural = "abilitazioni (catalogo)"
        ordering = ["allegato", "nome"]
        constraints = [
            models.CheckConstraint(
                name="pec_solo_per_i_canali_pec",
                condition=(
                    Q(canale__in=["pec_dall_ente", "pec_direzione_centrale"]) & ~Q(indirizzo_pec="")
                    | Q(canale__in=["sede_territoriale", "direzione_regionale"], indirizzo_pec="")
                ),
            )
        ]

    def __str__(self) -> str:
        return self.nome

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new entry created without a key (a data migration, a script) gets the key of its first name.
        if not self.codice:
            self.codice = codice_abilitazione(self.nome)
        super().save(*args, **kwargs)

    @property
    def via_pec(self) -> bool:
        return self.canale in (self.Canale.PEC_DALL_ENTE, self.Canale.PEC_DIREZIONE_CENTRALE)

    def clean(self) -> None:
        errori = {}
        if self.via_pec and not self.indirizzo_pec:
            errori["indirizzo_pec"] = "Per un canale via PEC indichi l'indirizzo di destinazione."
        if not self.via_pec and self.indirizzo_pec:
            errori["indirizzo_pec"] = "L'indirizzo PEC si indica solo per i canali via PEC."
        if not self.via_pec and self.ufficio_centrale_id is not None:
            errori["ufficio_centrale"] = "La Direzione centrale si indica solo per i canali via PEC."
        elif self.ufficio_centrale is not None and self.ufficio_centrale.tipo != Struttura.Tipo.DIREZIONE_CENTRALE:
            errori["ufficio_centrale"] = "Scelga una Direzione centrale."
        if errori:
            raise ValidationError(errori)


def _percorso_modulo(instance: object, filename: str) -> str:
    """A random name: nothing of the uploaded file's name ends up on disk."""
    import uuid
    from pathlib import PurePath

    return f"moduli/{clock.today():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class RichiestaAbilitazioni(models.Model):
    """What an operator asked for one Ente, at once: split into one routed request per allegato."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="richieste_abilitazioni", verbose_name="operatore"
    )
    ente = models.ForeignKey("accounts.Ente", on_delete=models.PROTECT, related_name="richieste_abilitazioni")
    creata_il = models.DateTimeField("creata il", default=clock.now, db_index=True)

    class Meta:
        verbose_name = "richiesta di abilitazioni"
        verbose_name_plural = "richieste di abilitazioni"
        ordering = ["-creata_il"]

    def __str__(self) -> str:
        return f"{self.user} per {self.ente} ({self.creata_il:%d/%m/%Y})"


class RichiestaInstradata(models.Model):
    """The part of a request that one office decides: the abilitazioni of one allegato."""

    class Status(models.TextChoices):
        ATTESA_MODULO = "attesa_modulo", "In attesa del modulo firmato"
        INVIATA = "inviata", "Modulo ricevuto, in attesa dell'ufficio"
        IN_CARICO = "in_carico", "Presa in carico"
        APPROVATA = "approvata", "Approvata"
        RESPINTA = "respinta", "Respinta"
        RITIRATA = "ritirata", "Ritirata"

    richiesta = models.ForeignKey(RichiestaAbilitazioni, on_delete=models.CASCADE, related_name="instradate")
    allegato = models.PositiveSmallIntegerField(choices=Abilitazione.Allegato.choices)
    struttura = models.ForeignKey(
        "accounts.Struttura",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="richieste_abilitazioni",
        help_text="L'ufficio che decide, quando la richiesta arriva nel portale.",
    )
    indirizzo_pec = models.EmailField(
        "indirizzo PEC", blank=True, help_text="L'indirizzo PEC di destinazione (allegati 4 e 5)."
    )
    status = models.CharField(
        "stato", max_length=20, choices=Status.choices, default=Status.ATTESA_MODULO, db_index=True
    )
    motivo = models.TextField(blank=True)
    # The modulo signed by the Ente's legal representative: uploaded by the operator (allegati 2 and 3) or attached
    # to the PEC the Ente sent to the routing address (4 and 5). The request reaches the office when it arrives.
    modulo_firmato = models.FileField(upload_to=_percorso_modulo, blank=True)
    modulo_ricevuto_il = models.DateTimeField(null=True, blank=True)
    pec_in_arrivo = models.ForeignKey(
        "inps_portal.PECInArrivo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="PEC dell'Ente",
        help_text="Allegati 4 e 5: la PEC con cui l'Ente ha inviato il modulo firmato.",
    )
    firma = models.JSONField(
        "verifica della firma del modulo",
        default=dict,
        blank=True,
        help_text="Esito della verifica della firma digitale del modulo (vuoto: non ancora ricevuto).",
    )
    messaggio_pec = models.OneToOneField(
        "inps_portal.MessaggioPEC",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="PEC inviata dal portale (storico)",
        help_text="Solo richieste precedenti: il portale non invia più la PEC al posto dell'Ente.",
    )
    aggiornata_il = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "richiesta instradata"
        verbose_name_plural = "richieste instradate"
        ordering = ["allegato"]
        # An office's queue: its own rows, newest first, read from the index whatever the other offices hold.
        indexes = [models.Index(fields=["struttura", "-id"], name="coda_dell_ufficio")]
        constraints = [
            models.UniqueConstraint(fields=["richiesta", "allegato"], name="una_instradata_per_allegato"),
            models.CheckConstraint(
                name="destinazione_presente", condition=Q(struttura__isnull=False) | ~Q(indirizzo_pec="")
            ),
        ]

    def __str__(self) -> str:
        return f"Allegato {self.allegato}: {self.get_status_display()}"

    @property
    def in_corso(self) -> bool:
        """Still waiting for a decision: sent, or taken in charge."""
        return self.status in IN_CORSO

    @property
    def ritirabile(self) -> bool:
        """The operator may still withdraw it: nobody has taken it in charge."""
        return self.status in (self.Status.ATTESA_MODULO, self.Status.INVIATA)

    @property
    def numero(self) -> str:
        """The number printed on the modulo and quoted in the PEC: the request, then the allegato."""
        return f"{self.richiesta_id}/{self.allegato}"

    @property
    def nome_file_modulo(self) -> str:
        return f"allegato-{self.allegato}-richiesta-{self.richiesta_id}.pdf"


IN_CORSO = (
    RichiestaInstradata.Status.ATTESA_MODULO,
    RichiestaInstradata.Status.INVIATA,
    RichiestaInstradata.Status.IN_CARICO,
)


class VoceRichiesta(models.Model):
    class Operazione(models.TextChoices):
        AGGIUNGI = "aggiungi", "Aggiunta"
        RIMUOVI = "rimuovi", "Rimozione"

    instradata = models.ForeignKey(
        RichiestaInstradata, on_delete=models.CASCADE, related_name="voci", verbose_name="richiesta instradata"
    )
    abilitazione = models.ForeignKey(Abilitazione, on_delete=models.PROTECT, related_name="+")
    operazione = models.CharField(max_length=10, choices=Operazione.choices)

    class Meta:
        verbose_name = "voce"
        verbose_name_plural = "voci"
        constraints = [models.UniqueConstraint(fields=["instradata", "abilitazione"], name="una_voce_per_abilitazione")]

    def __str__(self) -> str:
        return f"{self.get_operazione_display()}: {self.abilitazione}"


class EventoRichiesta(EventoDiStato):
    instradata = models.ForeignKey(
        RichiestaInstradata, on_delete=models.CASCADE, related_name="eventi", verbose_name="richiesta instradata"
    )

    class Meta(EventoDiStato.Meta):
        verbose_name = "evento"
        verbose_name_plural = "eventi"


class EventoCatalogo(models.Model):
    """A change to an entry of the catalogue (it changes where requests go, or what they need): who, when, what each
    changed field was and became. Append-only; the admin shows it under the entry."""

    class Azione(models.TextChoices):
        CREATA = "creata", "Voce creata"
        MODIFICATA = "modificata", "Voce modificata"

    abilitazione = models.ForeignKey(Abilitazione, on_delete=models.PROTECT, related_name="eventi")
    azione = models.CharField(max_length=20, choices=Azione.choices)
    da = models.JSONField("prima", default=dict, blank=True, help_text="I campi cambiati, com'erano.")
    a = models.JSONField("dopo", default=dict, help_text="I campi cambiati, come sono diventati.")
    chi = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", help_text="Vuoto: dal sistema."
    )
    motivo = models.TextField(blank=True)
    quando = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "modifica del catalogo"
        verbose_name_plural = "modifiche del catalogo"
        ordering = ["-quando", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_azione_display()}: {self.abilitazione}"
