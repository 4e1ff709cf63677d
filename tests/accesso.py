"""The machinery of the access walks: every named URL of the portal, read from Django's resolver; the addresses of a
URL in a scene; the walk of a role through them; one comparison of every status with the expected one.

A walk is a test module ``tests/test_accesso_*.py`` that declares ``PERCORSO = Percorso(...)``: the named URLs for
which it states, for each of its roles, the exact status of a GET. ``tests/test_accesso_portale.py`` checks that the
walks together cover every named URL of the resolver: a new URL without an expectation fails there.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The two ways in (accounts/backends.py): the PIN for the people of the Circolare 71/2016, a password for the others.
BACKEND_PIN = "accounts.backends.PINBackend"
BACKEND_PASSWORD = "accounts.backends.PasswordBackend"

# The parameter that carries the key of the object on the admin pages of a model (``id``: the user's password page).
CHIAVI_DELL_OGGETTO = ("object_id", "pk", "id")


@dataclass(frozen=True)
class Url:
    """A named URL of the resolver."""

    nome: str  # with its namespace: "admin:accounts_ente_change"
    parametri: tuple[str, ...]
    percorso: str  # the route from the root, as the patterns spell it: "admin/accounts/pin/<int:pk>/sportello/"
    modulo_della_vista: str

    @property
    def modello(self) -> str | None:
        """The model ("app_label.model_name") whose admin pages include this URL: the admin puts them all under
        ``<admin>/<app_label>/<model_name>/``. None for any other URL."""
        radice, *resto = self.percorso.split("/")
        if radice != reverse("admin:index").strip("/") or len(resto) < 2:
            return None
        return _modelli_dell_admin().get((resto[0], resto[1]))


@functools.cache
def _modelli_dell_admin() -> dict[tuple[str, str], str]:
    return {(m._meta.app_label, str(m._meta.model_name)): m._meta.label_lower for m in admin.site._registry}


def url_con_nome() -> dict[str, Url]:
    """Every named URL of the portal by name, read from the resolver: the portal's views, allauth's, and every page
    of the back office (the admin's own, each registered model's, the custom ones). A name defined twice counts once."""

    def cammina(patterns: list[Any], namespace: str, prefisso: str, parametri: tuple[str, ...]) -> Iterator[Url]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from cammina(
                    p.url_patterns,
                    f"{namespace}{p.namespace}:" if p.namespace else namespace,
                    prefisso + str(p.pattern),
                    parametri + tuple(p.pattern.regex.groupindex),
                )
            elif isinstance(p, URLPattern) and p.name:
                yield Url(
                    nome=f"{namespace}{p.name}",
                    parametri=parametri + tuple(p.pattern.regex.groupindex),
                    percorso=prefisso + str(p.pattern),
                    modulo_della_vista=p.callback.__module__,
                )

    urls: dict[str, Url] = {}
    for url in cammina(get_resolver().url_patterns, "", "", ()):
        urls.setdefault(url.nome, url)
    return urls


# --- Which walk covers which URL ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Percorso:
    """A walk: the named URLs it gives an exact expected status for, for each of its roles."""

    nome: str
    nomi: frozenset[str]


def percorsi() -> list[Percorso]:
    """The walks of the suite: every module ``tests/test_accesso_*.py`` that declares a ``PERCORSO``."""
    import tests

    trovati = []
    for modulo in pkgutil.iter_modules(tests.__path__):
        if modulo.name.startswith("test_accesso"):
            percorso = getattr(importlib.import_module(f"tests.{modulo.name}"), "PERCORSO", None)
            if isinstance(percorso, Percorso):
                trovati.append(percorso)
    return trovati


@dataclass(frozen=True)
class Sospetto:
    """A probable bug: a URL where the portal answers some roles otherwise than its design says. The walk keeps the
    design's status in its expectations, leaves these cases out, and walks each on its own in a test expected to fail
    (strictly: once the bug is fixed that test fails, the case comes off the list and goes back into the walk)."""

    nome: str
    ruoli: tuple[str, ...]
    motivo: str


def casi(sospetti: Iterable[Sospetto]) -> set[tuple[str, str]]:
    """The (URL name, role) pairs the walk leaves to the tests of the suspected bugs."""
    return {(s.nome, ruolo) for s in sospetti for ruolo in s.ruoli}


def parametri(sospetti: Iterable[Sospetto]) -> list[Any]:
    """One test case per suspected bug, expected to fail on the walk's assertion (and on nothing else)."""
    return [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=s.motivo), id=s.nome)
        for s in sospetti
    ]


# --- The addresses of a URL in a scene ------------------------------------------------------------------------------


