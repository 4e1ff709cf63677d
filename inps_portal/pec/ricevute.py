"""PEC receipts as the technical rules of DM 2 November 2005 (attached to DPR 68/2005) describe them.

A receipt is an e-mail from the provider with the headers ``X-Ricevuta`` (its type) and ``X-Riferimento-Message-ID``
(the Message-ID of the message it is about), a human-readable text, and an attachment ``daticert.xml`` whose root
``postacert`` carries ``intestazione`` (sender, recipients, subject) and ``dati`` (provider, date, identifier, msgid,
``consegna``, ``errore-esteso``). This module reads them (:func:`analizza`) and, for the development gateway, writes
them (:func:`componi`). Providers also sign receipts (S/MIME): the signature is not produced nor verified here.
"""

from __future__ import annotations

import datetime as dt
import email
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

TIPI = ("accettazione", "non-accettazione", "avvenuta-consegna", "errore-consegna", "preavviso-errore-consegna")
OGGETTI = {
    "accettazione": "ACCETTAZIONE",
    "non-accettazione": "AVVISO DI NON ACCETTAZIONE",
    "avvenuta-consegna": "CONSEGNA",
    "errore-consegna": "AVVISO DI MANCATA CONSEGNA",
    "preavviso-errore-consegna": "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO",
}
_ROMA = ZoneInfo("Europe/Rome")
# Receipts are small; anything bigger is not a receipt and is not parsed as one.
DIMENSIONE_MASSIMA = 2 * 1024 * 1024


class RicevutaNonValida(ValueError):
    """The message is not a well-formed PEC receipt; the reason is the message."""


@dataclass(frozen=True)
class DatiRicevuta:
    tipo: str
    errore: str
    riferimento_message_id: str
    mittente: str
    destinatari: list[str]
    oggetto: str
    gestore: str
    data: dt.datetime | None
    identificativo: str
    msgid: str
    consegna: str = ""
    errore_esteso: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def analizza(raw: bytes) -> DatiRicevuta:
    """Read a receipt; raise :class:`RicevutaNonValida` with the reason when it is not one."""
    if len(raw) > DIMENSIONE_MASSIMA:
        raise RicevutaNonValida("messaggio troppo grande per essere una ricevuta")
    # The compat32 policy is enough for the few headers read here, and parses several times faster than the
    # default one: receipts arrive by the thousand.
    message = email.message_from_bytes(raw)
    tipo = " ".join(str(message.get("X-Ricevuta", "")).split())
    if tipo not in TIPI:
        raise RicevutaNonValida(f"intestazione X-Ricevuta assente o sconosciuta: {tipo!r}")
    riferimento = "".join(str(message.get("X-Riferimento-Message-ID", "")).split())
    if not riferimento:
        raise RicevutaNonValida("intestazione X-Riferimento-Message-ID assente")
    root, intestazione, dati = _postacert(_daticert(message), tipo)
    msgid = _testo(dati, "msgid")
    if msgid and msgid != riferimento:
        raise RicevutaNonValida("msgid di daticert.xml diverso da X-Riferimento-Message-ID")
    identificativo = _testo(dati, "identificativo")
    if not identificativo:
        raise RicevutaNonValida("daticert.xml senza identificativo")
    if tipo in ("avvenuta-consegna", "errore-consegna", "preavviso-errore-consegna") and not _testo(dati, "consegna"):
        raise RicevutaNonValida("ricevuta di consegna senza il destinatario ('consegna')")
    return DatiRicevuta(
        tipo=tipo,
        errore=root.get("errore", "nessuno"),
        riferimento_message_id=riferimento,
        mittente=_testo(intestazione, "mittente"),
        destinatari=[(d.text or "").strip() for d in intestazione.findall("destinatari")],
        oggetto=_testo(intestazione, "oggetto"),
        gestore=_testo(dati, "gestore-emittente"),
        data=_data(dati.find("data")),
        identificativo=identificativo,
        msgid=msgid,
        consegna=_testo(dati, "consegna").lower(),
        errore_esteso=_testo(dati, "errore-esteso"),
    )


def _postacert(daticert: bytes, tipo: str) -> tuple[ET.Element, ET.Element, ET.Element]:
    """The root of daticert.xml, its ``intestazione`` and its ``dati``, checked against the header's receipt type."""
    try:
        root = ET.fromstring(daticert)  # noqa: S314 - expat refuses external entities and bounds expansion
    except ET.ParseError as exc:
        raise RicevutaNonValida(f"daticert.xml non è XML ben formato: {exc}") from exc
    if root.tag != "postacert":
        raise RicevutaNonValida(f"daticert.xml ha radice {root.tag!r} invece di 'postacert'")
    if root.get("tipo") != tipo:
        raise RicevutaNonValida(f"tipo in daticert.xml ({root.get('tipo')!r}) diverso da X-Ricevuta ({tipo!r})")
    intestazione, dati = root.find("intestazione"), root.find("dati")
    if intestazione is None or dati is None:
        raise RicevutaNonValida("daticert.xml senza 'intestazione' o 'dati'")
    return root, intestazione, dati


def _daticert(message: email.message.Message) -> bytes:
    for part in message.walk():
        if part.get_filename() == "daticert.xml":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                return payload
    raise RicevutaNonValida("allegato daticert.xml assente")


def _testo(parent: ET.Element, tag: str) -> str:
    node = parent.find(tag)
    return (node.text or "").strip() if node is not None else ""


