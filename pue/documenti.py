"""Documents people upload to a PUE booking (the signed delega, the citizen's signed request, what is exchanged
during the meeting): checked by size and by content, never by the name alone."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from pue.errori import PrenotazioneNonAmmessa

# What a document may be, known by its first bytes (and the extension that must agree with them).
_FIRME: tuple[tuple[str, tuple[str, ...], bytes], ...] = (
    ("application/pdf", (".pdf",), b"%PDF-"),
    ("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    ("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    ("application/pkcs7-mime", (".p7m",), b"\x30"),
)


def documento_controlla(file: UploadedFile) -> str:
    """The content type of ``file`` (PDF, JPEG, PNG or a .p7m envelope), or the Italian reason it is refused."""
    limite = int(settings.DOCUMENTI_DIMENSIONE_MASSIMA)
    if not file.size:
        raise PrenotazioneNonAmmessa("Il file è vuoto.")
    if file.size > limite:
        raise PrenotazioneNonAmmessa(
            f"Il file pesa {filesizeformat(file.size)}: il massimo è {filesizeformat(limite)}."
        )
    file.seek(0)
    inizio = file.read(16)
    file.seek(0)
    nome = (file.name or "").lower()
    for tipo, estensioni, firma in _FIRME:
        if nome.endswith(estensioni) and inizio.startswith(firma):
            return tipo
    raise PrenotazioneNonAmmessa(
        "Il file non è un PDF, un'immagine JPEG o PNG né una busta .p7m (o l'estensione non corrisponde al contenuto)."
    )
