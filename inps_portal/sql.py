"""What the portal's few queries written out by hand share: a column's values as a JSON array, in the SQL of
either database the portal runs on (Django has no portable aggregate of this kind), and the array read back."""

from __future__ import annotations

import json
from typing import Any


def lista_json(vendor: str, espressione: str, *, ordina: bool = False) -> str:
    """``espressione``'s values as a JSON array: PostgreSQL's ``json_agg`` (in order when asked), SQLite's
    ``json_group_array`` (in the order of the rows it reads: order them in its subquery)."""
    if vendor == "postgresql":
        return f"json_agg({espressione} ORDER BY {espressione})" if ordina else f"json_agg({espressione})"
    return f"json_group_array({espressione})"


def da_lista_json(valore: Any) -> list[Any]:
    """The array as Python reads it: SQLite's JSON is text, PostgreSQL's json arrives decoded, or NULL for none."""
    if isinstance(valore, str):
        return list(json.loads(valore))
    return list(valore or [])
