"""The Comune's PUE operators (Messaggio 4461/2023): named by the Amministratore utenze, enabled by INPS.

"L'operatore del Comune, profilato e autorizzato al trattamento dei dati personali, accede al servizio ... con le
credenziali SPID almeno di II livello, CIE o CNS ... abilitate al servizio PUE dall'INPS per gli operatori
espressamente indicati dall'Amministratore Utente." A designation carries the operator's identity, contacts and the
act that authorises them to process personal data; INPS enables or refuses it; either side revokes it; the end of the
convention ends it. Only an enabled designation gives the ``operatore_comune`` role on the Comune.
"""

from __future__ import annotations

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
