"""The SQL queries of a block of code run in this process, counted and timed (Django set up by the scenario)."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.harness.core import BenchError


@dataclass
class SqlLog:
    """The queries of a block, as Django's CaptureQueriesContext counts them, with their own durations."""

    queries: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.queries)

    def total_ms(self) -> float:
        return round(sum(self.seconds) * 1000, 2)

    def slowest(self) -> tuple[float, str]:
        if not self.seconds:
            return 0.0, ""
        index = max(range(len(self.seconds)), key=self.seconds.__getitem__)
        return round(self.seconds[index] * 1000, 2), short_sql(self.queries[index], 300)

    def repeated(self) -> dict[str, int]:
        """Query shapes (literals replaced by ?) seen more than once: one per row of a list means N+1."""
        shapes = Counter(shape(q) for q in self.queries)
        return {s: n for s, n in shapes.items() if n > 1}


def short_sql(statement: str, length: int = 160) -> str:
    """One line, the list of selected columns left out."""
    flat = " ".join(statement.split())
    return re.sub(r"^SELECT .+? FROM ", "SELECT ... FROM ", flat, count=1)[:length]


def shape(statement: str) -> str:
    found = re.sub(r"'[^']*'", "?", short_sql(statement, 100_000))
    found = re.sub(r"\b\d+\b", "?", found)
    return re.sub(r"_django_curs_\S+", "cursor", found)[:300]


@contextmanager
def recorded_sql() -> Iterator[SqlLog]:
    """Count the queries of the block with CaptureQueriesContext and time each one with an execute wrapper."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    found = SqlLog()

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            found.seconds.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        yield found
    found.queries = [q["sql"] for q in captured.captured_queries]
    if len(found.queries) != len(found.seconds):
        raise BenchError(f"{len(found.queries)} queries captured but {len(found.seconds)} timed")
