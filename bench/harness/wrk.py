"""Load one URL with wrk and read its figures (printed by ``latency.lua`` as one JSON line)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness.core import HOST, BenchError

LUA_SCRIPT = Path(__file__).with_name("latency.lua")
MARKER = "BENCH_RESULT "


@dataclass(frozen=True)
class WrkOptions:
    duration_s: int = 10
    connections: int = 16
    threads: int = 2
    timeout_s: int = 10


@dataclass(frozen=True)
class WrkResult:
    """wrk's figures: completed responses per second whatever their status, latency percentiles of the completed
    responses, responses outside 2xx (redirects included) and socket errors (connect, read, write, timeouts)."""

    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    non2xx_by_status: dict[str, int] = field(default_factory=dict)


def parse(output: str) -> WrkResult | None:
    for line in output.splitlines():
        if line.startswith(MARKER):
            raw = json.loads(line.removeprefix(MARKER))
            errors = sum(int(raw[k]) for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
            return WrkResult(
                requests=int(raw["requests"]),
                rps=float(raw["rps"]),
                p50_ms=float(raw["p50_ms"]),
                p95_ms=float(raw["p95_ms"]),
                p99_ms=float(raw["p99_ms"]),
                max_ms=float(raw["max_ms"]),
                non2xx=int(raw["non2xx"]),
                socket_errors=errors,
                non2xx_by_status={str(k): int(v) for k, v in raw["non2xx_by_status"].items()},
            )
    return None


def run(port: int, path: str, options: WrkOptions, cookie: str = "") -> WrkResult:
    """``wrk -tT -cC -dDs --latency -s latency.lua URL [-- cookie]``."""
    command = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{options.duration_s}s"]
    command += [f"--timeout={options.timeout_s}s", "--latency", "-s", str(LUA_SCRIPT), f"http://{HOST}:{port}{path}"]
    if cookie:
        command += ["--", cookie]
    timeout = options.duration_s + options.timeout_s + 30
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    result = parse(completed.stdout)
    if result is None:
        raise BenchError(f"wrk on {path} gave no result (exit {completed.returncode}):\n{completed.stderr[-2000:]}")
    return result
