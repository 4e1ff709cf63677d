"""Uploaded documents, checked by what they contain, not by what they are called."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

# The first bytes of each accepted format, and the extensions a file of that format may carry.
FIRME = {
    "PDF": (b"%PDF-", {".pdf"}),
    "JPEG": (b"\xff\xd8\xff", {".jpg", ".jpeg"}),
    "PNG": (b"\x89PNG\r\n\x1a\n", {".png"}),
}


def controlla_documento(file: UploadedFile) -> UploadedFile:
    """Accept a PDF, JPEG or PNG within the size limit, whose extension says what its content is."""
    limite = settings.DOCUMENTI_DIMENSIONE_MASSIMA
    if file.size is None or file.size == 0:
        raise forms.ValidationError("Il file è vuoto.", code="vuoto")
    if file.size > limite:
        raise forms.ValidationError(
            "Il file pesa %(peso)s: il massimo è %(limite)s.",
            code="troppo_grande",
            params={"peso": filesizeformat(file.size), "limite": filesizeformat(limite)},
        )
    file.seek(0)
    inizio = file.read(16)
    file.seek(0)
    formato = next((nome for nome, (firma, _) in FIRME.items() if inizio.startswith(firma)), None)
    if formato is None:
        raise forms.ValidationError(
            "Il file non è un PDF, un JPEG o un PNG: carichi il documento in uno di questi formati.", code="tipo"
        )
    estensione = PurePath(file.name or "").suffix.lower()
    if estensione not in FIRME[formato][1]:
        raise forms.ValidationError(
            "Il nome del file (estensione «%(estensione)s») non corrisponde al contenuto, che è un %(formato)s.",
            code="estensione",
            params={"estensione": estensione or "nessuna", "formato": formato},
        )
    return file
