"""Identifiers of people and public bodies, checked the way the Agenzia delle Entrate computes them; the rules of a
portal password."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import luoghi_nascita
from inps_portal import clock

_CF_SHAPE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")

# Omocodia: when two people would get the same code, digits are replaced by these letters, from the right.
_CIFRE_OMOCODICHE = str.maketrans("LMNPQRSTUV", "0123456789")
_MESI = "ABCDEHLMPRST"

# The check character (DM 23/12/1976): the 15 characters are worth these values in odd positions (1st, 3rd, ...)
# and their ordinal (0-9, A-Z = 0-25) in even ones; the sum modulo 26 is the letter.
_VALORE_DISPARI = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21] * 2 + [2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23],
        strict=True,
    )
)
_VALORE_PARI = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", [*range(10), *range(26)], strict=True))


def normalizza_codice_fiscale(value: str) -> str:
    """Upper case, no spaces, no dashes (``CCC-FBA-85-D03-L219-P``, a grouping people copy from documents): how
    people type it is not how it is stored."""
    return "".join(str(value).split()).replace("-", "").upper()


def carattere_di_controllo(code: str) -> str:
    """The check character of the first 15 characters of a codice fiscale (omocodic letters included)."""
    total = sum(_VALORE_DISPARI[c] for c in code[0:15:2]) + sum(_VALORE_PARI[c] for c in code[1:15:2])
    return chr(ord("A") + total % 26)


def _errore_data_o_luogo(code: str) -> str | None:
    """The error code of the birth date and birthplace, or None when they hold.

    As python-codicefiscale decodes them (the verdicts it gave before this code replaced it): the two digits of the
    year are read in the last hundred years, and once more a century earlier (people over a hundred) if the date does
    not exist or the birthplace was not in use then; if both readings fail, the first reason is given.
    """
    anno_corrente = clock.today().year
    anno = anno_corrente // 100 * 100 + int(code[6:8].translate(_CIFRE_OMOCODICHE))
    if anno > anno_corrente:
        anno -= 100
    mese = _MESI.index(code[8]) + 1
    giorno = int(code[9:11].translate(_CIFRE_OMOCODICHE))
    if giorno > 40:  # women: the day plus 40
        giorno -= 40
    luogo = code[11] + code[12:15].translate(_CIFRE_OMOCODICHE)
    primo_errore = None
    for anno_letto in (anno, anno - 100):
        try:
            nascita = dt.date(anno_letto, mese, giorno)
        except ValueError:
            errore = "cf_data_nascita"
        else:
            if luoghi_nascita.in_uso(luogo, nascita):
                return None
            errore = "cf_luogo_nascita"
        primo_errore = primo_errore or errore
    return primo_errore


def validate_codice_fiscale(value: str) -> None:
    """A personal codice fiscale: 16 characters, omocodic variants accepted, birth date, birthplace (in use at that
    date) and check character verified, in the order and with the outcome of python-codicefiscale's ``decode``."""
    code = normalizza_codice_fiscale(value)
    if len(code) != 16:
        raise ValidationError(
            _("Il codice fiscale deve essere di 16 caratteri (ne sono stati indicati %(n)s)."),
            code="cf_lunghezza",
            params={"n": len(code)},
        )
    if not _CF_SHAPE.match(code):
        raise ValidationError(
            _(
                "Il codice fiscale non ha il formato corretto: 6 lettere per cognome e nome, data e luogo di nascita, "
                "un carattere di controllo."
            ),
            code="cf_formato",
        )
    errore = _errore_data_o_luogo(code)
    if errore == "cf_luogo_nascita":
        raise ValidationError(
            _(
                "Il codice del luogo di nascita contenuto nel codice fiscale non corrisponde ad alcun Comune "
                "italiano o Stato estero."
            ),
            code="cf_luogo_nascita",
        )
    if errore == "cf_data_nascita":
        raise ValidationError(
            _("La data di nascita contenuta nel codice fiscale non è valida."), code="cf_data_nascita"
        )
    if code[15] != carattere_di_controllo(code):
        raise ValidationError(
            _(
                "Il carattere di controllo del codice fiscale (l'ultimo) non è corretto: verifichi di averlo "
                "trascritto senza errori."
            ),
            code="cf_controllo",
        )


def validate_codice_fiscale_ente(value: str) -> None:
    """The 11-digit codice fiscale of a public body, with its check digit (the same algorithm as a partita IVA)."""
    code = str(value).strip()
    if not code.isdigit() or len(code) != 11:
        raise ValidationError(_("Il codice fiscale di un Ente è composto da 11 cifre."), code="cf_ente_formato")
    total = 0
    for index, char in enumerate(code[:10]):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    if (10 - total % 10) % 10 != int(code[10]):
        raise ValidationError(
            _("La cifra di controllo del codice fiscale dell'Ente (l'ultima) non è corretta."), code="cf_ente_controllo"
        )


# --- Passwords (INPS staff and, until SPID, CIE and CNS, the PUE's people) ------------------------------------------
# Django's own validators, with the rule each states on the password pages in the portal's formal Italian: Django's
# Italian catalogue addresses the person with "tu" ("La tua password non può..."). Their error messages are neutral.


class SomiglianzaAiDatiPersonali(password_validation.UserAttributeSimilarityValidator):
    def get_help_text(self) -> str:
        return _("La password non può somigliare ai suoi dati personali (nome, cognome, codice fiscale, e-mail).")


class LunghezzaMinima(password_validation.MinimumLengthValidator):
    def get_help_text(self) -> str:
        return ngettext(
            "La password deve contenere almeno %(min_length)d carattere.",
            "La password deve contenere almeno %(min_length)d caratteri.",
            self.min_length,
        ) % {"min_length": self.min_length}


class NonDiUsoComune(password_validation.CommonPasswordValidator):
    def get_help_text(self) -> str:
        return _("La password non può essere una di quelle di uso comune.")


class NonSoloNumeri(password_validation.NumericPasswordValidator):
    def get_help_text(self) -> str:
        return _("La password non può essere composta solo da numeri.")
