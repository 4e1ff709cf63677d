"""The codice fiscale check of the import, without python-codicefiscale's ``decode`` per row: the same verdicts.

``accounts.validators.validate_codice_fiscale`` used to call ``codicefiscale.decode`` (about 4.5 ms a row, most of
an ex-Inpdap import). It now computes the check character and the date itself and looks the birthplace up in an
index of the package's data (``accounts.luoghi_nascita``). The reference here is the validator as it was: the same
accept or refuse, and the same error code, on thousands of codes built to sit on every edge ``decode`` has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import string
from collections import Counter
from collections.abc import Iterator
from typing import Literal

import pytest
from codicefiscale import codicefiscale
from codicefiscale.data import get_countries_data, get_municipalities_data
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import CredenzialeExInpdap, User
from accounts.services.importazione import COLONNE_EX_INPDAP, importa_ex_inpdap
from accounts.validators import validate_codice_fiscale
from inps_portal import clock
from tests.factories import codice_fiscale_valido

MESI = "ABCDEHLMPRST"
OMOCODIA = dict(zip("0123456789", "LMNPQRSTUV", strict=True))
POSIZIONI_OMOCODICHE = (6, 7, 9, 10, 12, 13, 14)
SESSI: tuple[Literal["M", "F"], ...] = ("M", "F")

MESSAGGI = {
    "cf_controllo": "Il carattere di controllo del codice fiscale (l'ultimo) non è corretto: verifichi di averlo "
    "trascritto senza errori.",
    "cf_luogo_nascita": "Il codice del luogo di nascita contenuto nel codice fiscale non corrisponde ad alcun Comune "
    "italiano o Stato estero.",
    "cf_data_nascita": "La data di nascita contenuta nel codice fiscale non è valida.",
}


def verdetto_di_decode(code: str) -> str | None:
    """The error code the validator gave when it called ``codicefiscale.decode`` (for well-formed codes)."""
    try:
        codicefiscale.decode(code)
    except ValueError as exc:
        if "CIN" in str(exc):
            return "cf_controllo"
        if "birthplace" in str(exc):
            return "cf_luogo_nascita"
        return "cf_data_nascita"
    return None


def verdetto(code: str) -> str | None:
    try:
        validate_codice_fiscale(code)
    except ValidationError as exc:
        return exc.code
    return None


def con_controllo(primi_15: str) -> str:
    return primi_15 + codicefiscale.encode_cin(primi_15)


def codice(rng: random.Random, nascita: dt.date, luogo: str, giorno: int | None = None) -> str:
    """A code for ``nascita`` in ``luogo`` with its right check character; ``giorno`` forces the two day digits."""
    nomi = "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
    if giorno is None:
        giorno = nascita.day + rng.choice((0, 40))
    return con_controllo(f"{nomi}{nascita.year % 100:02d}{MESI[nascita.month - 1]}{giorno:02d}{luogo}")


def omocodici(rng: random.Random, code: str, quanti: int) -> Iterator[str]:
    for _ in range(quanti):
        posizioni = rng.sample(POSIZIONI_OMOCODICHE, rng.randint(1, len(POSIZIONI_OMOCODICHE)))
        caratteri = list(code[:15])
        for posizione in posizioni:
            caratteri[posizione] = OMOCODIA.get(caratteri[posizione], caratteri[posizione])
        yield con_controllo("".join(caratteri))


def controllo_sbagliato(rng: random.Random, code: str) -> str:
    return code[:15] + rng.choice([c for c in string.ascii_uppercase if c != code[15]])


def periodi_per_codice() -> dict[str, list[tuple[str, str]]]:
    """The package's own data, as its files say it: code -> (date_created, date_deleted) of every period."""
    periodi: dict[str, list[tuple[str, str]]] = {}
    for voce in [*get_municipalities_data(), *get_countries_data()]:
        if voce["code"][1:].isdigit():  # a few Comuni of old have "ND" for code
            periodi.setdefault(voce["code"], []).append((voce["date_created"][:10], voce["date_deleted"][:10]))
    return periodi


