"""The throw-away PostgreSQL database of a scenario, and its Redis database.

Every name contains ``bench`` and the host must be local: a run drops and re-creates the database and flushes the
Redis database. ``python -m bench`` builds a template once (migrate and ``load_registry``) and passes its name in
``BENCH_TEMPLATE_DB``: each scenario then copies it in a second instead of migrating again.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import psycopg2
import redis
from psycopg2 import sql

from bench.harness.core import HOST, BenchError, log
from bench.harness.processes import manage

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/inps_portal_bench"
TEMPLATE_ENV = "BENCH_TEMPLATE_DB"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Database:
    """A bench database, and how to reach the server's maintenance database to create and drop it."""

    url: str
    name: str
    server_dsn: dict[str, Any]

    @classmethod
    def for_scenario(cls, scenario: str) -> Database:
        """``BENCH_DATABASE_URL`` (default ``inps_portal_bench`` on 127.0.0.1) with ``_<scenario>`` appended."""
        parts = urllib.parse.urlsplit(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
        name = f"{urllib.parse.unquote(parts.path.lstrip('/'))}_{scenario}"
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise BenchError(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {parts.scheme!r}")
        if parts.hostname not in LOCAL_HOSTS or "bench" not in name:
            raise BenchError(f"refusing to drop {name!r} on {parts.hostname}: local host and 'bench' in the name only")
        dsn = {
            "host": parts.hostname,
            "port": parts.port or 5432,
            "user": urllib.parse.unquote(parts.username or "postgres"),
            "password": urllib.parse.unquote(parts.password) if parts.password else None,
        }
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{urllib.parse.quote(name)}"))
        return cls(url=url, name=name, server_dsn={k: v for k, v in dsn.items() if v is not None})

    def connect(self, dbname: str = "postgres") -> Any:
        connection = psycopg2.connect(**self.server_dsn, dbname=dbname, connect_timeout=10)
        connection.autocommit = True
        return connection

    def _execute(self, statement: sql.Composable) -> None:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def create(self, template: str | None = None) -> None:
        self.drop()
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name))
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        self._execute(statement)

    def drop(self) -> None:
        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def analyze(self) -> None:
        """``VACUUM ANALYZE`` the whole database: the planner's statistics (and the visibility map), as autovacuum
        keeps them on a production database. A database just loaded has none (and autovacuum may be off on the
        bench's server, or not have run yet): the planner then guesses row counts and picks plans that production
        never runs (a sequential scan of the 7,900 Comuni under a hash join, say). Run after every bulk load; a copy
        made from a template keeps the template's statistics."""
        connection = self.connect(self.name)
        try:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        finally:
            connection.close()

    def server_version(self) -> str:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                return str(cursor.fetchone()[0])
        finally:
            connection.close()


def local_redis(url: str) -> redis.Redis:
    """A client of the scenario's Redis database; a non-local server is refused (a run flushes it)."""
    if urllib.parse.urlsplit(url).hostname != HOST:
        raise BenchError(f"refusing a non-local Redis: {url}")
    return redis.Redis.from_url(url)


def build(database: Database, env: dict[str, str], *, static: bool = True) -> None:
    """A fresh database with the schema and the territorial registry (about 7,900 Comuni), and the static files
    that whitenoise's manifest storage needs before a page can render; the planner's statistics of the data loaded
    (``Database.analyze``: a scenario that writes more data runs it again after)."""
    log(f"database {database.name}: create, migrate, load_registry")
    database.create()
    manage(["migrate", "--noinput"], env)
    manage(["load_registry"], env)
    database.analyze()
    if static:
        manage(["collectstatic", "--noinput"], env)


@contextmanager
def prepared(database: Database, env: dict[str, str], *, keep: bool = False) -> Iterator[Database]:
    """The scenario's database, copied from the run's template or else built; Redis flushed before and after; the
    database dropped at the end unless ``keep``."""
    template = os.environ.get(TEMPLATE_ENV)
    local_redis(env["REDIS_URL"]).flushdb()
    if template:
        log(f"database {database.name}: copy of {template}")
        database.create(template=template)
    else:
        build(database, env)
    try:
        yield database
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        with suppress(redis.RedisError):
            local_redis(env["REDIS_URL"]).flushdb()
        if keep:
            log(f"database {database.name} kept (--keep-db)")
        else:
            database.drop()
            log(f"database {database.name} dropped")
