"""Pieces shared by the back office of every app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class SolaLettura:
    """Evidence and audit trails are never added, changed or deleted from the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
