"""Small charts drawn on the server as inline SVG: grouped bars and lines over a few dozen categories (the months of
the PUE monitoring). No JavaScript library: the page's Content-Security-Policy stays as it is, and the output is
the same bytes for the same data (a test can compare it).

Accessibility: the ``<svg>`` is an image (``role="img"``) named by its ``<title>`` and described by its ``<desc>``;
the page puts the same figures in a table next to it, which is the text alternative. Series differ by colour and,
for lines, by dash pattern and marker; every mark carries a ``<title>`` with its value for a pointer. Colours are the
Bootstrap Italia palette's, each at least 4.5:1 against the white background (WCAG asks 3:1 for graphics).

Safety: every text (titles, labels, series names) goes through ``format_html``; only numbers this module formats
itself reach the SVG unescaped. The drawing uses presentation attributes, never ``style``: the portal's CSP
(``style-src 'self'``) forbids inline styles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Bootstrap Italia 2: primary, success, danger, and the slate greys of text and axes.
BLU = "#0066CC"
VERDE = "#008055"
ROSSO = "#CC334D"
ARDESIA = "#5C6F82"
TESTO = "#1A1A1A"
GRIGLIA = "#D9DADB"
SFONDO = "#FFFFFF"

LARGHEZZA = 720
ALTEZZA = 300
MARGINE_SINISTRO = 56
MARGINE_DESTRO = 16
MARGINE_ALTO = 40  # the legend
MARGINE_BASSO = 40  # the categories
ETICHETTE_MASSIME = 12  # more categories than this: one label every few
TRATTI = ("", "6 3", "2 3")  # line dash patterns, by series
_IDENTIFICATORE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Serie:
    """One series: its name (the legend), one value per category (None: no value), its colour."""

    nome: str
    valori: Sequence[float | None]
    colore: str


def barre_raggruppate(
    *, ident: str, titolo: str, descrizione: str, categorie: Sequence[str], serie: Sequence[Serie], decimali: int = 0
) -> SafeString:
    """Bars grouped by category, one per series, on an axis from zero to a round maximum."""
    _controlla(ident, categorie, serie)
    massimo = max((v for s in serie for v in s.valori if v is not None), default=0.0)
    passo, cima = _scala(max(massimo, 0.0), interi=decimali == 0)
    area = _Area(len(categorie))
    parti = [*_assi(area, categorie, 0.0, cima, passo, decimali), *_legenda(serie, a_linee=False)]
    larghezza_barra = area.banda * 0.8 / max(len(serie), 1)
    for i, categoria in enumerate(categorie):
        for j, s in enumerate(serie):
            valore = s.valori[i]
            if valore is None:
                continue
            x = area.x_banda(i) + area.banda * 0.1 + j * larghezza_barra
            y = area.y(valore, 0.0, cima)
            parti.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>',
                    _n(x),
                    _n(y),
                    _n(max(larghezza_barra - 1, 1)),
                    _n(area.fondo - y),
                    s.colore,
                    categoria,
                    s.nome,
                    _numero(valore, decimali),
                )
            )
    return _svg(ident, titolo, descrizione, parti)


def linee(
    *,
    ident: str,
    titolo: str,
    descrizione: str,
    categorie: Sequence[str],
    serie: Sequence[Serie],
    minimo: float = 0.0,
    massimo: float | None = None,
    decimali: int = 1,
) -> SafeString:
    """Lines with a marker on every value, broken where a category has none; the axis from ``minimo`` to ``massimo``
    (a round number above the largest value when not given)."""
    _controlla(ident, categorie, serie)
    if massimo is None:
        piu_alto = max((v for s in serie for v in s.valori if v is not None), default=minimo)
        passo, massimo = _scala(max(piu_alto - minimo, 0.0), interi=False)
        massimo += minimo
    else:
        passo = _scala(massimo - minimo, interi=decimali == 0)[0]
    area = _Area(len(categorie))
    parti = [*_assi(area, categorie, minimo, massimo, passo, decimali), *_legenda(serie, a_linee=True)]
    for j, s in enumerate(serie):
        punti = [
            (area.x_centro(i), area.y(v, minimo, massimo)) if v is not None else None for i, v in enumerate(s.valori)
        ]
        for tratto in _tratti(punti):
            if len(tratto) > 1:
                parti.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
                        " ".join(f"{_n(x)},{_n(y)}" for x, y in tratto),
                        s.colore,
                        _tratteggio(j),
                    )
                )
        for i, punto in enumerate(punti):
            valore = s.valori[i]
            if punto is None or valore is None:
                continue
            parti.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="4" fill="{}" stroke="{}" stroke-width="2"><title>{}: {} {}</title>'
                    "</circle>",
                    _n(punto[0]),
                    _n(punto[1]),
                    s.colore if j % 2 == 0 else SFONDO,
                    s.colore,
                    categorie[i],
                    s.nome,
                    _numero(valore, decimali),
                )
            )
    return _svg(ident, titolo, descrizione, parti)


# --- Drawing ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Area:
    """The plotting area and its coordinates."""

    categorie: int

    @property
    def sinistra(self) -> float:
        return float(MARGINE_SINISTRO)

    @property
    def destra(self) -> float:
        return float(LARGHEZZA - MARGINE_DESTRO)

    @property
    def cima(self) -> float:
        return float(MARGINE_ALTO)

    @property
    def fondo(self) -> float:
        return float(ALTEZZA - MARGINE_BASSO)

    @property
    def banda(self) -> float:
        return (self.destra - self.sinistra) / max(self.categorie, 1)

    def x_banda(self, i: int) -> float:
        return self.sinistra + i * self.banda

    def x_centro(self, i: int) -> float:
        return self.x_banda(i) + self.banda / 2

    def y(self, valore: float, minimo: float, massimo: float) -> float:
        if massimo <= minimo:
            return self.fondo
        quota = (min(max(valore, minimo), massimo) - minimo) / (massimo - minimo)
        return self.fondo - quota * (self.fondo - self.cima)


def _assi(
    area: _Area, categorie: Sequence[str], minimo: float, massimo: float, passo: float, decimali: int
) -> list[SafeString]:
    parti: list[SafeString] = []
    tacche = round((massimo - minimo) / passo) if passo > 0 else 0
    for k in range(tacche + 1):
        valore = minimo + k * passo
        y = area.y(valore, minimo, massimo)
        parti.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="12" fill="{}">{}</text>',
                _n(area.sinistra),
                _n(y),
                _n(area.destra),
                _n(y),
                GRIGLIA if k else ARDESIA,
                _n(area.sinistra - 6),
                _n(y),
                TESTO,
                _numero(valore, decimali if passo < 1 else 0),
            )
        )
    ogni = max(1, math.ceil(len(categorie) / ETICHETTE_MASSIME))
    for i, categoria in enumerate(categorie):
        if i % ogni:
            continue
        parti.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
                _n(area.x_centro(i)),
                _n(area.fondo + 18),
                TESTO,
                categoria,
            )
        )
    if not categorie:
        parti.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="{}">{}</text>',
                _n((area.sinistra + area.destra) / 2),
                _n((area.cima + area.fondo) / 2),
                TESTO,
                "Nessun dato",
            )
        )
    return parti


def _legenda(serie: Sequence[Serie], *, a_linee: bool) -> list[SafeString]:
    parti: list[SafeString] = []
    x = float(MARGINE_SINISTRO)
    for j, s in enumerate(serie):
        if a_linee:
            segno = format_html(
                '<line x1="{}" y1="14" x2="{}" y2="14" stroke="{}" stroke-width="2"{}/>',
                _n(x),
                _n(x + 20),
                s.colore,
                _tratteggio(j),
            )
        else:
            segno = format_html('<rect x="{}" y="8" width="12" height="12" fill="{}"/>', _n(x), s.colore)
        parti.append(segno)
        testo_x = x + (26 if a_linee else 18)
        parti.append(
            format_html(
                '<text x="{}" y="14" dominant-baseline="middle" font-size="13" fill="{}">{}</text>',
                _n(testo_x),
                TESTO,
                s.nome,
            )
        )
        x = testo_x + 7.5 * len(s.nome) + 20  # an estimate of the text's width: no font metrics on the server
    return parti


def _svg(ident: str, titolo: str, descrizione: str, parti: Iterable[SafeString]) -> SafeString:
    apertura = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-titolo {}-descrizione" focusable="false" class="grafico" font-family="{}">'
        '<title id="{}-titolo">{}</title><desc id="{}-descrizione">{}</desc>'
        '<rect x="0" y="0" width="{}" height="{}" fill="{}"/>',
        LARGHEZZA,
        ALTEZZA,
        ident,
        ident,
        "Titillium Web, Geneva, Tahoma, sans-serif",
        ident,
        titolo,
        ident,
        descrizione,
        LARGHEZZA,
        ALTEZZA,
        SFONDO,
    )
    return _unisci([apertura, *parti, SafeString("</svg>")])


def _unisci(parti: Iterable[SafeString]) -> SafeString:
    # Every part is a SafeString built by format_html (its arguments escaped) or a literal of this module.
    return mark_safe("".join(parti))  # noqa: S308


def _tratti(punti: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The runs of consecutive points: a category without a value breaks the line."""
    tratti: list[list[tuple[float, float]]] = [[]]
    for punto in punti:
        if punto is None:
            if tratti[-1]:
                tratti.append([])
        else:
            tratti[-1].append(punto)
    return [t for t in tratti if t]


