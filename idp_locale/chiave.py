"""The RSA key that signs the ID tokens: a PEM file, generated on the first start."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def chiave_privata_pem(percorso: Path) -> str:
    """Reads the PEM key at ``percorso``, creating it (RSA 2048, readable by the owner only) if missing."""
    if not percorso.exists():
        percorso.parent.mkdir(parents=True, exist_ok=True)
        chiave = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = chiave.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
        percorso.touch(mode=0o600)
        percorso.write_bytes(pem)
    return percorso.read_text()
