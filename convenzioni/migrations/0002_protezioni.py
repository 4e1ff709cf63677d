"""What the database itself refuses, whatever writes around the services (a raw UPDATE, a script, the shell):

- a version of the Convenzione quadro used by a convention never changes;
- a convention signed by the Comune keeps its text, version, generated document, Comune, term and signatory;
- the documents and the signature records of the conventions are never updated (they are only added).

Triggers, written for the database in use (PostgreSQL in production and tests, SQLite for ``make run``); deletions
are already refused by the foreign keys. On SQLite a later migration that rebuilds one of these tables drops its
triggers: such a migration must call ``crea`` again.
"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION convenzioni_versione_immutabile() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM convenzioni_convenzione WHERE versione_id = OLD.id) THEN
            RAISE EXCEPTION 'La versione % della convenzione quadro è usata da una convenzione: non può essere modificata', OLD.numero
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER versione_quadro_immutabile BEFORE UPDATE ON convenzioni_versionequadro
    FOR EACH ROW EXECUTE FUNCTION convenzioni_versione_immutabile()
    """,
    """
    CREATE OR REPLACE FUNCTION convenzioni_convenzione_firmata() RETURNS trigger AS $$
    BEGIN
        IF OLD.stato <> 'bozza' AND (
            NEW.testo IS DISTINCT FROM OLD.testo
            OR NEW.versione_id IS DISTINCT FROM OLD.versione_id
            OR NEW.documento_generato_id IS DISTINCT FROM OLD.documento_generato_id
            OR NEW.comune_id IS DISTINCT FROM OLD.comune_id
            OR NEW.direzione_id IS DISTINCT FROM OLD.direzione_id
            OR NEW.data_inizio IS DISTINCT FROM OLD.data_inizio
            OR NEW.data_fine IS DISTINCT FROM OLD.data_fine
            OR NEW.legale_rappresentante_codice_fiscale IS DISTINCT FROM OLD.legale_rappresentante_codice_fiscale
        ) THEN
            RAISE EXCEPTION 'La convenzione % è firmata: il suo testo e i suoi dati non possono essere modificati', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER convenzione_firmata_immutabile BEFORE UPDATE ON convenzioni_convenzione
    FOR EACH ROW EXECUTE FUNCTION convenzioni_convenzione_firmata()
    """,
    """
    CREATE OR REPLACE FUNCTION convenzioni_sola_aggiunta() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'I documenti e le firme delle convenzioni non si modificano: si aggiungono'
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER documento_immutabile BEFORE UPDATE ON convenzioni_documentoconvenzione
    FOR EACH ROW EXECUTE FUNCTION convenzioni_sola_aggiunta()
    """,
    """
    CREATE TRIGGER firma_immutabile BEFORE UPDATE ON convenzioni_firmaconvenzione
    FOR EACH ROW EXECUTE FUNCTION convenzioni_sola_aggiunta()
    """,
]

POSTGRESQL_INVERSO = [
    "DROP TRIGGER IF EXISTS firma_immutabile ON convenzioni_firmaconvenzione",
    "DROP TRIGGER IF EXISTS documento_immutabile ON convenzioni_documentoconvenzione",
    "DROP FUNCTION IF EXISTS convenzioni_sola_aggiunta()",
    "DROP TRIGGER IF EXISTS convenzione_firmata_immutabile ON convenzioni_convenzione",
    "DROP FUNCTION IF EXISTS convenzioni_convenzione_firmata()",
    "DROP TRIGGER IF EXISTS versione_quadro_immutabile ON convenzioni_versionequadro",
    "DROP FUNCTION IF EXISTS convenzioni_versione_immutabile()",
]

SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS versione_quadro_immutabile BEFORE UPDATE ON convenzioni_versionequadro
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM convenzioni_convenzione WHERE versione_id = OLD.id)
    BEGIN
        SELECT RAISE(ABORT, 'La versione della convenzione quadro è usata da una convenzione: non può essere modificata');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS convenzione_firmata_immutabile BEFORE UPDATE ON convenzioni_convenzione
    FOR EACH ROW WHEN OLD.stato <> 'bozza' AND (
        NEW.testo IS NOT OLD.testo
        OR NEW.versione_id IS NOT OLD.versione_id
        OR NEW.documento_generato_id IS NOT OLD.documento_generato_id
        OR NEW.comune_id IS NOT OLD.comune_id
        OR NEW.direzione_id IS NOT OLD.direzione_id
        OR NEW.data_inizio IS NOT OLD.data_inizio
        OR NEW.data_fine IS NOT OLD.data_fine
        OR NEW.legale_rappresentante_codice_fiscale IS NOT OLD.legale_rappresentante_codice_fiscale
    )
    BEGIN
        SELECT RAISE(ABORT, 'La convenzione è firmata: il suo testo e i suoi dati non possono essere modificati');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS documento_immutabile BEFORE UPDATE ON convenzioni_documentoconvenzione
    BEGIN
        SELECT RAISE(ABORT, 'I documenti e le firme delle convenzioni non si modificano: si aggiungono');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS firma_immutabile BEFORE UPDATE ON convenzioni_firmaconvenzione
    BEGIN
        SELECT RAISE(ABORT, 'I documenti e le firme delle convenzioni non si modificano: si aggiungono');
    END
    """,
]

SQLITE_INVERSO = [
    "DROP TRIGGER IF EXISTS firma_immutabile",
    "DROP TRIGGER IF EXISTS documento_immutabile",
    "DROP TRIGGER IF EXISTS convenzione_firmata_immutabile",
    "DROP TRIGGER IF EXISTS versione_quadro_immutabile",
]


def _esegui(schema_editor, per_database):
    istruzioni = per_database.get(schema_editor.connection.vendor)
    if istruzioni is None:
        raise RuntimeError(f"Protezioni delle convenzioni non scritte per {schema_editor.connection.vendor}")
    for sql in istruzioni:
        schema_editor.execute(sql, params=None)


def crea(apps, schema_editor):
    _esegui(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def elimina(apps, schema_editor):
    _esegui(schema_editor, {"postgresql": POSTGRESQL_INVERSO, "sqlite": SQLITE_INVERSO})


class Migration(migrations.Migration):
    dependencies = [("convenzioni", "0001_iniziale")]
    operations = [migrations.RunPython(crea, elimina)]