@dataclass
class Scena:
    """What the addresses of a walk point at.

    - ``oggetti``: by model ("app_label.model_name"), the key of the object (or a list of keys) that the model's admin
      pages are walked with;
    - ``valori``: the value (or a list of values) of every other parameter, by its name, or by "url_name:parameter"
      where one URL needs its own;
    - ``query``: by URL name, the query string (or a list of them) of the URLs that answer only with one.
    """

    oggetti: dict[str, Any] = field(default_factory=dict)
    valori: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str | list[str]] = field(default_factory=dict)


class Indirizzo(NamedTuple):
    percorso: str  # what the client GETs
    argomenti: dict[str, Any]  # the URL's parameters, for the expectations that depend on them


def _tutti(valore: Any) -> list[Any]:
    return list(valore) if isinstance(valore, list | tuple) else [valore]


def _chiave(valore: Any) -> Any:
    return valore.pk if isinstance(valore, Model) else valore


def indirizzi(url: Url, scena: Scena) -> list[Indirizzo]:
    """The addresses of ``url`` in ``scena``: one for each combination of its parameters' values (and query strings).
    A parameter the scene has no value for is an error, never a URL silently left out of the walk."""
    scelte = []
    for parametro in url.parametri:
        if f"{url.nome}:{parametro}" in scena.valori:
            valore = scena.valori[f"{url.nome}:{parametro}"]
        elif parametro in CHIAVI_DELL_OGGETTO and url.modello is not None:
            if url.modello not in scena.oggetti:
                raise KeyError(f"{url.nome}: la scena non ha un oggetto del modello {url.modello}")
            valore = scena.oggetti[url.modello]
        elif parametro in scena.valori:
            valore = scena.valori[parametro]
        else:
            raise KeyError(f"{url.nome}: la scena non ha un valore per il parametro «{parametro}»")
        if not _tutti(valore):
            raise ValueError(f"{url.nome}: nessun valore per il parametro «{parametro}» nella scena")
        scelte.append([_chiave(v) for v in _tutti(valore)])
    query = [f"?{q}" for q in _tutti(scena.query[url.nome])] if url.nome in scena.query else [""]
    risultato = []
    for combinazione in itertools.product(*scelte):
        argomenti = dict(zip(url.parametri, combinazione, strict=True))
        base = reverse(url.nome, kwargs=argomenti)
        risultato += [Indirizzo(base + q, argomenti) for q in query]
    return risultato


# --- Walking and comparing ------------------------------------------------------------------------------------------


def entra(client: Client, persona: Any, *, con_pin: bool) -> None:
    """Log ``persona`` in as they really come in: with the PIN (the people of the Circolare 71/2016; the Area riservata
    opens only to a session started with it, ``accounts.backends.sessione_con_pin``) or with the password (INPS staff,
    the people of the PUE, the portal's administrators). None: nobody logs in."""
    if persona is not None:
        client.force_login(persona, backend=BACKEND_PIN if con_pin else BACKEND_PASSWORD)


def stati(client: Client, percorsi: Iterable[str]) -> dict[str, int]:
    """The status of a GET of each address. The session must be the same at the end: a GET that logged the person out
    would make every later status meaningless."""
    prima = client.session.get(SESSION_KEY)
    ottenuti = {percorso: client.get(percorso).status_code for percorso in percorsi}
    assert client.session.get(SESSION_KEY) == prima, "una GET del percorso ha chiuso (o cambiato) la sessione"
    return ottenuti


def confronta(ottenuti: Mapping[str, int], attesi: Mapping[str, int]) -> None:
    """One assertion for the whole walk: a failure lists every address whose status differs, not only the first."""
    diversi = [
        f"  {chiave}: atteso {attesi.get(chiave, '-')}, ottenuto {ottenuti.get(chiave, '-')}"
        for chiave in sorted(attesi.keys() | ottenuti.keys())
        if attesi.get(chiave) != ottenuti.get(chiave)
    ]
    assert dict(ottenuti) == dict(attesi), f"{len(diversi)} stati diversi dagli attesi:\n" + "\n".join(diversi)


def confronta_per_ruolo(
    ruoli: Iterable[str], accedi: Callable[[Client, str], None], attesi: Callable[[str], Mapping[str, int]]
) -> None:
    """Each role logged in (``accedi``) on a client of its own, then one comparison for them all (the tests of the
    suspected bugs)."""
    ottenuti: dict[str, int] = {}
    tutti: dict[str, int] = {}
    for ruolo in ruoli:
        client = Client()
        accedi(client, ruolo)
        del_ruolo = attesi(ruolo)
        ottenuti |= {f"{ruolo}: {percorso}": stato for percorso, stato in stati(client, del_ruolo).items()}
        tutti |= {f"{ruolo}: {percorso}": stato for percorso, stato in del_ruolo.items()}
    confronta(ottenuti, tutti)
