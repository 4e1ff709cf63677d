"""The portal's only source of "now" and "today".

Nothing else reads the wall clock, so that tests and demonstrations can move time: ``frozen()`` pins it for a block
of code, and the ``PORTAL_CLOCK_NOW`` setting pins it for a whole demo run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    if _frozen is not None:
        return _frozen
    if settings.PORTAL_CLOCK_NOW:
        return _aware(dt.datetime.fromisoformat(settings.PORTAL_CLOCK_NOW))
    return timezone.now()


def today() -> dt.date:
    """Today's date in Europe/Rome, the date an Italian office would write on a document."""
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(instant: dt.datetime | dt.date) -> Iterator[dt.datetime]:
    """Pin the clock to ``instant`` (a date means its midday in Rome) for the duration of the block."""
    global _frozen
    if not isinstance(instant, dt.datetime):
        instant = dt.datetime.combine(instant, dt.time(12, 0))
    previous, _frozen = _frozen, _aware(instant)
    try:
        yield _frozen
    finally:
        _frozen = previous


def _aware(instant: dt.datetime) -> dt.datetime:
    if timezone.is_naive(instant):
        instant = timezone.make_aware(instant, timezone.get_default_timezone())
    return instant.astimezone(dt.UTC)
