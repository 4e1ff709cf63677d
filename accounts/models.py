"""The territory (ISTAT), INPS's own structures, the public bodies (Enti), and the people who log in.

Competence ("which Sede is competent for this Comune") is never stored on the Comune or the Ente: it is derived
from the territory by the queries in ``selectors/competenza.py``, so that moving a Comune or opening a Sede changes it
at once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale, validate_codice_fiscale_ente
from inps_portal import clock
from inps_portal.eventi import EventoDiStato


class Regione(models.Model):
    codice_istat = models.CharField("codice ISTAT", max_length=2, unique=True)
    nome = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "regione"
        verbose_name_plural = "regioni"
        ordering = ["nome"]

    def __str__(self) -> str:
        return self.nome


class Provincia(models.Model):
    codice_istat = models.CharField("codice ISTAT", max_length=3, unique=True)
    nome = models.CharField(max_length=100)
    sigla = models.CharField(max_length=2, unique=True)
    regione = models.ForeignKey(Regione, on_delete=models.PROTECT, related_name="province")

    class Meta:
        verbose_name = "provincia"
        verbose_name_plural = "province"
        ordering = ["nome"]

    def __str__(self) -> str:
        return f"{self.nome} ({self.sigla})"


def chiave_di_ricerca(nome: str) -> str:
    """A name as people type it when searching: lower case, no accents, apostrophes and dashes as spaces ("forli"
    finds Forlì, "sant angelo" finds Sant'Angelo). Stored beside the name, so the same on SQLite and PostgreSQL."""
    senza_accenti = unicodedata.normalize("NFKD", nome).encode("ascii", "ignore").decode()
    return " ".join(senza_accenti.lower().replace("'", " ").replace("-", " ").split())


class Comune(models.Model):
    codice_istat = models.CharField("codice ISTAT", max_length=6, unique=True)
    codice_catastale = models.CharField(
        "codice catastale", max_length=4, unique=True, help_text="Il codice Belfiore, quello del codice fiscale."
    )
    nome = models.CharField(max_length=100, db_index=True)
    nome_ricerca = models.CharField("nome per la ricerca", max_length=100, db_index=True, editable=False, default="")
    provincia = models.ForeignKey(Provincia, on_delete=models.PROTECT, related_name="comuni")
    popolazione = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "comune"
        verbose_name_plural = "comuni"
        ordering = ["nome"]
        permissions = [
            ("operatore_comune", "Opera per il Comune nel Punto Utente Evoluto"),
            ("amministratore_utenze_comune", "Amministra le utenze PUE del Comune"),
            ("referente_comune", "Referente del Comune per la convenzione PUE"),
        ]

    def __str__(self) -> str:
        # The province is named only when already loaded: a label must never cost a query.
        return f"{self.nome} ({self.provincia.sigla})" if Comune.provincia.is_cached(self) else self.nome

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.nome_ricerca = chiave_di_ricerca(self.nome)
        if (campi := kwargs.get("update_fields")) is not None and "nome" in campi:
            kwargs["update_fields"] = {*campi, "nome_ricerca"}
        super().save(*args, **kwargs)


class Prestazione(models.Model):
    """A benefit or service INPS provides; some are handled by a Polo nazionale rather than by the territory."""

    codice = models.SlugField(max_length=60, unique=True)
    nome = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = "prestazione"
        verbose_name_plural = "prestazioni"
        ordering = ["nome"]

    def __str__(self) -> str:
        return self.nome


class Struttura(models.Model):
    """An INPS office: central, regional, metropolitan, territorial, or a national pole."""

    class Tipo(models.TextChoices):
        DIREZIONE_CENTRALE = "direzione_centrale", "Direzione centrale"
        DIREZIONE_REGIONALE = "direzione_regionale", "Direzione regionale"
        DIREZIONE_METROPOLITANA = "direzione_metropolitana", "Direzione di coordinamento metropolitano"
        SEDE_TERRITORIALE = "sede_territoriale", "Sede territoriale"
        POLO_NAZIONALE = "polo_nazionale", "Polo nazionale"

    codice = models.CharField(max_length=20, unique=True)
    nome = models.CharField(max_length=200)
    tipo = models.CharField(max_length=30, choices=Tipo.choices, db_index=True)
    regione = models.ForeignKey(
        Regione,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="strutture",
        help_text="Solo per le Direzioni regionali: la regione di competenza.",
    )
    provincia = models.ForeignKey(
        Provincia,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="strutture",
        help_text="Per Sedi territoriali e Direzioni di coordinamento metropolitano: la provincia di competenza.",
    )
    pec = models.EmailField("indirizzo PEC", blank=True)
    prestazioni = models.ManyToManyField(
        Prestazione,
        blank=True,
        related_name="poli",
        help_text="Solo per i Poli nazionali: le prestazioni di competenza.",
    )
    attiva = models.BooleanField(default=True)

    class Meta:
        verbose_name = "struttura INPS"
        verbose_name_plural = "strutture INPS"
        ordering = ["tipo", "nome"]
        permissions = [
            ("personale_struttura", "Personale della struttura (back office)"),
            ("direttore_struttura", "Dirige la struttura e firma le convenzioni"),
            ("operatore_sportello", "Operatore di sportello della struttura"),
            ("referente_inps", "Referente INPS per le convenzioni PUE"),
        ]
        constraints = [
            models.CheckConstraint(
                name="struttura_territorio_coerente_col_tipo",
                condition=(
                    Q(tipo="direzione_regionale", regione__isnull=False, provincia__isnull=True)
                    | Q(
                        tipo__in=["sede_territoriale", "direzione_metropolitana"],
                        provincia__isnull=False,
                        regione__isnull=True,
                    )
                    | Q(tipo__in=["direzione_centrale", "polo_nazionale"], regione__isnull=True, provincia__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["regione"],
                condition=Q(tipo="direzione_regionale", attiva=True),
                name="una_direzione_regionale_per_regione",
            ),
            models.UniqueConstraint(
                fields=["provincia", "tipo"],
                condition=Q(attiva=True, provincia__isnull=False),
                name="una_struttura_per_tipo_e_provincia",
            ),
        ]

    def __str__(self) -> str:
        return self.nome


class Ente(models.Model):
    """A public body (Amministrazione o Ente pubblico) whose operators use the Area riservata."""

    nome = models.CharField(max_length=250)
    codice_fiscale = models.CharField(
        "codice fiscale", max_length=11, unique=True, validators=[validate_codice_fiscale_ente]
    )
    pec = models.EmailField("indirizzo PEC")
    comune = models.ForeignKey(
        Comune, on_delete=models.PROTECT, related_name="enti", verbose_name="comune della sede legale"
    )
    attivo = models.BooleanField(default=True)

    class Meta:
        verbose_name = "ente"
        verbose_name_plural = "enti"
        ordering = ["nome"]
        permissions = [("operatore_ente", "Opera per l'Ente nell'Area riservata Amministrazioni ed Enti")]

    def __str__(self) -> str:
        return self.nome


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, codice_fiscale: str, password: str | None, **fields: Any) -> User:
        user = self.model(codice_fiscale=normalizza_codice_fiscale(codice_fiscale), **fields)
        user.email = self.normalize_email(user.email)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, codice_fiscale: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(codice_fiscale, password, **fields)

    def create_superuser(self, codice_fiscale: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(codice_fiscale, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(codice_fiscale=normalizza_codice_fiscale(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: identified, as INPS identifies people, by the codice fiscale."""

    codice_fiscale = models.CharField(
        "codice fiscale",
        max_length=16,
        unique=True,
        validators=[validate_codice_fiscale],
        error_messages={"unique": "Esiste già un utente con questo codice fiscale."},
    )
    nome = models.CharField(max_length=100)
    cognome = models.CharField(max_length=100)
    email = models.EmailField("e-mail", blank=True)
    is_staff = models.BooleanField(
        "accesso al back office", default=False, help_text="Può entrare nell'amministrazione del portale."
    )
    is_active = models.BooleanField("attivo", default=True)
    date_joined = models.DateTimeField("data di registrazione", default=clock.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "codice_fiscale"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nome", "cognome", "email"]

    class Meta:
        verbose_name = "utente"
        verbose_name_plural = "utenti"
        ordering = ["cognome", "nome"]

    def __str__(self) -> str:
        return f"{self.cognome} {self.nome} ({self.codice_fiscale})".strip()

    def clean(self) -> None:
        super().clean()
        self.codice_fiscale = normalizza_codice_fiscale(self.codice_fiscale)

    def get_full_name(self) -> str:
        return f"{self.nome} {self.cognome}".strip()

    def get_short_name(self) -> str:
        return self.nome


# --- Credentials (Circolare INPS 71/2016, sections 2 and 3) ---------------------------------------------------------


class CredenzialeExInpdap(models.Model):
    """The old GDP credential: codice fiscale and password, with its abilitazioni and the PassWeb enabling."""

    codice_fiscale = models.CharField(
        "codice fiscale", max_length=16, unique=True, validators=[validate_codice_fiscale]
    )
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="credenziale_ex_inpdap", verbose_name="persona"
    )
    password_hash = models.CharField(
        "impronta della password",
        max_length=250,
        help_text="Hash del sistema ex Inpdap, nel formato algoritmo$sale$hash.",
    )
    passweb_abilitato_dal = models.DateField("abilitato a PassWeb dal", null=True, blank=True)
    unificata_il = models.DateTimeField("unificata il", null=True, blank=True, db_index=True)
    importata_il = models.DateTimeField("importata il", default=clock.now)

    class Meta:
        verbose_name = "credenziale ex Inpdap"
        verbose_name_plural = "credenziali ex Inpdap"
        permissions = [("sportello_credenziali", "Unifica le credenziali allo sportello di una sede")]

    def __str__(self) -> str:
        return self.codice_fiscale


class PIN(models.Model):
    """An INPS PIN: 16 characters, known only to its holder, stored only as a hash."""

    class Tipo(models.TextChoices):
        ONLINE = "online", "PIN online"
        DISPOSITIVO = "dispositivo", "PIN dispositivo"

    class Status(models.TextChoices):
        ATTIVO = "attivo", "Attivo"
        SUPERATO = "superato", "Sostituito da un nuovo PIN"
        REVOCATO = "revocato", "Revocato"

    class Origine(models.TextChoices):
        PREESISTENTE = "preesistente", "PIN già rilasciato (importato)"
        UNIFICAZIONE_A = "unificazione_a", "Unificazione, caso a (solo credenziali ex Inpdap)"
        UNIFICAZIONE_B = "unificazione_b", "Unificazione, caso b (credenziali ex Inpdap e PIN)"
        SPORTELLO = "sportello", "Rilasciato allo sportello di una sede"
        RICHIESTA_ONLINE = "richiesta_online", "Rilasciato su richiesta online approvata dalla sede"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pin", verbose_name="persona")
    codice_hash = models.CharField("impronta del PIN", max_length=250)
    tipo = models.CharField(max_length=20, choices=Tipo.choices, db_index=True)
    status = models.CharField("stato", max_length=20, choices=Status.choices, default=Status.ATTIVO, db_index=True)
    origine = models.CharField(max_length=20, choices=Origine.choices)
    creato_il = models.DateTimeField(default=clock.now)
    superato_il = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "PIN"
        verbose_name_plural = "PIN"
        ordering = ["-creato_il"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="attivo"), name="un_solo_pin_attivo_per_persona"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} ({self.get_status_display().lower()})"


CODICE_ABILITAZIONE_MAX = 150


def codice_abilitazione(nome: str) -> str:
    """The stable key of an abilitazione of the catalogue (``abilitazioni.Abilitazione.codice``): the slug of the name
    under which it entered the catalogue. The names of the Circolare 71/2016 are fixed data, and the legacy systems (the
    GDP of ex-Inpdap, the PIN) name an abilitazione as the circolare does, so their name gives the key; a later rename
    in the catalogue changes the name shown, never the key."""
    return slugify(nome)[:CODICE_ABILITAZIONE_MAX].strip("-")


class AbilitazioniDetenuteManager(models.Manager["AbilitazioneDetenuta"]):
    def bulk_create(
        self, objs: Iterable[AbilitazioneDetenuta], *args: Any, **kwargs: Any
    ) -> list[AbilitazioneDetenuta]:
        # A row built with only the name (an import from the legacy systems) gets the key of that name, as in save().
        righe = list(objs)
        for riga in righe:
            riga.assegna_codice()
        return super().bulk_create(righe, *args, **kwargs)


class AbilitazioneDetenuta(models.Model):
    """An abilitazione held for an Ente, through an ex-Inpdap credential or through a PIN.

    ``codice`` is the key of the catalogue's entry (``abilitazioni.Abilitazione.codice``): every join goes through it,
    so a rename in the catalogue orphans nothing. ``nome`` is the name to show where the catalogue is not read (this
    app never imports it): the catalogue's service keeps it current when an entry is renamed."""

    objects: ClassVar[AbilitazioniDetenuteManager] = AbilitazioniDetenuteManager()

    credenziale_ex_inpdap = models.ForeignKey(
        CredenzialeExInpdap,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="abilitazioni",
        verbose_name="credenziale ex Inpdap",
    )
    pin = models.ForeignKey(
        PIN, on_delete=models.CASCADE, null=True, blank=True, related_name="abilitazioni", verbose_name="PIN"
    )
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="abilitazioni_detenute")
    codice = models.SlugField(
        "codice dell'abilitazione",
        max_length=CODICE_ABILITAZIONE_MAX,
        help_text="La chiave della voce del catalogo: non cambia se la voce è rinominata.",
    )
    nome = models.CharField("abilitazione", max_length=150)
    dal = models.DateField(
        "abilitato dal",
        null=True,
        blank=True,
        help_text="Quando è nota: per PassWeb, la data di abilitazione ex Inpdap.",
    )

    class Meta:
        verbose_name = "abilitazione detenuta"
        verbose_name_plural = "abilitazioni detenute"
        ordering = ["ente__nome", "nome"]
        constraints = [
            models.CheckConstraint(
                name="abilitazione_di_una_sola_credenziale",
                condition=Q(pin__isnull=True, credenziale_ex_inpdap__isnull=False)
                | Q(pin__isnull=False, credenziale_ex_inpdap__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["pin", "ente", "codice"], condition=Q(pin__isnull=False), name="abilitazione_unica_per_pin"
            ),
            models.UniqueConstraint(
                fields=["credenziale_ex_inpdap", "ente", "codice"],
                condition=Q(credenziale_ex_inpdap__isnull=False),
                name="abilitazione_unica_per_credenziale",
            ),
            models.CheckConstraint(name="abilitazione_detenuta_con_codice", condition=~Q(codice="")),
        ]

    def __str__(self) -> str:
        return f"{self.nome} ({self.ente})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.assegna_codice()
        super().save(*args, **kwargs)

    def assegna_codice(self) -> None:
        if not self.codice:
            self.codice = codice_abilitazione(self.nome)


class EventoCredenziale(models.Model):
    """Every change to a person's credentials: who, when, from where, what. The audit trail of the admin."""

    class Tipo(models.TextChoices):
        UNIFICAZIONE = "unificazione", "Unificazione delle credenziali"
        RIFIUTO_CREDENZIALE_DISMESSA = "rifiuto_dismessa", "Accesso con credenziale dismessa rifiutato"
        CONVERSIONE_SPORTELLO = "conversione_sportello", "Conversione in PIN dispositivo allo sportello"
        RILASCIO_SPORTELLO = "rilascio_sportello", "Rilascio di un PIN dispositivo allo sportello"
        RILASCIO_ONLINE = "rilascio_online", "Ritiro di un PIN dispositivo richiesto online"
        RITIRO_RIFIUTATO = "ritiro_rifiutato", "Tentativo di ritiro del PIN non riuscito"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="eventi_credenziali", verbose_name="persona")
    tipo = models.CharField(max_length=30, choices=Tipo.choices, db_index=True)
    dettagli = models.JSONField(default=dict)
    indirizzo_ip = models.GenericIPAddressField("indirizzo IP", null=True, blank=True)
    eseguito_da = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Operatore di sportello."
    )
    quando = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "evento sulle credenziali"
        verbose_name_plural = "eventi sulle credenziali"
        ordering = ["-quando"]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} - {self.user}"


class ScadenzaPinOnline(models.Model):
    """The date until which online PINs may use the Area riservata Amministrazioni ed Enti (1 July 2016 in the
    circolare). Set by central staff; never edited: a new row replaces the previous one, so the history stays."""

    data = models.DateField("ultimo giorno di validità dei PIN online nell'area")
    motivo = models.CharField(max_length=250, blank=True)
    impostata_da = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    impostata_il = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = "scadenza dei PIN online"
        verbose_name_plural = "scadenze dei PIN online (storico)"
        ordering = ["-impostata_il", "-pk"]

    def __str__(self) -> str:
        return f"{self.data:%d/%m/%Y}"


class PromemoriaScadenza(models.Model):
    """A reminder of the deadline sent to a person: one per person, deadline and threshold (30, 7, 1 days)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="promemoria_scadenza", verbose_name="persona")
    scadenza = models.DateField("scadenza")
    giorni_prima = models.PositiveSmallIntegerField("giorni prima della scadenza")
    inviato_il = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "promemoria della scadenza"
        verbose_name_plural = "promemoria della scadenza"
        constraints = [
            models.UniqueConstraint(fields=["user", "scadenza", "giorni_prima"], name="un_promemoria_per_soglia")
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.giorni_prima} giorni prima del {self.scadenza:%d/%m/%Y}"


def _percorso_documento(instance: Any, filename: str) -> str:
    """Uploaded documents get a random name: nothing of the person's file name ends up on disk."""
    import uuid
    from pathlib import PurePath

    return f"conversioni/{clock.today():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class RichiestaConversione(models.Model):
    """A request to turn an online PIN into a dispositivo one, reviewed by the Sede competent for the Ente."""

    class Status(models.TextChoices):
        INVIATA = "inviata", "Inviata, in attesa della sede"
        APPROVATA = "approvata", "Approvata: il PIN è dispositivo"
        RESPINTA = "respinta", "Respinta"

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="richieste_conversione", verbose_name="persona"
    )
    pin = models.ForeignKey(PIN, on_delete=models.PROTECT, related_name="richieste_conversione", verbose_name="PIN")
    ente = models.ForeignKey(
        Ente,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vuoto per chi non opera ancora per un Ente: la sede l'ha scelta la persona.",
    )
    sede = models.ForeignKey(
        Struttura,
        on_delete=models.PROTECT,
        related_name="richieste_conversione",
        help_text="La sede territoriale competente per l'Ente al momento della richiesta, o quella scelta.",
    )
    modulo_firmato = models.FileField(upload_to=_percorso_documento)
    documento_identita = models.FileField("documento di identità", upload_to=_percorso_documento)
    status = models.CharField("stato", max_length=20, choices=Status.choices, default=Status.INVIATA, db_index=True)
    motivo_rifiuto = models.TextField("motivo del rifiuto", blank=True)
    creata_il = models.DateTimeField(default=clock.now, db_index=True)
    decisa_il = models.DateTimeField(null=True, blank=True)
    decisa_da = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "richiesta di conversione del PIN"
        verbose_name_plural = "richieste di conversione del PIN"
        permissions = [("decidere_conversione", "Decide le richieste di conversione del PIN della propria sede")]
        ordering = ["-creata_il"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="inviata"), name="una_richiesta_di_conversione_in_corso"
            ),
            models.CheckConstraint(name="rifiuto_motivato", condition=~Q(status="respinta") | ~Q(motivo_rifiuto="")),
        ]

    def __str__(self) -> str:
        return f"Conversione del PIN di {self.user} ({self.get_status_display()})"


