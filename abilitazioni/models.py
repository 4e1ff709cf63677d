"""The catalogue of abilitazioni of the Circolare INPS 71/2016 (section 4): data, editable by central staff."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


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

    nome = models.CharField(max_length=150, unique=True)
    allegato = models.PositiveSmallIntegerField(choices=Allegato.choices, db_index=True)
    canale = models.CharField(max_length=30, choices=Canale.choices)
    indirizzo_pec = models.EmailField(
        "indirizzo PEC di destinazione", blank=True, help_text="Solo per i canali via PEC: dato di instradamento."
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