def _tratteggio(j: int) -> SafeString:
    motivo = TRATTI[j % len(TRATTI)]
    return format_html(' stroke-dasharray="{}"', motivo) if motivo else SafeString("")


def _scala(massimo: float, *, interi: bool) -> tuple[float, float]:
    """A round step (1, 2 or 5 times a power of ten) giving at most five intervals, and the axis's top."""
    if massimo <= 0:
        return 1.0, 1.0
    grezzo = massimo / 5
    potenza = 10 ** math.floor(math.log10(grezzo))
    passo = next(m * potenza for m in (1, 2, 5, 10) if m * potenza >= grezzo)
    if interi:
        passo = max(1.0, float(math.ceil(passo)))
    return float(passo), float(passo * math.ceil(massimo / passo))


def _controlla(ident: str, categorie: Sequence[str], serie: Sequence[Serie]) -> None:
    if not _IDENTIFICATORE.match(ident):
        raise ValueError(f"identificatore del grafico non valido: {ident!r}")
    for s in serie:
        if len(s.valori) != len(categorie):
            raise ValueError(f"la serie {s.nome!r} ha {len(s.valori)} valori per {len(categorie)} categorie")


def _n(valore: float) -> str:
    """A coordinate: one decimal, a point, no "-0.0" (the same bytes for the same drawing)."""
    testo = f"{valore:.1f}"
    return "0.0" if testo == "-0.0" else testo


def _numero(valore: float, decimali: int) -> str:
    """A value as an Italian reads it: a decimal comma."""
    return f"{valore:.{decimali}f}".replace(".", ",")
