"""Identifiers of people and public bodies, checked the way the Agenzia delle Entrate computes them; the rules of a
portal password."""

from __future__ import annotations

import re

from codicefiscale import codicefiscale
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_CF_SHAPE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


def normalizza_codice_fiscale(value: str) -> str:
    """Upper case, no spaces, no dashes (``CCC-FBA-85-D03-L219-P``, a grouping people copy from documents): how
    people type it is not how it is stored."""
    return "".join(str(value).split()).replace("-", "").upper()


def validate_codice_fiscale(value: str) -> None:
    """A personal codice fiscale: 16 characters, omocodic variants accepted, birthplace and check character verified."""
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
    try:
        codicefiscale.decode(code)
    except ValueError as exc:
        message = str(exc)
        if "CIN" in message:
            raise ValidationError(
                _(
                    "Il carattere di controllo del codice fiscale (l'ultimo) non è corretto: verifichi di averlo "
                    "trascritto senza errori."
                ),
                code="cf_controllo",
            ) from exc
        if "birthplace" in message:
            raise ValidationError(
                _(
                    "Il codice del luogo di nascita contenuto nel codice fiscale non corrisponde ad alcun Comune "
                    "italiano o Stato estero."
                ),
                code="cf_luogo_nascita",
            ) from exc
        raise ValidationError(
            _("La data di nascita contenuta nel codice fiscale non è valida."), code="cf_data_nascita"
        ) from exc


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
