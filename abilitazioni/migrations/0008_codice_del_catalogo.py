"""The catalogue gets a stable key (``codice``): the slug of each entry's name, fixed from now on. The held
abilitazioni (accounts) carry that key: those that name an entry as the catalogue does today get its key."""

import re
import unicodedata

from django.db import migrations, models


def _codice(nome):
    # The rule of accounts.models.codice_abilitazione (django.utils.text.slugify, at most 150 characters), frozen
    # here as a migration must be.
    valore = unicodedata.normalize("NFKD", str(nome)).encode("ascii", "ignore").decode("ascii")
    valore = re.sub(r"[^\w\s-]", "", valore.lower())
    return re.sub(r"[-\s]+", "-", valore).strip("-_")[:150].strip("-")


def riempi(apps, schema_editor):
    Abilitazione = apps.get_model("abilitazioni", "Abilitazione")
    AbilitazioneDetenuta = apps.get_model("accounts", "AbilitazioneDetenuta")
    usati = set()
    for abilitazione in Abilitazione.objects.order_by("pk"):
        base = _codice(abilitazione.nome) or "abilitazione"
        codice, n = base, 1
        while codice in usati:  # two names with the same slug: the later entry gets a suffix
            n += 1
            codice = f"{base[:140]}-{n}"
        usati.add(codice)
        abilitazione.codice = codice
        abilitazione.save(update_fields=["codice"])
        # Held rows that name this entry as the catalogue does (also a name whose slug differs from the key).
        AbilitazioneDetenuta.objects.filter(nome=abilitazione.nome).exclude(codice=codice).update(codice=codice)


class Migration(migrations.Migration):
    dependencies = [
        ("abilitazioni", "0007_nomi_dei_campi_in_italiano"),
        ("accounts", "0016_abilitazioni_detenute_per_codice"),
    ]

    operations = [
        migrations.AddField(
            model_name="abilitazione",
            name="codice",
            field=models.SlugField(db_index=False, max_length=150, null=True),
        ),
        migrations.RunPython(riempi, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="abilitazione",
            name="codice",
            field=models.SlugField(
                help_text=(
                    "La chiave stabile della voce: lega le abilitazioni che le persone già detengono. Si sceglie alla "
                    "creazione (lettere minuscole, cifre e trattini) e poi non cambia più, anche se la voce viene "
                    "rinominata."
                ),
                max_length=150,
                unique=True,
            ),
        ),
    ]
