"""Paths, quick or full mode, the environment of the portal's processes, and the way out of a scenario."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS_DIR = BASE_DIR / "bench" / "results"
PYTHON = str(Path(sys.executable).parent / "python")
HOST = "127.0.0.1"

# Variables of the caller's environment passed on to the portal's processes; every other one is set here, so that
# the caller's environment cannot change what is measured (a .env file at the root still applies: see the README).
PASSTHROUGH_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "USER")


class BenchError(RuntimeError):
    """A step of a benchmark could not be carried out."""


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def is_full(flag: bool = False) -> bool:
    """Full sizes with ``--full`` or ``BENCH_FULL=1`` (``make bench-full``); quick ones otherwise."""
    return flag or os.environ.get("BENCH_FULL") == "1"


def base_env() -> dict[str, str]:
    return {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}


def production_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The production settings on plain http at 127.0.0.1, a random 64-character secret key, baselines mounted."""
    return {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "inps_portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "BENCH_ENDPOINTS": "1",
        "PEC_SMTP_URL": f"smtp://{HOST}:1025",  # required by production; a scenario that sends PEC sets its own
        # Required by production; no scenario logs in through the SPID/CIE gateway.
        "IDENTITA_GATEWAY_URL": "https://gateway-identita.invalid",
        "IDENTITA_CLIENT_SECRET": secrets.token_urlsafe(24),
        # Required by production (the links of the e-mails sent by tasks); no scenario follows them.
        "PORTALE_URL": "https://portale.invalid",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PORTAL_CLOCK_NOW": "",
    }


def local_env(database_url: str) -> dict[str, str]:
    """The local settings with DEBUG on, on the same database: ``seed_demo`` refuses to run without DEBUG."""
    return {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "inps_portal.settings.local",
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "BENCH_ENDPOINTS": "1",
        "LOG_LEVEL": "WARNING",
    }


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the environment of the portal's processes."""
    os.environ.update(env)
    import django

    django.setup()


def parser(description: str | None) -> argparse.ArgumentParser:
    """The options every scenario has: ``--full`` and ``--keep-db``."""
    found = argparse.ArgumentParser(description=(description or "").strip().splitlines()[0])
    found.add_argument("--full", action="store_true", help="full sizes (also BENCH_FULL=1); quick by default")
    found.add_argument("--keep-db", action="store_true", help="leave the bench database in place at the end")
    return found


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_main(scenario: Callable[[argparse.Namespace], None], options: argparse.Namespace) -> int:
    """Run a scenario: SIGTERM takes the way out of Ctrl-C, so what it started is stopped and its database dropped."""
    signal.signal(signal.SIGTERM, _interrupt)
    options.full = is_full(options.full)
    try:
        scenario(options)
    except BenchError as exc:
        print(f"[bench] error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("[bench] interrupted", file=sys.stderr)
        return 130
    return 0
