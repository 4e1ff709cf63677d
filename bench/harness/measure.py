"""Figures: percentiles, rates and ratios, and the CPU time of the run's processes read from /proc (Linux)."""

from __future__ import annotations

import math
import os
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Percentiles:
    """Nearest-rank percentiles of durations, in milliseconds; all None without samples."""

    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None
    samples: int = 0


def percentiles_ms(seconds: list[float]) -> Percentiles:
    ordered = sorted(seconds)
    if not ordered:
        return Percentiles()

    def at(q: float) -> float:
        rank = min(len(ordered), max(1, math.ceil(q * len(ordered))))
        return round(ordered[rank - 1] * 1000, 2)

    return Percentiles(at(0.50), at(0.95), at(0.99), round(ordered[-1] * 1000, 2), len(ordered))


def timed(into: list[float], work: Callable[..., T], *args: Any) -> T:
    """``work(*args)``, its duration in seconds appended to ``into``."""
    started = time.perf_counter()
    result = work(*args)
    into.append(time.perf_counter() - started)
    return result


def rate(count: float, seconds: float | None) -> float | None:
    """Things per second: rows, messages, requests."""
    return count / seconds if seconds else None


def ratio(value: float | None, baseline: float | None) -> float | None:
    """A figure over the baseline measured in the same run."""
    return value / baseline if value is not None and baseline else None


def rss_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


def _proc_stats() -> dict[int, tuple[str, int, int, float, float]]:
    """Every process: name, parent, process group, own CPU seconds, CPU seconds of its reaped children."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()  # fields[0] is the state, field 3 of proc(5)
        own = (int(fields[11]) + int(fields[12])) / tick
        reaped = (int(fields[13]) + int(fields[14])) / tick
        found[int(entry.name)] = (name, int(fields[1]), int(fields[2]), own, reaped)
    return found


@dataclass(frozen=True)
class CpuMeter:
    """CPU seconds used so far by each component of the run.

    A process group (a service started in a session of its own) counts its live processes and the children they
    reaped; PostgreSQL and Redis count their servers and every child, whoever they serve; ``benchmark`` is this
    process.
    """

    groups: dict[str, int]  # name -> process group id

    def snapshot(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = {"benchmark": usage.ru_utime + usage.ru_stime}
        stats = _proc_stats()
        for name, pgid in self.groups.items():
            cpu[name] = sum(own + reaped for _, _, group, own, reaped in stats.values() if group == pgid)
        for server in ("postgres", "redis-server"):
            roots = {pid for pid, (n, ppid, *_) in stats.items() if n == server and stats.get(ppid, ("",))[0] != n}
            cpu[server.removesuffix("-server")] = sum(
                own + (reaped if pid in roots else 0.0)
                for pid, (_, ppid, _, own, reaped) in stats.items()
                if pid in roots or ppid in roots
            )
        return cpu

    def used(self, before: dict[str, float]) -> dict[str, float]:
        """CPU seconds of each component since ``before``."""
        after = self.snapshot()
        return {name: round(after[name] - before.get(name, 0.0), 3) for name in after}
