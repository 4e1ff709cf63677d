"""The convention as a document: a PDF/A rendered by WeasyPrint from the filled text, with two empty signature fields
(the Comune's and INPS's) placed on the signature boxes of the last page, ready for two PAdES signatures added one
after the other as incremental updates.

The fields are added in an incremental update of their own, and the form already declares that the document carries
signatures (``/SigFlags 3``): so the revision each party signs changes nothing but its own field, which is what the
verification of the Comune's upload checks against the generated document (``convenzioni.firma``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from convenzioni.models import CAMPO_FIRMA_COMUNE, CAMPO_FIRMA_INPS, Convenzione
from convenzioni.testo import blocchi
from inps_portal import clock

TEMPLATE = "convenzioni/documento.html"
TEMPLATE_TIMBRO = "convenzioni/timbro_firma.html"
# The signature boxes of the last page, in centimetres: the template draws them, the fields lie on them.
CASELLA_LARGHEZZA_CM = 7.6
CASELLA_ALTEZZA_CM = 2.6
_ANCORE = {CAMPO_FIRMA_COMUNE: "campo-firma-comune", CAMPO_FIRMA_INPS: "campo-firma-inps"}
_PT_PER_PX = 72 / 96  # PDF points


@dataclass(frozen=True)
class Generato:
    contenuto: bytes
    sha256: str
    revisioni: int


def impronta(dati: bytes) -> str:
    return hashlib.sha256(dati).hexdigest()


def revisioni(dati: bytes) -> int:
    """How many revisions the PDF has (the original plus one per incremental update)."""
    return int(PdfFileReader(BytesIO(dati), strict=False).xrefs.total_revisions)


def genera(convenzione: Convenzione) -> Generato:
    """The PDF/A of the convention from its filled text, with the two empty signature fields."""
    from weasyprint import HTML  # loads native libraries only the document needs

    html = render_to_string(TEMPLATE, contesto(convenzione))
    documento = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    caselle = _caselle(documento)
    pdf = documento.write_pdf(pdf_variant="pdf/a-3b")
    assert pdf is not None
    con_campi = _aggiungi_campi(bytes(pdf), caselle)
    return Generato(contenuto=con_campi, sha256=impronta(con_campi), revisioni=revisioni(con_campi))


def timbro(*, nome: str, qualifica: str, quando: dt.datetime) -> bytes:
    """The visible part of a signature the portal applies: a one-page PDF of the size of the signature box, with the
    signer, the role and the time; WeasyPrint embeds its fonts, as PDF/A wants of everything drawn in the document."""
    from weasyprint import HTML

    html = render_to_string(
        TEMPLATE_TIMBRO,
        {
            "nome": nome,
            "qualifica": qualifica,
            "quando": quando,
            "larghezza": f"{CASELLA_LARGHEZZA_CM}cm",
            "altezza": f"{CASELLA_ALTEZZA_CM}cm",
        },
    )
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def contesto(convenzione: Convenzione) -> dict[str, Any]:
    return {
        "convenzione": convenzione,
        "versione": convenzione.versione,
        "blocchi": blocchi(convenzione.testo),
        "generata_il": clock.now(),
        "casella_larghezza": f"{CASELLA_LARGHEZZA_CM}cm",
        "casella_altezza": f"{CASELLA_ALTEZZA_CM}cm",
        "campo_comune": CAMPO_FIRMA_COMUNE,
        "campo_inps": CAMPO_FIRMA_INPS,
    }


def _caselle(documento: Any) -> dict[str, tuple[int, tuple[int, int, int, int]]]:
    """Where the template put each signature box: the page and the rectangle in PDF points (origin bottom left)."""
    trovate: dict[str, tuple[int, tuple[int, int, int, int]]] = {}
    for numero, pagina in enumerate(documento.pages):
        for campo, ancora in _ANCORE.items():
            if ancora in pagina.anchors:
                x1, y1, x2, y2 = pagina.anchors[ancora]  # CSS pixels from the top left corner of the page
                trovate[campo] = (
                    numero,
                    (
                        round(x1 * _PT_PER_PX),
                        round((pagina.height - y2) * _PT_PER_PX),
                        round(x2 * _PT_PER_PX),
                        round((pagina.height - y1) * _PT_PER_PX),
                    ),
                )
    mancanti = set(_ANCORE) - trovate.keys()
    if mancanti:  # the template lost its signature boxes: a defect, not something a user can fix
        raise RuntimeError(f"Il modello del documento non contiene le caselle di firma {sorted(mancanti)}")
    return trovate


def _aggiungi_campi(pdf: bytes, caselle: dict[str, tuple[int, tuple[int, int, int, int]]]) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    for campo in (CAMPO_FIRMA_COMUNE, CAMPO_FIRMA_INPS):
        pagina, riquadro = caselle[campo]
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(sig_field_name=campo, on_page=pagina, box=riquadro, empty_field_appearance=True),
        )
    modulo = writer.root["/AcroForm"]
    # SignaturesExist | AppendOnly (ISO 32000-1, 12.7.2): set now, so that signing later changes nothing else.
    modulo[generic.pdf_name("/SigFlags")] = generic.NumberObject(3)
    writer.update_container(modulo)
    uscita = BytesIO()
    writer.write(uscita)
    return uscita.getvalue()