def campione(rng: random.Random) -> Iterator[tuple[str, str]]:
    """(kind, code) pairs: every edge of the verdict, and codes of every sort around them."""
    periodi = periodi_per_codice()
    codici = sorted(periodi)
    ultimo = dt.date(clock.today().year, 12, 31)

    # Valid codes made by the package itself, for many birthplaces and dates, with omocodic variants and a wrong
    # check character.
    for luogo in rng.sample(codici, 250):
        creato = dt.date.fromisoformat(periodi[luogo][-1][0])
        nascita = creato + dt.timedelta(days=rng.randrange(max(1, (ultimo - creato).days)))
        try:
            code = codicefiscale.encode("Rossi", "Maria", rng.choice(SESSI), nascita.strftime("%d/%m/%Y"), luogo)
        except ValueError:  # a birthplace the package cannot encode at that date
            continue
        yield "encode", code
        for variante in omocodici(rng, code, 2):
            yield "omocodico", variante
        yield "controllo sbagliato", controllo_sbagliato(rng, code)

    # The last day of use and the day after, for codes that went out of use and a sample of those in use. The
    # two digits of the year are read in the last hundred years, then a century earlier; so a code is refused only
    # for a birth after its end in both readings: codes that ended over a hundred years ago are all taken, with every
    # period. The day before a code was assigned, too (a birth before it: the package accepts it).
    secolo_fa = f"{clock.today().year - 100}-12-31"
    for luogo in codici:
        chiusi = sorted(fine for _, fine in periodi[luogo] if fine)
        if len(chiusi) < len(periodi[luogo]):
            chiusi = chiusi[-1:] if rng.random() < 0.03 else []
        elif chiusi[-1] > secolo_fa:
            chiusi = chiusi[-1:] if rng.random() < 0.25 else []
        for fine in chiusi:
            for scarto in (0, 1):
                yield "fine del periodo", codice(rng, dt.date.fromisoformat(fine) + dt.timedelta(days=scarto), luogo)
    for luogo in rng.sample(codici, 300):
        inizio = dt.date.fromisoformat(periodi[luogo][-1][0])
        yield "prima dell'inizio", codice(rng, inizio - dt.timedelta(days=1), luogo)
    for luogo in rng.sample(codici, 150):
        fine = max((f for _, f in periodi[luogo] if f), default="1900-01-01")
        code = codice(rng, dt.date.fromisoformat(fine) + dt.timedelta(days=1), luogo)
        yield from (("omocodico sul bordo", variante) for variante in omocodici(rng, code, 1))

    # Birthplace codes that do not exist, with the right and with a wrong check character (the birthplace is
    # reported first).
    inesistenti = [f"{lettera}{n:03d}" for lettera in "ABCDEFGHILMZ" for n in range(1000)]
    inesistenti = [c for c in inesistenti if c not in periodi] + ["N000", "O123", "U500", "W001", "X999", "Y420"]
    for luogo in rng.sample(inesistenti, 150):
        nascita = dt.date(1927, 1, 1) + dt.timedelta(days=rng.randrange(36000))
        code = codice(rng, nascita, luogo)
        yield "luogo inesistente", code
        yield "luogo inesistente e controllo sbagliato", controllo_sbagliato(rng, code)

    # Dates that do not exist: day 00, 32 to 40, 72 and above, 30 February, 31 April, 29 February of years that are
    # not leap (and of 2000, which is, in a Comune that may be out of use by then); with a wrong check character too
    # (the date is reported first).
    for _ in range(300):
        luogo = rng.choice(codici)
        anno = rng.randrange(100)
        giorno, mese = rng.choice(
            [(0, 1), (40, 3), (32, 5), (39, 12), (72, 7), (80, 8), (99, 9), (30, 2), (70, 2), (31, 4), (71, 11)]
            + [(29, 2), (69, 2)] * 3
        )
        code = con_controllo(f"RSSMRA{anno:02d}{MESI[mese - 1]}{giorno:02d}{luogo}")
        yield "data impossibile", code
        yield "data impossibile e controllo sbagliato", controllo_sbagliato(rng, code)
    for luogo in rng.sample(codici, 60):
        yield "29 febbraio 2000", con_controllo(f"RSSMRA00B{rng.choice((29, 69))}{luogo}")


