"""Settings of ``bench.login``: the production settings, with two changes that the benchmark sets itself.

- ``STATIC_ROOT`` from ``BENCH_STATIC_ROOT`` (required): ``collectstatic`` writes to a temporary directory of the run,
  not to the project's ``var/staticfiles``.
- ``BENCH_PBKDF2_FIRST=1``: the old hashing configuration, Django's PBKDF2 first. Argon2id stays in the list after it,
  so an Argon2id hash would still be verified (and rewritten with PBKDF2 at the next login), as before the change.
  Without it ``PASSWORD_HASHERS`` is production's own, Argon2id first.
"""

import os
from pathlib import Path

from inps_portal.settings.production import *  # noqa: F403
from inps_portal.settings.production import PASSWORD_HASHERS as PRODUCTION_HASHERS

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])

PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
if os.environ.get("BENCH_PBKDF2_FIRST") == "1":
    PASSWORD_HASHERS = [PBKDF2, *(hasher for hasher in PRODUCTION_HASHERS if hasher != PBKDF2)]
