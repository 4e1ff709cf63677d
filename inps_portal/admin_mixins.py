"""Pieces shared by the back office of every app."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices

# --- Queues of requests ---------------------------------------------------------------------------------------------
# A queue opens on what is still to be decided ("in corso"), with the count of it under the title; the same filter
# shows every request, or those in one state. The default is the filter's own value, not a redirect: the queue's
# address stays the one the staff bookmark, and a filter link never lands on an empty page because two filters on
# the status contradict each other.

IN_CORSO = "in_corso"
TUTTE = "tutte"
CODA_CHANGE_LIST = "admin/coda_change_list.html"


class FiltroCoda(admin.SimpleListFilter):
    title = "stato"
    parameter_name = "stato"
    stati_in_corso: tuple[str, ...] = ()
    stati: tuple[tuple[str, str], ...] = ()

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(IN_CORSO, "In corso (da decidere)"), *self.stati, (TUTTE, "Tutte")]

    def value(self) -> str:
        valore = super().value()
        return valore if valore in {scelta for scelta, _ in self.lookup_choices} else IN_CORSO

    def choices(self, changelist: Any) -> Iterator[_ListFilterChoices]:
        # As Django's, without its "Tutti" that clears the parameter (here that is the default, "in corso").
        conteggi = self.get_facet_queryset(changelist) if changelist.add_facets else None
        for indice, (valore, etichetta) in enumerate(self.lookup_choices):
            if conteggi is not None:
                etichetta = f"{etichetta} ({conteggi.get(f'{indice}__c', '-')})"
            yield {
                "selected": self.value() == valore,
                "query_string": changelist.get_query_string({self.parameter_name: valore}),
                "display": etichetta,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        valore = self.value()
        if valore == TUTTE:
            return queryset
        if valore == IN_CORSO:
            return queryset.filter(status__in=self.stati_in_corso)
        return queryset.filter(status=valore)


class PaginatoreCoda(Paginator):  # type: ignore[type-arg]
    """A page of a long queue as cheap at the end as at the start: the offset walks the primary keys alone, in the
    queue's order, and only the page's rows are then read with their joins (one query more than the first page). With
    a plain OFFSET the database builds and discards every joined row before the page (the last page of 10,000
    requests cost three times the first)."""

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]
        numero = self.validate_number(number)
        inizio = (numero - 1) * self.per_page
        fine = inizio + self.per_page
        if fine + self.orphans >= self.count:
            fine = self.count
        elenco: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        if inizio == 0:  # no offset to walk: the page as it is, in one query
            return Page(list(elenco[:fine]), numero, self)
        chiavi = list(elenco.values_list("pk", flat=True)[inizio:fine])
        righe = {riga.pk: riga for riga in elenco.filter(pk__in=chiavi)}
        return Page([righe[chiave] for chiave in chiavi if chiave in righe], numero, self)


class CodaDaDecidere:
    """For the ModelAdmin of a queue whose model has a ``status``: ``stati_in_corso`` are the states that wait for
    the office's decision. The ModelAdmin shows the count with ``change_list_template = CODA_CHANGE_LIST``."""

    stati_in_corso: tuple[str, ...] = ()
    model: Any  # given by the ModelAdmin it is mixed into
    paginator: ClassVar[type] = PaginatoreCoda

    def filtro_coda(self) -> type[FiltroCoda]:
        return type(
            "FiltroCoda",
            (FiltroCoda,),
            {"stati_in_corso": self.stati_in_corso, "stati": tuple(self.model._meta.get_field("status").choices)},
        )

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        altri = [f for f in super().get_list_filter(request) if f != "status"]  # type: ignore[misc]
        return [self.filtro_coda(), *altri]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        contesto = dict(extra_context or {})
        if self.has_view_or_change_permission(request):  # type: ignore[attr-defined]
            coda = self.get_queryset(request)  # type: ignore[attr-defined]
            contesto["in_attesa"] = coda.filter(status__in=self.stati_in_corso).count()
        return super().changelist_view(request, contesto)  # type: ignore[misc, no-any-return]


