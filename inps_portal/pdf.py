"""PDF documents of the portal, rendered from templates by WeasyPrint (PDF/A-3b, for archiving)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template: str, contesto: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: it loads native libraries that only PDF views need

    html = render_to_string(template, contesto)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")
    assert pdf is not None
    return bytes(pdf)
