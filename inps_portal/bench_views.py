"""Baselines for ``make bench``, mounted only when ``BENCH_ENDPOINTS`` is on.

A bare response measures the server and framework floor; a base-template page with a 50-row table and no database
measures the cost of rendering the portal's layout. Every page is reported as a ratio to the second.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

_ROWS = [
    {"numero": n, "descrizione": f"Riga dimostrativa {n}", "importo": f"{n * 12.5:.2f}", "stato": "Aperta"}
    for n in range(1, 51)
]


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def table(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/table.html", {"rows": _ROWS})