def _data(node: ET.Element | None) -> dt.datetime | None:
    if node is None:
        return None
    giorno, ora, zona = _testo(node, "giorno"), _testo(node, "ora"), node.get("zona", "+0100")
    try:
        return dt.datetime.strptime(f"{giorno} {ora} {zona}", "%d/%m/%Y %H:%M:%S %z")
    except ValueError as exc:
        raise RicevutaNonValida(f"data della ricevuta non valida: {giorno!r} {ora!r} {zona!r}") from exc


def componi(
    *,
    tipo: str,
    originale: EmailMessage,
    gestore: str,
    dominio: str,
    quando: dt.datetime,
    consegna: str = "",
    errore: str = "nessuno",
    errore_esteso: str = "",
) -> bytes:
    """Write a receipt about ``originale`` the way a PEC provider does (used by the development gateway)."""
    if tipo not in TIPI:
        raise ValueError(tipo)
    msgid = str(originale["Message-ID"] or "").strip()
    mittente = str(originale["From"] or "")
    oggetto = str(originale["Subject"] or "")
    destinatari = [a.strip() for a in str(originale.get("To", "")).split(",") if a.strip()]
    locale = quando.astimezone(_ROMA)
    identificativo = make_msgid(idstring=tipo, domain=dominio).strip("<>")

    root = ET.Element("postacert", tipo=tipo, errore=errore)
    intestazione = ET.SubElement(root, "intestazione")
    ET.SubElement(intestazione, "mittente").text = mittente
    for destinatario in destinatari:
        ET.SubElement(intestazione, "destinatari", tipo="certificato").text = destinatario
    ET.SubElement(intestazione, "risposte").text = mittente
    ET.SubElement(intestazione, "oggetto").text = oggetto
    dati = ET.SubElement(root, "dati")
    ET.SubElement(dati, "gestore-emittente").text = gestore
    data = ET.SubElement(dati, "data", zona=locale.strftime("%z"))
    ET.SubElement(data, "giorno").text = locale.strftime("%d/%m/%Y")
    ET.SubElement(data, "ora").text = locale.strftime("%H:%M:%S")
    ET.SubElement(dati, "identificativo").text = identificativo
    ET.SubElement(dati, "msgid").text = msgid
    if tipo == "avvenuta-consegna":
        ET.SubElement(dati, "ricevuta", tipo="completa")
    if consegna:
        ET.SubElement(dati, "consegna").text = consegna
    if errore_esteso:
        ET.SubElement(dati, "errore-esteso").text = errore_esteso
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE postacert SYSTEM "Postacert.dtd">\n' + ET.tostring(
        root, encoding="utf-8"
    )

    ricevuta = EmailMessage()
    ricevuta["From"] = f"posta-certificata@{dominio}"
    ricevuta["To"] = mittente
    ricevuta["Subject"] = f"{OGGETTI[tipo]}: {oggetto}"
    ricevuta["Date"] = format_datetime(locale)
    ricevuta["Message-ID"] = f"<{identificativo}>"
    ricevuta["X-Ricevuta"] = tipo
    ricevuta["X-Riferimento-Message-ID"] = msgid
    ricevuta["X-Trasporto"] = "posta-certificata"
    if tipo in ("avvenuta-consegna", "errore-consegna", "preavviso-errore-consegna"):
        ricevuta["X-Verificasicurezza"] = "nessuno"
    ricevuta.set_content(_testo_leggibile(tipo, locale, oggetto, mittente, msgid, consegna, errore_esteso))
    ricevuta.add_attachment(xml, maintype="application", subtype="xml", filename="daticert.xml")
    if tipo == "avvenuta-consegna":
        ricevuta.add_attachment(originale.as_bytes(), maintype="message", subtype="rfc822", filename="postacert.eml")
    return ricevuta.as_bytes()


def _testo_leggibile(
    tipo: str, quando: dt.datetime, oggetto: str, mittente: str, msgid: str, consegna: str, errore_esteso: str
) -> str:
    data = f"il giorno {quando:%d/%m/%Y} alle ore {quando:%H:%M:%S} ({quando:%z})"
    testi = {
        "accettazione": f'{data} il messaggio "{oggetto}" proveniente da "{mittente}" ed indirizzato a '
        "destinatari certificati è stato accettato dal sistema ed inoltrato.",
        "non-accettazione": f'{data} nel messaggio "{oggetto}" proveniente da "{mittente}" è stato rilevato '
        f"un problema che ne impedisce l'accettazione: {errore_esteso or 'errore formale'}. Il messaggio non è stato "
        "accettato.",
        "avvenuta-consegna": f'{data} il messaggio "{oggetto}" proveniente da "{mittente}" ed indirizzato a '
        f'"{consegna}" è stato consegnato nella casella di destinazione.',
        "errore-consegna": f'{data} nel messaggio "{oggetto}" proveniente da "{mittente}" e destinato '
        f'all\'utente "{consegna}" è stato rilevato un errore: {errore_esteso}. Il messaggio non è stato consegnato.',
        "preavviso-errore-consegna": f'{data} il messaggio "{oggetto}" proveniente da "{mittente}" e destinato '
        f'all\'utente "{consegna}" non risulta ancora consegnato: {errore_esteso}.',
    }
    return f"Ricevuta di {tipo.replace('-', ' ')}\n\n{testi[tipo]}\nIdentificativo messaggio: {msgid}\n"
