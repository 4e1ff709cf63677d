"""What the conventions tell the apps built on them, without importing them (the PUE sits above the conventions)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that closes an active or preparing convention (annulled, ceased, revoked, expired,
# replaced), with ``convenzione_id``: whatever lived on it (the PUE's operators) ends with it.
convenzione_chiusa = Signal()
