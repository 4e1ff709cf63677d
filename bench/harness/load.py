"""Concurrent flows of persons against the portal: each flow is a few requests of one person's ``Browser``."""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from bench.harness.client import Browser, FlowError, wait_ready
from bench.harness.core import BenchError, log
from bench.harness.measure import CpuMeter, Percentiles, percentiles_ms
from bench.harness.processes import Service

PHASE_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class Person:
    index: int
    codice_fiscale: str
    secret: str  # a password or a PIN
    source: str  # the local address the person's requests come from


# The steps of one flow: raise FlowError on an unexpected answer; return what the flow produced (a new PIN, or "").
Steps = Callable[[Browser, Person], str]


@dataclass
class Flow:
    person: Person
    ok: bool
    seconds: float
    browser: Browser
    error: str = ""
    produced: str = ""


@dataclass
class Phase:
    """The flows of a phase: rates over its wall time, latency percentiles, statuses, CPU per flow."""

    name: str
    flows: list[Flow]
    wall_s: float
    cpu_ms_per_flow: dict[str, float] = field(default_factory=dict)

    @classmethod
    def combined(cls, name: str, phases: list[Phase]) -> Phase:
        """Several phases as one: their flows, their summed wall time, their CPU per flow weighted by flows."""
        flows = [f for p in phases for f in p.flows]
        cpu: dict[str, float] = {}
        for phase in phases:
            for key, ms in phase.cpu_ms_per_flow.items():
                cpu[key] = cpu.get(key, 0.0) + ms * len(phase.flows) / max(1, len(flows))
        return cls(name, flows, sum(p.wall_s for p in phases), cpu)

    @property
    def ok(self) -> list[Flow]:
        return [f for f in self.flows if f.ok]

    @property
    def errors(self) -> int:
        return len(self.flows) - len(self.ok)

    @property
    def flows_per_s(self) -> float:
        return len(self.flows) / self.wall_s if self.wall_s else 0.0

    def flow_ms(self) -> Percentiles:
        return percentiles_ms([f.seconds for f in self.ok])

    def step_ms(self, step: str) -> Percentiles:
        return percentiles_ms([f.browser.timings[step] for f in self.ok if step in f.browser.timings])

    def statuses(self) -> dict[str, dict[str, int]]:
        steps = dict.fromkeys(s for f in self.flows for s in f.browser.statuses)
        return {
            s: dict(Counter(str(f.browser.statuses[s]) for f in self.flows if s in f.browser.statuses)) for s in steps
        }

    def error_examples(self) -> list[str]:
        return list(dict.fromkeys(f.error for f in self.flows if f.error))[:5]


def run_flow(port: int, person: Person, steps: Steps) -> Flow:
    browser = Browser(port, person.source)
    started = time.perf_counter()
    try:
        produced = steps(browser, person)
    except FlowError as exc:
        return Flow(person, False, time.perf_counter() - started, browser, error=str(exc))
    except (OSError, http.client.HTTPException) as exc:
        return Flow(person, False, time.perf_counter() - started, browser, error=f"{type(exc).__name__}: {exc}")
    return Flow(person, True, time.perf_counter() - started, browser, produced=produced)


def run_phase(
    name: str, persons: list[Person], steps: Steps, server: Service, concurrency: int, meter: CpuMeter
) -> Phase:
    """Every person's flow, ``concurrency`` at a time; the clock runs from the first request to the last answer."""
    wait_ready(server)
    before = meter.snapshot()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="client") as pool:
        started = time.perf_counter()
        futures: list[Future[Flow]] = [pool.submit(run_flow, server.port, p, steps) for p in persons]
        _, pending = wait(futures, timeout=PHASE_TIMEOUT_S, return_when=FIRST_EXCEPTION)
        wall = time.perf_counter() - started
        if pending:
            for future in pending:
                future.cancel()
            raise BenchError(f"{name}: {len(pending)} flows not finished after {PHASE_TIMEOUT_S:.0f} s")
    cpu = meter.used(before)
    flows = [f.result() for f in futures]
    phase = Phase(name, flows, wall, {k: v * 1000 / len(flows) for k, v in cpu.items()} if flows else {})
    log(f"{name}: {len(flows)} flows in {wall:.1f} s, {phase.flows_per_s:.1f}/s, errors {phase.errors}")
    return phase


class Loop(threading.Thread):
    """Call ``step`` every ``every`` seconds in a thread with its own database connection, until stopped; an
    exception ends the loop and is kept in ``error``."""

    def __init__(self, name: str, step: Callable[[], None], every: float) -> None:
        super().__init__(name=name, daemon=True)
        self.step, self.every = step, every
        self.stopping = threading.Event()
        self.error: BaseException | None = None
        self.cpu_s = 0.0

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopping.is_set():
                started = time.thread_time()
                self.step()
                self.cpu_s += time.thread_time() - started
                self.stopping.wait(self.every)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)