class SolaLettura:
    """Evidence and audit trails are never added, changed or deleted from the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Keys typed by hand -----------------------------------------------------------------------------------------
# A foreign key arrives from the browser as text. Django's fields already refuse a key that finds nothing, but the
# autocomplete widget, re-rendering a refused form, looks up whatever was sent: "abc" for an integer key raised a
# ValueError there, a 500. These fields refuse a value that cannot be a key of the target (wrong type, beyond the
# column's range, a NUL character) before any query, and never hand it back to the widget.

SCELTA_NON_VALIDA = "Scelga un elemento dell'elenco: il valore inviato non corrisponde a nessuno."


def chiave_ammissibile(modello: type[Model], campo: str | None, valore: object) -> bool:
    """Whether ``valore`` can be a value of the key ``campo`` (the primary key when None) of ``modello``: the right
    type, within the column's range (the field's own validators), no NUL character."""
    if not isinstance(valore, (str, int)) or (isinstance(valore, str) and "\x00" in valore):
        return False
    chiave = modello._meta.get_field(campo) if campo else modello._meta.pk
    assert isinstance(chiave, models.Field)
    try:
        chiave.run_validators(chiave.to_python(valore))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class ChiaveScelta(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A foreign key of a back-office form."""

    default_error_messages = {"invalid_choice": SCELTA_NON_VALIDA}

    def _ammissibile(self, valore: object) -> bool:
        return chiave_ammissibile(self.queryset.model, self.to_field_name, valore)  # type: ignore[union-attr]

    def to_python(self, value: Any) -> Model | None:
        if value not in self.empty_values and not isinstance(value, Model) and not self._ammissibile(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        # What the refused form shows again: a value that is no key is shown as no choice, never looked up.
        if data in self.empty_values or isinstance(data, Model) or self._ammissibile(data):
            return data
        return None


class ChiaviScelte(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A many-to-many field of a back-office form."""

    default_error_messages = {
        "invalid_choice": SCELTA_NON_VALIDA,
        "invalid_pk_value": "Uno dei valori inviati non è ammesso: scelga gli elementi dall'elenco.",
        "invalid_list": "Scelga uno o più elementi dall'elenco.",
    }

    def _ammissibile(self, valore: object) -> bool:
        return chiave_ammissibile(self.queryset.model, self.to_field_name, valore)  # type: ignore[union-attr]

    def _check_values(self, value: Any) -> Any:
        if any(not isinstance(v, Model) and not self._ammissibile(v) for v in value):
            raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)  # type: ignore[misc]

    def bound_data(self, data: Any, initial: Any) -> Any:
        if not isinstance(data, (list, tuple)):
            return data
        return [v for v in data if isinstance(v, Model) or self._ammissibile(v)]


class ChiaviVerificate:
    """Foreign keys and many-to-many fields of a ModelAdmin or an inline use the fields above (where an admin chooses
    its own form class, that one stays). The portal's site mixes it into every ModelAdmin and their inlines."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", ChiaveScelta)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", ChiaviScelte)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class InlineVerificato(ChiaviVerificate):
    """For an inline: its keys, and a formset that never builds more forms than the inline may hold (a posted
    ``TOTAL_FORMS`` of a billion would otherwise build and render Django's absolute maximum, 2,000 forms)."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        massimo = self.get_max_num(request, obj, **kwargs)  # type: ignore[attr-defined]
        if massimo is not None:
            kwargs.setdefault("absolute_max", massimo)
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]


class InputVerificato(ChiaviVerificate):
    """For a ModelAdmin: its keys, its inlines', and changelist parameters that overflow (a year of the date
    hierarchy beyond any date) treated as the wrong parameters they are, as Django treats the others."""

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[Any]]:
        return [inline_verificato(inline) for inline in super().get_inlines(request, obj)]  # type: ignore[misc]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            return super().get_changelist_instance(request)  # type: ignore[misc]
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


@functools.cache
def inline_verificato(inline: type[Any]) -> type[Any]:
    """The inline class with ``InlineVerificato`` mixed in (one class per inline, made once)."""
    if issubclass(inline, InlineVerificato):
        return inline
    return type(inline.__name__, (InlineVerificato, inline), {"__module__": inline.__module__})


class RifiutoForm(forms.Form):
    """The reason of a refusal, which the decision's PEC carries to whoever asked (an operator, a person)."""

    motivo = forms.CharField(
        label="Motivo del rifiuto (sarà comunicato a chi ha presentato la richiesta)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Indichi il motivo del rifiuto."},
    )
