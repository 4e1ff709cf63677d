"""The one base of the portal's domain errors: a business rule refused an action, and the message says why, in
Italian, to the person who tried. Views and the back office catch this class and show the message; anything else
is a bug."""

from __future__ import annotations


class ErroreDominio(Exception):
    """A business rule refused the action; ``str(errore)`` is the Italian message for the person."""
