"""Held abilitazioni carry the key of the catalogue's entry (``codice``), filled here from their name; the
abilitazioni app's migration that gives the catalogue its keys then aligns them with the catalogue by name."""

import unicodedata

from django.db import migrations, models


def _codice(nome):
    # The rule of accounts.models.codice_abilitazione (django.utils.text.slugify, at most 150 characters), frozen
    # here as a migration must be.
    import re

    valore = unicodedata.normalize("NFKD", str(nome)).encode("ascii", "ignore").decode("ascii")
    valore = re.sub(r"[^\w\s-]", "", valore.lower())
    return re.sub(r"[-\s]+", "-", valore).strip("-_")[:150].strip("-")


def riempi(apps, schema_editor):
    """Each row gets the key of its name. Two rows of one credential and Ente whose names give the same key (the same
    abilitazione spelled twice) become one, which keeps the earliest known date."""
    AbilitazioneDetenuta = apps.get_model("accounts", "AbilitazioneDetenuta")
    tenute = {}
    doppie = []
    for riga in AbilitazioneDetenuta.objects.order_by("pk"):
        riga.codice = _codice(riga.nome) or f"abilitazione-{riga.pk}"
        chiave = (riga.pin_id, riga.credenziale_ex_inpdap_id, riga.ente_id, riga.codice)
        prima = tenute.get(chiave)
        if prima is None:
            tenute[chiave] = riga
            continue
        if riga.dal and (prima.dal is None or riga.dal < prima.dal):
            prima.dal = riga.dal
        doppie.append(riga.pk)
    AbilitazioneDetenuta.objects.filter(pk__in=doppie).delete()
    AbilitazioneDetenuta.objects.bulk_update(list(tenute.values()), ["codice", "dal"], batch_size=1000)


def svuota(apps, schema_editor):
    pass  # the column goes away with the field


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_nomi_dei_campi_in_italiano"),
    ]

    operations = [
        migrations.AddField(
            model_name="abilitazionedetenuta",
            name="codice",
            field=models.SlugField(
                default="",
                help_text="La chiave della voce del catalogo: non cambia se la voce è rinominata.",
                max_length=150,
                verbose_name="codice dell'abilitazione",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(riempi, svuota),
    ]
