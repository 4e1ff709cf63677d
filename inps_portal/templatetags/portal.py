"""Template helpers shared by every page: form fields rendered the Bootstrap Italia way, accessibly."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def campo(field: BoundField, help: str = "") -> SafeString:
    """A labelled input with its help text and errors tied to it through ``aria-describedby``."""
    described = []
    help_text = help or field.help_text
    if help_text:
        described.append(f"{field.auto_id}-aiuto")
    if field.errors:
        described.append(f"{field.auto_id}-errori")
    attrs: dict[str, str | bool] = {"class": "form-control" + (" is-invalid" if field.errors else "")}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return render_to_string(
        "includes/campo.html",
        {"field": field, "widget": field.as_widget(attrs=attrs), "help_text": help_text},
    )
