"""Who may see and act on the PUE's operators, and who they are."""

from __future__ import annotations

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from accounts.models import Comune, Prestazione, Struttura, User
from accounts.roles import Ruolo
from accounts.selectors.competenza import sede_competente
from accounts.selectors.persone import organizzazioni_di
from convenzioni.models import Convenzione, FiguraConvenzione
from convenzioni.selectors import convenzione_attiva
from pue.models import DesignazioneOperatore, Sportello

Stato = DesignazioneOperatore.Stato


def amministratore_di(user: User, comune: Comune | int) -> Convenzione | None:
    """The active convention of ``comune`` if ``user`` is its Amministratore utenze now (named in the convention)."""
    convenzione = convenzione_attiva(comune)
    if convenzione is None or not user.is_authenticated:
        return None
    nominato = FiguraConvenzione.objects.filter(
        convenzione=convenzione,
        ruolo=FiguraConvenzione.Ruolo.AMMINISTRATORE_UTENZE,
        sostituita_il__isnull=True,
        codice_fiscale=user.codice_fiscale,
    ).exists()
    return convenzione if nominato else None


def comuni_amministrati(user: User) -> list[tuple[Comune, Convenzione]]:
    """The Comuni whose active convention names ``user`` as Amministratore utenze."""
    if not user.is_authenticated:
        return []
    figure = FiguraConvenzione.objects.filter(
        ruolo=FiguraConvenzione.Ruolo.AMMINISTRATORE_UTENZE,
        sostituita_il__isnull=True,
        codice_fiscale=user.codice_fiscale,
        convenzione__stato=Convenzione.Stato.ATTIVA,
    ).select_related("convenzione__comune__provincia")
    return [(f.convenzione.comune, f.convenzione) for f in figure]


def sedi_che_abilitano(user: User) -> QuerySet[Struttura]:
    """The Sedi territoriali where ``user`` is staff: each enables the designations of the Comuni it is competent
    for (the Sede of the Comune's province)."""
    return get_objects_for_user(
        user,
        "accounts.personale_struttura",
        Struttura.objects.filter(tipo=Struttura.Tipo.SEDE_TERRITORIALE),
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def designazioni_per_sede(user: User) -> QuerySet[DesignazioneOperatore]:
    """The designations INPS staff of a Sede decide and may revoke: those of the Comuni of the Sede's province. No
    superuser bypass: the back office reads them, it does not decide."""
    province = sedi_che_abilitano(user).values("provincia_id")
    return DesignazioneOperatore.objects.filter(comune__provincia_id__in=province).select_related(
        "comune", "designata_da", "decisa_da"
    )


def designazioni_del_comune(comune: Comune | int) -> QuerySet[DesignazioneOperatore]:
    return DesignazioneOperatore.objects.filter(comune=comune).select_related("decisa_da", "designata_da")


def puo_decidere(user: User, designazione: DesignazioneOperatore) -> bool:
    """Staff of the Sede competent for the Comune, by their object permission alone: a superuser does not decide."""
    sede = sede_competente(designazione.comune)
    return sede is not None and sedi_che_abilitano(user).filter(pk=sede.pk).exists()


def designazione_per_amministratore(user: User, pk: int) -> DesignazioneOperatore | None:
    designazione = DesignazioneOperatore.objects.select_related("comune").filter(pk=pk).first()
    if designazione is None or amministratore_di(user, designazione.comune_id) is None:
        return None
    return designazione


def designazione_per_sede(user: User, pk: int) -> DesignazioneOperatore | None:
    return designazioni_per_sede(user).filter(pk=pk).first()


def abilitazione_operatore(codice_fiscale: str) -> DesignazioneOperatore | None:
    """The person's enabled designation, if any (one Comune at a time in practice; the latest otherwise)."""
    return (
        DesignazioneOperatore.objects.filter(codice_fiscale=codice_fiscale, stato=Stato.ABILITATA)
        .select_related("comune")
        .order_by("-decisa_il")
        .first()
    )


def ultima_designazione(codice_fiscale: str) -> DesignazioneOperatore | None:
    return (
        DesignazioneOperatore.objects.filter(codice_fiscale=codice_fiscale)
        .select_related("comune")
        .order_by("-designata_il", "-pk")
        .first()
    )


def sportelli_competenti(comune: Comune, prestazione: Prestazione | None = None) -> list[Sportello]:
    """Where a citizen of ``comune`` may be booked (Messaggio 4461/2023): the sportello of the Struttura
    territorialmente competente (the Sede of the Comune's province) or, for a prestazione that a Polo nazionale
    handles, the sportelli of that Polo. When several Poli answer for one prestazione, each of them is competent:
    they are all offered, by name, and the operator takes the earliest free slot among them."""
    attivi = Sportello.objects.filter(attivo=True, struttura__attiva=True).select_related("struttura", "comune")
    if prestazione is not None:
        poli = list(attivi.filter(struttura__tipo=Struttura.Tipo.POLO_NAZIONALE, struttura__prestazioni=prestazione))
        if poli:
            return sorted(poli, key=lambda s: (s.struttura.nome, s.nome))
    sede = sede_competente(comune)
    return list(attivi.filter(struttura=sede).order_by("nome")) if sede is not None else []


def sportello_competente(sportello: Sportello, comune: Comune, prestazione: Prestazione | None) -> bool:
    if sportello.struttura.tipo == Struttura.Tipo.POLO_NAZIONALE:
        return prestazione is not None and sportello.struttura.prestazioni.filter(pk=prestazione.pk).exists()
    sede = sede_competente(comune)
    return sede is not None and sportello.struttura_id == sede.pk


# --- The INPS side of Gestione sportelli ----------------------------------------------------------------------------


def strutture_dell_operatore(user: User) -> QuerySet[Struttura]:
    """The Sedi territoriali and Poli nazionali where ``user`` is operatore di sportello (object permission only)."""
    return organizzazioni_di(user, Ruolo.OPERATORE_SPORTELLO).filter(
        tipo__in=(Struttura.Tipo.SEDE_TERRITORIALE, Struttura.Tipo.POLO_NAZIONALE)
    )


def sportelli_dell_operatore(user: User) -> QuerySet[Sportello]:
    """The sportelli of the Strutture where ``user`` is operatore di sportello, active ones first. An inactive
    sportello stays: its past meetings may still await their outcome."""
    if not user.is_authenticated:
        return Sportello.objects.none()
    return (
        Sportello.objects.filter(struttura__in=strutture_dell_operatore(user).values("pk"))
        .select_related("struttura")
        .order_by("-attivo", "nome", "pk")
    )