def test_it_gives_the_verdict_of_codicefiscale_decode_on_every_kind_of_code() -> None:
    # decode reads the wall clock to place the two digits of the year; the validator reads the portal's clock.
    assert not settings.PORTAL_CLOCK_NOW, "the comparison needs the portal's clock on the real date"
    diversi = []
    per_tipo: Counter[tuple[str, str | None]] = Counter()
    for tipo, code in campione(random.Random(20161)):
        atteso, ottenuto = verdetto_di_decode(code), verdetto(code)
        per_tipo[tipo, atteso] += 1
        if atteso != ottenuto:
            diversi.append((tipo, code, atteso, ottenuto))
    assert diversi == [], f"{len(diversi)} verdicts differ from decode, e.g. {diversi[:10]}"
    # The sample does reach every verdict, and birthplaces refused for the date, not only for not existing.
    verdetti = {atteso for _, atteso in per_tipo}
    assert verdetti == {None, "cf_controllo", "cf_luogo_nascita", "cf_data_nascita"}, per_tipo
    assert per_tipo["fine del periodo", "cf_luogo_nascita"] > 100, per_tipo
    assert per_tipo["fine del periodo", None] > 100, per_tipo
    assert per_tipo["omocodico", None] > 300, per_tipo
    assert per_tipo["encode", None] > 200, per_tipo


@pytest.mark.parametrize(
    ("code", "error_code"),
    [("RSSMRA80A01H501V", "cf_controllo"), ("RSSMRA80A01Z999U", "cf_luogo_nascita"), ("RSSMRA80B30H501X", None)],
)
def test_it_refuses_with_the_same_italian_messages(code: str, error_code: str | None) -> None:
    if error_code is None:  # 30 February: the check character of the code as written
        code, error_code = con_controllo(code[:15]), "cf_data_nascita"
    with pytest.raises(ValidationError) as info:
        validate_codice_fiscale(code)
    assert info.value.code == error_code
    assert info.value.messages == [MESSAGGI[error_code]]


def test_a_birthplace_that_went_out_of_use_before_the_birth_date_is_refused() -> None:
    # Affori (A063) was a Comune from 1884 to 13 October 1923, then part of Milan. "23" is 2023 first, then 1923.
    with clock.frozen(dt.date(2026, 6, 1)):
        validate_codice_fiscale(con_controllo("RSSMRA23R13A063"))  # 13 October 1923, its last day
        with pytest.raises(ValidationError) as info:
            validate_codice_fiscale(con_controllo("RSSMRA23R14A063"))
    assert info.value.code == "cf_luogo_nascita"


def test_a_birthplace_code_assigned_after_the_birth_date_is_accepted_as_python_codicefiscale_does() -> None:
    # Python-codicefiscale (issues #210, #213) accepts a code whose Comune was founded after the birth:
    # Lamezia Terme (M208) since 1968, a person born there in 1950.
    code = con_controllo("RSSMRA50A01M208")
    assert verdetto_di_decode(code) is None
    validate_codice_fiscale(code)


def test_the_two_digits_of_the_year_follow_the_portal_clock() -> None:
    # A063 went out of use in 1923: "25" is 2025 and 1925 in 2026 (refused), 1925 and 1825 in 2024 (accepted: the
    # package takes 1825 as before the Comune was founded).
    code = con_controllo("RSSMRA25A01A063")
    with clock.frozen(dt.date(2026, 6, 1)), pytest.raises(ValidationError):
        validate_codice_fiscale(code)
    with clock.frozen(dt.date(2024, 6, 1)):
        validate_codice_fiscale(code)


def _csv(codici: list[str]) -> io.StringIO:
    righe = [";".join(COLONNE_EX_INPDAP)]
    for n, code in enumerate(codici):
        righe.append(f"{code};Cognome{n};Nome{n};;sha256;{hashlib.sha256(str(n).encode()).hexdigest()};;")
    return io.StringIO("\n".join(righe) + "\n")


@pytest.mark.django_db
def test_the_import_counts_only_what_it_adds_and_gives_new_people_no_usable_password() -> None:
    primi = [codice_fiscale_valido(900 + n) for n in range(5)]
    assert importa_ex_inpdap(_csv(primi), lotto=2).importate == 5
    altri = [codice_fiscale_valido(950 + n) for n in range(3)]
    fuori_uso = con_controllo("RSSMRA23R14A063")
    with clock.frozen(dt.date(2026, 6, 1)):
        esito = importa_ex_inpdap(_csv([*primi[:3], *altri, fuori_uso, altri[0]]), lotto=3)
    assert (esito.lette, esito.importate, esito.scarti_totali) == (8, 3, 1)
    assert esito.scarti[0].motivo == MESSAGGI["cf_luogo_nascita"]
    assert CredenzialeExInpdap.objects.count() == 8
    persone = User.objects.filter(codice_fiscale__in=[*primi, *altri])
    assert len({p.password for p in persone}) == 8
    assert not any(p.has_usable_password() for p in persone)
