"""Password hashes of the ex-Inpdap system, verified without ever knowing the passwords.

The import declares each row's algorithm; the hash is stored in Django's own format (``algorithm$salt$hash``) so that
``check_password`` verifies it through these hashers. They only verify: nothing new is ever hashed with them.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher


class _LegacyHasher(BasePasswordHasher):
    digest: str = ""

    def encode(self, password: str, salt: str, **kwargs: Any) -> str:
        value = hashlib.new(self.digest, (salt + password).encode("utf-8")).hexdigest()
        return f"{self.algorithm}${salt}${value}"

    def decode(self, encoded: str) -> dict[str, str]:
        algorithm, salt, value = encoded.split("$", 2)
        return {"algorithm": algorithm, "hash": value, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        candidate = hashlib.new(self.digest, (decoded["salt"] + password).encode("utf-8")).hexdigest()
        return hmac.compare_digest(candidate, decoded["hash"].lower())

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        return {"algoritmo": self.algorithm or "", "hash": "********"}

    def must_update(self, encoded: str) -> bool:
        return False

    def harden_runtime(self, password: str, encoded: str) -> None:
        return None


class LegacyMD5Hasher(_LegacyHasher):
    algorithm = "exinpdap_md5"
    digest = "md5"


class LegacySHA1Hasher(_LegacyHasher):
    algorithm = "exinpdap_sha1"
    digest = "sha1"


class LegacySHA256Hasher(_LegacyHasher):
    algorithm = "exinpdap_sha256"
    digest = "sha256"


ALGORITMI = {"md5": LegacyMD5Hasher, "sha1": LegacySHA1Hasher, "sha256": LegacySHA256Hasher}


def codifica_hash_legacy(algoritmo: str, hash_esadecimale: str, sale: str = "") -> str:
    """The stored form of a legacy hash declared in the import; ValueError for an unknown algorithm or bad hash."""
    hasher = ALGORITMI.get(algoritmo.lower())
    if hasher is None:
        raise ValueError(f"algoritmo sconosciuto: {algoritmo!r} (ammessi: {', '.join(ALGORITMI)})")
    lunghezza = hashlib.new(hasher.digest).digest_size * 2
    valore = hash_esadecimale.strip().lower()
    if len(valore) != lunghezza or any(c not in "0123456789abcdef" for c in valore):
        raise ValueError(f"hash {algoritmo} non valido: attese {lunghezza} cifre esadecimali")
    if "$" in sale:
        raise ValueError("il sale non può contenere '$'")
    return f"{hasher.algorithm}${sale}${valore}"


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id at the OWASP minimum (19 MiB, 2 iterations, 1 lane): the first hasher of PINs and staff passwords.

    Django's own defaults (100 MiB, 8 lanes) cost several times more CPU per login on a two-core machine without a
    matching gain against the 16-character PIN. Hashes made with other parameters are rewritten at the next login.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
