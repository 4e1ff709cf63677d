"""Requests for abilitazioni written in bulk for ``bench.coda_abilitazioni`` and ``bench.moduli_pdf``.

200 Enti in the province of Cosenza (Rende first), one operator with an active PIN for every 5 requests of the
largest queue, a member of staff of the Sede territoriale ST-CS and a superuser; then requests until the Sede's queue
holds the size asked: each has an allegato 2 routed to ST-CS with its signed modulo received, every other one also
an allegato 3 routed to the Direzione regionale DR-18 (not in the Sede's queue), 1 to 3 voci, the status events of
its status (70 % inviata, 10 % in carico, 12 % approvata, 6 % respinta, 2 % ritirata). One request in 10 is made
by the same ("heavy") operator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bench.harness.core import BenchError
from bench.persone import codice_fiscale

SEDE, DIREZIONE_REGIONALE, COMUNE_RENDE, PROVINCIA = "ST-CS", "DR-18", "078102", "CS"
ENTI, BATCH, HEAVY_SHARE = 200, 2000, 10
# Status of the routed requests to the Sede, repeating every 50 requests: mostly waiting, as a real queue.
STATUS_CYCLE = ["inviata"] * 35 + ["in_carico"] * 5 + ["approvata"] * 6 + ["respinta"] * 3 + ["ritirata"]


@dataclass
class Queue:
    """The people of the run, and the requests written so far."""

    sede_id: int
    dr_id: int
    staff_id: int
    superuser_id: int
    operators: list[int]  # user ids; operators[0] is the heavy one
    ente_of: dict[int, int]  # user id -> the Ente the operator acts for
    catalogo: dict[int, list[int]]  # allegato -> abilitazione ids
    requests: int = 0
    change_pk: int | None = None  # an approved request with 3 voci: its change page is measured
    decide_pk: int | None = None  # a request in charge with 3 voci: its decision page is measured
    moduli: list[int] = field(default_factory=list)  # routed requests of allegato 2, for the PDF

    def operator(self, i: int) -> int:
        others = self.operators[1:] or self.operators
        return self.operators[0] if i % HEAVY_SHARE == 0 else others[i % len(others)]


def create_people(operators: int) -> Queue:
    from abilitazioni.models import Abilitazione
    from accounts.models import PIN, AbilitazioneDetenuta, Comune, Ente, Struttura, User
    from accounts.roles import Ruolo
    from accounts.selectors.competenza import sede_competente
    from tests.factories import codice_fiscale_ente, personale_inps

    sede, rende = Struttura.objects.get(codice=SEDE), Comune.objects.get(codice_istat=COMUNE_RENDE)
    if (competente := sede_competente(rende)) is None or competente.pk != sede.pk:
        raise BenchError(f"the competent Sede for Rende is {competente}, not {SEDE}")
    comuni = [rende, *Comune.objects.filter(provincia__sigla=PROVINCIA).exclude(pk=rende.pk).order_by("codice_istat")]
    enti = Ente.objects.bulk_create(
        [Ente(nome=f"Ente del benchmark {n}", codice_fiscale=codice_fiscale_ente(10_000 + n),
              pec=f"ente{n}@pec.example.it", comune=comuni[n % len(comuni)]) for n in range(ENTI)]
    )  # fmt: skip
    users = User.objects.bulk_create(
        [User(codice_fiscale=codice_fiscale(n, "D086"), nome=f"Nome{n}", cognome=f"Cognome{n}",
              email=f"operatore{n}@example.it", password="!") for n in range(operators)],  # noqa: S106 - unusable
        batch_size=BATCH,
    )  # fmt: skip
    pins = PIN.objects.bulk_create(
        [PIN(user=u, codice_hash="!", tipo=PIN.Tipo.DISPOSITIVO if n % 2 == 0 else PIN.Tipo.ONLINE,
             origine=PIN.Origine.PREESISTENTE) for n, u in enumerate(users)],
        batch_size=BATCH,
    )  # fmt: skip
    ente_of = {u.pk: enti[n % len(enti)].pk for n, u in enumerate(users)}
    AbilitazioneDetenuta.objects.bulk_create(
        [AbilitazioneDetenuta(pin=p, ente_id=ente_of[p.user_id], nome="Visualizzazione versamenti Ente") for p in pins],
        batch_size=BATCH,
    )
    staff = personale_inps(Ruolo.PERSONALE_SEDE, SEDE)
    superuser = User.objects.create_superuser(codice_fiscale(operators, "D086"), nome="Ammini", cognome="Stratore")
    catalogo: dict[int, list[int]] = {}
    for pk, allegato in Abilitazione.objects.filter(attiva=True).order_by("nome").values_list("pk", "allegato"):
        catalogo.setdefault(allegato, []).append(pk)
    dr = Struttura.objects.get(codice=DIREZIONE_REGIONALE)
    return Queue(sede.pk, dr.pk, staff.pk, superuser.pk, [u.pk for u in users], ente_of, catalogo)


def add_requests(queue: Queue, count: int) -> None:
    """``count`` more requests, with their routed parts, voci and status events, in one transaction."""
    from django.db import transaction

    from abilitazioni.models import EventoRichiesta, RichiestaAbilitazioni, RichiestaInstradata, VoceRichiesta
    from inps_portal import clock

    now, indices = clock.now(), range(queue.requests, queue.requests + count)
    with transaction.atomic():
        richieste = RichiestaAbilitazioni.objects.bulk_create(
            [RichiestaAbilitazioni(user_id=queue.operator(i), ente_id=queue.ente_of[queue.operator(i)],
                                   creata_il=now - dt.timedelta(minutes=i)) for i in indices],
            batch_size=BATCH,
        )  # fmt: skip
        routed = [r for i, richiesta in zip(indices, richieste, strict=True) for r in _routed(queue, i, richiesta)]
        RichiestaInstradata.objects.bulk_create([r for _, r in routed], batch_size=BATCH)
        voci = [v for i, r in routed for v in _voci(queue, i, r, VoceRichiesta)]
        VoceRichiesta.objects.bulk_create(voci, batch_size=BATCH)
        eventi = [e for i, r in routed for e in _events(r, queue.operator(i), queue.staff_id, EventoRichiesta)]
        EventoRichiesta.objects.bulk_create(eventi, batch_size=BATCH)
    queue.requests += count
    for i, instradata in routed:
        if instradata.allegato == 2 and i % 3 == 2:  # three voci: the richest pages
            if queue.change_pk is None and instradata.status == "approvata":
                queue.change_pk = instradata.pk
            if queue.decide_pk is None and instradata.status == "in_carico":
                queue.decide_pk = instradata.pk
    queue.moduli += [r.pk for _, r in routed if r.allegato == 2][: max(0, 500 - len(queue.moduli))]


def _routed(queue: Queue, i: int, richiesta: Any) -> list[tuple[int, Any]]:
    from abilitazioni.models import RichiestaInstradata

    status, arrived = STATUS_CYCLE[i % len(STATUS_CYCLE)], richiesta.creata_il + dt.timedelta(minutes=20)
    found = [(i, RichiestaInstradata(richiesta=richiesta, allegato=2, struttura_id=queue.sede_id, status=status,
                                     modulo_ricevuto_il=arrived, aggiornata_il=arrived + dt.timedelta(minutes=10),
                                     motivo="Dati incompleti" if status == "respinta" else ""))]  # fmt: skip
    if i % 2 == 0:  # waiting for its modulo at the Direzione regionale
        found.append((i, RichiestaInstradata(richiesta=richiesta, allegato=3, struttura_id=queue.dr_id)))
    return found


def _voci(queue: Queue, i: int, instradata: Any, model: Any) -> list[Any]:
    scelte = queue.catalogo[instradata.allegato]
    return [model(instradata=instradata, abilitazione_id=scelte[(i + k) % len(scelte)],
                  operazione="rimuovi" if (i + k) % 7 == 0 else "aggiungi") for k in range(1 + i % 3)]  # fmt: skip


def _events(instradata: Any, operator_id: int, staff_id: int, model: Any) -> list[Any]:
    """The status events a routed request in this status has been through."""
    steps = [("", "attesa_modulo", operator_id, "richiesta")]
    if instradata.status != "attesa_modulo":
        steps.append(("attesa_modulo", "inviata", operator_id, "modulo firmato ricevuto"))
    if instradata.status in ("in_carico", "approvata", "respinta"):
        steps.append(("inviata", "in_carico", staff_id, ""))
    if instradata.status in ("approvata", "respinta"):
        steps.append(("in_carico", instradata.status, staff_id, instradata.motivo))
    if instradata.status == "ritirata":
        steps.append(("inviata", "ritirata", operator_id, ""))
    sent = instradata.richiesta.creata_il
    return [
        model(instradata=instradata, da=da, a=a, chi_id=chi, motivo=motivo, quando=sent + dt.timedelta(minutes=10 * n))
        for n, (da, a, chi, motivo) in enumerate(steps)
    ]


def queue_size(queue: Queue) -> int:
    """The Sede's queue as the admin scopes it, after fresh planner statistics (as autovacuum would give)."""
    from django.db import connection

    from abilitazioni.selectors import instradate_per_ufficio
    from accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return instradate_per_ufficio(User.objects.get(pk=queue.staff_id)).count()
