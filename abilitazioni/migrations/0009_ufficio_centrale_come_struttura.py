"""The Direzione centrale that reviews an entry sent by PEC becomes a foreign key to the Struttura (it was its code
as a string). A code that names no Direzione centrale routed to nobody, and still does (the key stays empty).

On a new database the INPS structures are loaded after the migrations (``manage.py load_registry``), and the seed of
the catalogue already names two Direzioni centrali: those two are created here, as the registry creates them (which
then finds them by code and leaves them), so that the seed's routing is not lost."""

import django.db.models.deletion
from django.db import migrations, models

# accounts.riferimenti.DIREZIONI_CENTRALI, for the two the seed names (migration 0004), frozen as a migration must be.
DIREZIONI_DEL_CATALOGO = {
    "DC-CW": ("Direzione centrale Credito e Welfare", "dc.creditowelfare@postacert.inps.gov.it"),
    "DC-PA": ("Direzione centrale Posizione Assicurativa", ""),
}


def collega(apps, schema_editor):
    Abilitazione = apps.get_model("abilitazioni", "Abilitazione")
    Struttura = apps.get_model("accounts", "Struttura")
    direzioni = dict(Struttura.objects.filter(tipo="direzione_centrale").values_list("codice", "pk"))
    for abilitazione in Abilitazione.objects.exclude(ufficio_centrale=""):
        codice = abilitazione.ufficio_centrale
        if codice not in direzioni and codice in DIREZIONI_DEL_CATALOGO and not Struttura.objects.filter(codice=codice).exists():
            nome, pec = DIREZIONI_DEL_CATALOGO[codice]
            direzioni[codice] = Struttura.objects.create(
                codice=codice, nome=nome, tipo="direzione_centrale", pec=pec
            ).pk
        abilitazione.ufficio_centrale_dc_id = direzioni.get(codice)
        abilitazione.save(update_fields=["ufficio_centrale_dc"])


def scollega(apps, schema_editor):
    Abilitazione = apps.get_model("abilitazioni", "Abilitazione")
    for abilitazione in Abilitazione.objects.filter(ufficio_centrale_dc__isnull=False).select_related(
        "ufficio_centrale_dc"
    ):
        abilitazione.ufficio_centrale = abilitazione.ufficio_centrale_dc.codice
        abilitazione.save(update_fields=["ufficio_centrale"])


class Migration(migrations.Migration):
    dependencies = [
        ("abilitazioni", "0008_codice_del_catalogo"),
        ("accounts", "0016_abilitazioni_detenute_per_codice"),
    ]

    operations = [
        migrations.AddField(
            model_name="abilitazione",
            name="ufficio_centrale_dc",
            field=models.ForeignKey(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.struttura",
            ),
        ),
        migrations.RunPython(collega, scollega),
    ]
