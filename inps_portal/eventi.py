"""The audit row every status change leaves: from, to, who, why, when. Each workflow adds the object it concerns."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from inps_portal import clock


class EventoDiStato(models.Model):
    da = models.CharField(max_length=20, blank=True)
    a = models.CharField(max_length=20)
    chi = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    motivo = models.TextField(blank=True)
    quando = models.DateTimeField(default=clock.now)

    class Meta:
        abstract = True
        ordering = ["quando", "pk"]

    def __str__(self) -> str:
        return f"{self.da or '—'} → {self.a}"
