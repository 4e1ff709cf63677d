"""PDF documents of the portal, rendered from templates by WeasyPrint (PDF/A-3b, for archiving)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, contesto: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: it loads native libraries that only PDF views need

    html = render_to_string(template, contesto)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")
    assert pdf is not None
    return bytes(pdf)


def risposta_pdf(pdf: bytes, nome_file: str, *, privato: bool = True) -> HttpResponse:
    """A PDF as a download. A personal document (the default) is never cached and never sniffed as something else;
    only public blank forms may be cached."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{nome_file}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store" if privato else "public, max-age=3600"
    return response


def risposta_documento(contenuto: bytes, nome_file: str) -> HttpResponse:
    """A document someone sent (a signed modulo, a scan) served as a download: never cached, never sniffed, with the
    type it really has (PDF or not) and a file name of safe characters only."""
    tipo = "application/pdf" if contenuto.startswith(b"%PDF-") else "application/octet-stream"
    sicuro = "".join(c if c.isalnum() or c in "-_." else "_" for c in nome_file)[:100] or "documento"
    response = HttpResponse(contenuto, content_type=tipo)
    response["Content-Disposition"] = f'attachment; filename="{sicuro}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
