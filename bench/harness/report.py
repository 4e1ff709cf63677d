"""What a scenario prints and keeps: the machine, a fixed-width table, the JSON file in ``bench/results/``."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.harness.core import BASE_DIR, RESULTS_DIR


def version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _first_line(command: list[str]) -> str | None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0] if lines else None


def machine(*distributions: str) -> dict[str, Any]:
    """What the figures were measured on, with the versions of ``distributions``."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model.group(1).strip() if model else platform.processor(),
        "memory_gib": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        **{name: version(name) for name in ("Django", *distributions)},
        "git_commit": _first_line(["git", "-C", str(BASE_DIR), "rev-parse", "--short", "HEAD"]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def fmt(value: float | int | str | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, str | int):
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    return f"{value:,.{digits}f}"


def table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """A fixed-width text table: the first ``left`` columns aligned left, the figures right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in rows)])


def cpu_table(title: str, runs: dict[str, tuple[dict[str, float], float | None]], units: int) -> str:
    """CPU milliseconds per unit (message, login) of each component in each run, and the cores kept busy: close to
    the number of cores means the run is limited by the CPU. ``runs``: name -> (CPU seconds by component, wall s)."""
    names = list(dict.fromkeys(n for cpu, _ in runs.values() for n in cpu))
    cells = [[n, *(fmt(cpu[n] * 1000 / units, 2) if n in cpu else "-" for cpu, _ in runs.values())] for n in names]
    cells.append(["total", *(fmt(sum(cpu.values()) * 1000 / units, 2) for cpu, _ in runs.values())])
    busy = (fmt(sum(cpu.values()) / seconds, 2) if seconds else "-" for cpu, seconds in runs.values())
    cells.append(["cores busy", *busy])
    return table([title, *runs], cells)


def _jsonable(value: object) -> object:
    """Dataclasses field by field (shallow: their fields come back here), anything else unknown as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return str(value)


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """``bench/results/<name>.json`` (gitignored): keep a copy under another name to compare two runs."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=_jsonable) + "\n")
    print(f"written {path.relative_to(BASE_DIR)}", flush=True)
    return path