class EventoConversione(EventoDiStato):
    richiesta = models.ForeignKey(RichiestaConversione, on_delete=models.CASCADE, related_name="eventi")

    class Meta(EventoDiStato.Meta):
        verbose_name = "evento della richiesta"
        verbose_name_plural = "eventi della richiesta"


class RichiestaPin(models.Model):
    """A request for a new PIN dispositivo by a person who has none, or has lost it ("online o presso la sede",
    Circolare 71/2016, par. 4): the signed form and an identity document, reviewed by the Sede territoriale the person
    chose. Once approved, the person collects the PIN with the collection code shown only at submission: the PIN
    itself never travels by e-mail."""

    class Status(models.TextChoices):
        INVIATA = "inviata", "Inviata, in attesa della sede"
        APPROVATA = "approvata", "Approvata: PIN da ritirare"
        RITIRATA = "ritirata", "PIN ritirato"
        RESPINTA = "respinta", "Respinta"

    IN_CORSO = (Status.INVIATA, Status.APPROVATA)
    TENTATIVI_RITIRO_MASSIMI = 5

    codice_fiscale = models.CharField("codice fiscale", max_length=16, validators=[validate_codice_fiscale])
    nome = models.CharField(max_length=100)
    cognome = models.CharField(max_length=100)
    email = models.EmailField("e-mail")
    sede = models.ForeignKey(
        Struttura,
        on_delete=models.PROTECT,
        related_name="richieste_pin",
        help_text="La sede territoriale scelta dalla persona, che esamina la richiesta.",
    )
    modulo_firmato = models.FileField(upload_to=_percorso_documento)
    documento_identita = models.FileField("documento di identità", upload_to=_percorso_documento)
    codice_ritiro_hash = models.CharField("impronta del codice di ritiro", max_length=250)
    tentativi_ritiro = models.PositiveSmallIntegerField("tentativi di ritiro", default=0)
    status = models.CharField("stato", max_length=20, choices=Status.choices, default=Status.INVIATA, db_index=True)
    motivo_rifiuto = models.TextField("motivo del rifiuto", blank=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="richieste_pin", verbose_name="persona"
    )
    pin = models.ForeignKey(PIN, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="PIN")
    creata_il = models.DateTimeField(default=clock.now, db_index=True)
    decisa_il = models.DateTimeField(null=True, blank=True)
    decisa_da = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ritirata_il = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "richiesta di PIN dispositivo"
        verbose_name_plural = "richieste di PIN dispositivo"
        permissions = [("decidere_richiesta_pin", "Decide le richieste di PIN dispositivo della propria sede")]
        ordering = ["-creata_il"]
        constraints = [
            models.UniqueConstraint(
                fields=["codice_fiscale"],
                condition=Q(status__in=["inviata", "approvata"]),
                name="una_richiesta_di_pin_in_corso",
            ),
            models.CheckConstraint(
                name="rifiuto_della_richiesta_pin_motivato", condition=~Q(status="respinta") | ~Q(motivo_rifiuto="")
            ),
            models.CheckConstraint(
                name="richiesta_pin_ritirata_con_pin", condition=~Q(status="ritirata") | Q(pin__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"PIN dispositivo per {self.cognome} {self.nome} ({self.codice_fiscale})"

    @property
    def numero(self) -> str:
        return f"PIN-{self.creata_il:%Y}-{self.pk:06d}"


class EventoRichiestaPin(EventoDiStato):
    richiesta = models.ForeignKey(RichiestaPin, on_delete=models.CASCADE, related_name="eventi")

    class Meta(EventoDiStato.Meta):
        verbose_name = "evento della richiesta di PIN"
        verbose_name_plural = "eventi della richiesta di PIN"


# --- Teams inside a Struttura (Circolare 71/2016, par. 4) -----------------------------------------------------------


class Team(models.Model):
    """An area or team of a Struttura that receives some requests in place of the whole office: the abilitazioni of
    allegato 3 go to the Direzione regionale's "Area/team Prestazioni a sostegno del reddito, Credito e Welfare".

    A team is data (rows), not one more ``Ruolo`` with a guardian permission on the team: it is a part of the office
    where someone already works, not an organisation of its own, so it adds no group, no navigation and no admin
    permission. Membership (``MembroTeam``) presupposes the staff role on the team's Struttura and narrows it; a row
    gives the database its uniqueness and the queue a single join. Teams are created with their structures
    (``accounts.services.registro.registro_carica``), members are added and removed by ``team_assegna`` /
    ``team_revoca``.
    """

    CREDITO_WELFARE = "credito-welfare"

    struttura = models.ForeignKey(Struttura, on_delete=models.PROTECT, related_name="team")
    codice = models.SlugField(max_length=40)
    nome = models.CharField(max_length=200)

    class Meta:
        verbose_name = "team"
        verbose_name_plural = "team delle strutture"
        ordering = ["struttura__nome", "nome"]
        constraints = [models.UniqueConstraint(fields=["struttura", "codice"], name="un_team_per_codice_e_struttura")]

    def __str__(self) -> str:
        return f"{self.nome} ({self.struttura})" if Team.struttura.is_cached(self) else self.nome


class MembroTeam(models.Model):
    """A member of staff of a Struttura who works in one of its teams."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="membri")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="appartenenze_team", verbose_name="persona")
    dal = models.DateTimeField(default=clock.now)
    assegnato_da = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "membro del team"
        verbose_name_plural = "membri del team"
        ordering = ["user__cognome", "user__nome"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="una_appartenenza_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class EventoRuolo(models.Model):
    """Every role given or taken away: to whom, which role, for which organisation, by whom, when."""

    class Azione(models.TextChoices):
        ASSEGNATO = "assegnato", "Assegnato"
        REVOCATO = "revocato", "Revocato"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="eventi_ruolo", verbose_name="persona")
    ruolo = models.CharField(max_length=40)
    azione = models.CharField(max_length=20, choices=Azione.choices)
    organizzazione = models.CharField(
        "riferimento dell'organizzazione", max_length=120, help_text="Modello e chiave dell'organizzazione."
    )
    descrizione = models.CharField("organizzazione", max_length=250)
    chi = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Vuoto: dal sistema."
    )
    quando = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = "evento sui ruoli"
        verbose_name_plural = "eventi sui ruoli"
        ordering = ["-quando", "-pk"]

    def __str__(self) -> str:
        return f"{self.ruolo} {self.get_azione_display().lower()} a {self.user}"


class MetodoAccesso(models.TextChoices):
    """How a session was opened (Messaggio 4461/2023: the PUE is reached with SPID of level 2 or higher, CIE or CNS)."""

    PIN = "pin", "PIN INPS"
    PASSWORD = "password", "Password del portale"
    SPID = "spid", "SPID"
    CIE = "cie", "CIE"
    CNS = "cns", "CNS"


class Attivita(models.Model):
    """The database audit of what a Comune's people do on the PUE, written by the services (Messaggio 4461/2023:
    the Amministratore utenze monitors the use of the credentials): logins with their method and level, bookings,
    readings of a citizen's data. The content read is never copied here, only what and whose."""

    class Tipo(models.TextChoices):
        ACCESSO = "accesso", "Accesso al portale"
        PRENOTAZIONE = "prenotazione", "Prenotazione"
        LETTURA_DATI = "lettura_dati", "Accesso ai dati di un cittadino"

    user = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="utente")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tipo = models.CharField(max_length=20, choices=Tipo.choices)
    metodo = models.CharField("metodo di accesso", max_length=10, choices=MetodoAccesso.choices, blank=True)
    livello = models.PositiveSmallIntegerField("livello SPID", null=True, blank=True)
    descrizione = models.CharField(max_length=300, blank=True)
    indirizzo_ip = models.GenericIPAddressField("indirizzo IP", null=True, blank=True)
    quando = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = "attività"
        verbose_name_plural = "registro delle attività"
        ordering = ["-quando", "-pk"]
        indexes = [
            models.Index(fields=["user", "-quando"], name="attivita_per_utente"),
            models.Index(fields=["comune", "-quando"], name="attivita_per_comune"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} di {self.user_id} il {self.quando:%d/%m/%Y %H:%M}"


class SessioneAperta(models.Model):
    """A session the portal opened for someone, so that it can be ended from outside it (a revoked operator's
    sessions end at once, whatever the session store)."""

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="+", verbose_name="utente")
    session_key = models.CharField("chiave della sessione", max_length=40, unique=True)
    metodo = models.CharField("metodo di accesso", max_length=10, choices=MetodoAccesso.choices)
    livello = models.PositiveSmallIntegerField("livello SPID", null=True, blank=True)
    aperta_il = models.DateTimeField("aperta il", default=clock.now)

    class Meta:
        verbose_name = "sessione aperta"
        verbose_name_plural = "sessioni aperte"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.metodo}"
