"""The portal's processes: management commands, gunicorn, a Celery worker, any command in a session of its own.

Every long-running process starts a session of its own, so that a Ctrl-C in the terminal reaches the scenario only,
which then stops the whole process group (SIGTERM, then SIGKILL), also on errors.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from celery import Celery

from bench.harness.core import BASE_DIR, HOST, PYTHON, BenchError, log

SETUP_TIMEOUT_S = 900  # one management command (load_registry is the slow one)
START_TIMEOUT_S = 60
SHM = "/dev/shm"  # noqa: S108 - a RAM-backed directory for gunicorn's heartbeat files, not a temporary file


def manage(args: list[str], env: dict[str, str], *, quiet: bool = False) -> str:
    """Run one management command and return its output; fail loudly with it."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=SETUP_TIMEOUT_S
    )
    if completed.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}")
    if not quiet:
        last = completed.stdout.strip().splitlines()[-1:] or [""]
        log(f"manage.py {' '.join(args)[:60]}: {last[0][:120]}")
    return completed.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Service:
    """A running subprocess, where it logs and, for a server, its port."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int = 0

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            tail = "\n".join(self.log_lines()[-20:])
            raise BenchError(f"{self.name} exited with status {self.process.returncode}:\n{tail}")

    def log_lines(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if line.strip()]


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, then SIGKILL if it has not exited within a few seconds."""
    for sig, wait_s in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait_s)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
    with suppress(ProcessLookupError):  # children orphaned by a killed parent are still in the group
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running(name: str, command: list[str], env: dict[str, str], log_path: Path, port: int = 0) -> Iterator[Service]:
    """Run ``command`` for the duration of the block; on an error, print a summary of its log first."""
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    log(f"{name}: pid {process.pid}" + (f" on {HOST}:{port}" if port else ""))
    service = Service(name, process, log_path, port)
    try:
        yield service
    except BaseException:
        for entry in summarize_log(service.log_lines()):
            print(f"{name} log: {entry}", flush=True)
        raise
    finally:
        stop(process)


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log_path: Path) -> Iterator[Service]:
    """The portal under gunicorn's sync workers on a free port of 127.0.0.1."""
    port = free_port()
    command = [str(Path(PYTHON).parent / "gunicorn"), "inps_portal.wsgi:application", "--bind", f"{HOST}:{port}"]
    command += ["--workers", str(workers), "--worker-class", "sync", "--log-level", "warning", "--error-logfile", "-"]
    command += ["--timeout", "60", "--graceful-timeout", "5"]
    if Path(SHM).is_dir():
        command += ["--worker-tmp-dir", SHM]
    with running("gunicorn", command, env, log_path, port) as service:
        yield service


@contextmanager
def celery_worker(env: dict[str, str], log_path: Path, *, concurrency: int, beat: bool = False) -> Iterator[Service]:
    """A prefork Celery worker of the portal, ready (it answers a ping) when the block starts; with ``beat``, the
    embedded scheduler too, so the periodic tasks (the heartbeat that ``/healthz`` reads) run as in production."""
    hostname = f"bench-{os.getpid()}-{log_path.stem}@{socket.gethostname()}"
    command = [PYTHON, "-m", "celery", "-A", "inps_portal", "worker", "--pool=prefork", f"--hostname={hostname}"]
    command += [f"--concurrency={concurrency}", "--loglevel=WARNING"]
    if beat:
        command += ["--beat", f"--schedule={log_path.with_suffix('.schedule')}"]
    with running("celery worker", command, env, log_path) as service:
        app = Celery(broker=env["REDIS_URL"], set_as_current=False)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not app.control.ping(destination=[hostname], timeout=0.5):
            service.check_alive()
            if time.monotonic() > deadline:
                raise BenchError(f"the Celery worker {hostname} did not answer within {START_TIMEOUT_S} s")
        log(f"celery worker {hostname} ready ({concurrency} processes{', beat' if beat else ''})")
        yield service


def wait_listening(service: Service, deadline_s: float = START_TIMEOUT_S) -> None:
    """Wait until the service accepts connections on its port."""
    deadline = time.monotonic() + deadline_s
    while True:
        service.check_alive()
        try:
            socket.create_connection((HOST, service.port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise BenchError(
                    f"{service.name} did not listen on {HOST}:{service.port} within {deadline_s} s"
                ) from None
            time.sleep(0.1)


def without_banner(lines: list[str]) -> list[str]:
    """A worker's log without Celery's start-up banner, which it prints at any log level."""
    ends = [i for i, line in enumerate(lines) if ".> celery " in line and "exchange=" in line]
    return lines[ends[0] + 1 :] if ends else lines


def summarize_log(lines: list[str]) -> list[str]:
    """A log (JSON lines from the portal, text from gunicorn or Celery) as distinct entries with their counts."""
    counts: Counter[str] = Counter()
    for line in without_banner(lines):
        try:
            record = json.loads(line)
        except ValueError:
            counts[line[:200]] += 1
            continue
        if not isinstance(record, dict):
            continue
        entry = f"{record.get('level', '?')} {record.get('logger', '?')}: "
        entry += re.sub(r"\s+", " ", str(record.get("message", "")))[:120]
        exception = str(record.get("exception", "")).strip().splitlines()
        counts[entry + (f" [{exception[-1][:200]}]" if exception else "")] += 1
    return [f"{n} x {entry}" for entry, n in counts.most_common()]
