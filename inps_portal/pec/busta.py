"""The PEC transport envelope ("busta di trasporto", technical rules of DM 2 November 2005, par. 3.1 and 4.1).

A certified message reaches the recipient's mailbox inside an envelope written by the sender's provider: headers
``X-Trasporto: posta-certificata``, subject ``POSTA CERTIFICATA: <subject>``, sender "Per conto di: <sender>", a
readable text, the original message as ``postacert.eml`` and the certification data ``daticert.xml`` (root
``postacert`` with ``tipo="posta-certificata"``: sender, recipients, subject, provider, date, identifier, msgid).
This module writes envelopes (for the development gateway, :func:`componi_busta`) and opens them (:func:`apri`),
returning the original message and who certified it was sent by whom. Providers also sign the envelope (S/MIME):
that signature is neither produced nor checked here.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email
import email.parser
import email.policy
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from zoneinfo import ZoneInfo

_ROMA = ZoneInfo("Europe/Rome")
# The largest message the portal reads from a mailbox (the gateway's own limit is 30 MiB).
DIMENSIONE_MASSIMA = 32 * 1024 * 1024


class MessaggioIlleggibile(ValueError):
    """The bytes are not a readable e-mail; the message says why, in Italian."""


@dataclass(frozen=True)
class Parte:
    nome: str
    tipo_mime: str
    contenuto: bytes


@dataclass(frozen=True)
class MessaggioArrivato:
    """What a mailbox received: the original message, and whether a provider certified it (and from whom)."""

    certificato: bool  # it came in a transport envelope with daticert.xml
    mittente: str  # the certified sender (daticert) or, for a plain e-mail, the From address; lower case
    destinatari: list[str]
    oggetto: str
    message_id: str
    data: dt.datetime | None
    testo: str
    allegati: list[Parte] = field(default_factory=list)
    identificativo: str = ""  # the provider's identifier of the envelope


def componi_busta(
    *, originale: EmailMessage, destinatario: str, gestore: str, dominio: str, quando: dt.datetime
) -> bytes:
    """The envelope the development gateway delivers into the recipient's mailbox."""
    msgid = str(originale["Message-ID"] or "").strip()
    mittente = parseaddr(str(originale["From"] or ""))[1]
    oggetto = str(originale["Subject"] or "")
    destinatari = [indirizzo for _nome, indirizzo in getaddresses([str(originale.get("To", ""))]) if indirizzo]
    locale = quando.astimezone(_ROMA)
    identificativo = make_msgid(idstring="trasporto", domain=dominio).strip("<>")

    root = ET.Element("postacert", tipo="posta-certificata", errore="nessuno")
    intestazione = ET.SubElement(root, "intestazione")
    ET.SubElement(intestazione, "mittente").text = mittente
    for indirizzo in destinatari:
        ET.SubElement(intestazione, "destinatari", tipo="certificato").text = indirizzo
    ET.SubElement(intestazione, "risposte").text = mittente
    ET.SubElement(intestazione, "oggetto").text = oggetto
    dati = ET.SubElement(root, "dati")
    ET.SubElement(dati, "gestore-emittente").text = gestore
    data = ET.SubElement(dati, "data", zona=locale.strftime("%z"))
    ET.SubElement(data, "giorno").text = locale.strftime("%d/%m/%Y")
    ET.SubElement(data, "ora").text = locale.strftime("%H:%M:%S")
    ET.SubElement(dati, "identificativo").text = identificativo
    ET.SubElement(dati, "msgid").text = msgid
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")

    busta = EmailMessage()
    busta["From"] = f'"Per conto di: {mittente}" <posta-certificata@{dominio}>'
    busta["Reply-To"] = mittente
    busta["To"] = ", ".join(destinatari)
    busta["Subject"] = f"POSTA CERTIFICATA: {oggetto}"
    busta["Date"] = format_datetime(locale)
    busta["Message-ID"] = f"<{identificativo}>"
    busta["X-Trasporto"] = "posta-certificata"
    busta["X-Riferimento-Message-ID"] = msgid
    busta["Delivered-To"] = destinatario
    busta.set_content(
        f"Messaggio di posta certificata\n\nIl giorno {locale:%d/%m/%Y} alle ore {locale:%H:%M:%S} ({locale:%z}) "
        f'il messaggio "{oggetto}" è stato inviato da "{mittente}" indirizzato a: {", ".join(destinatari)}\n'
        f"Il messaggio originale è incluso in allegato.\nIdentificativo messaggio: {identificativo}\n"
    )
    # As a message part (7bit or 8bit, never base64: RFC 2046 5.2.1), so that readers descend into it.
    busta.add_attachment(originale, disposition="attachment", filename="postacert.eml")
    busta.add_attachment(xml, maintype="application", subtype="xml", filename="daticert.xml")
    return busta.as_bytes()


def apri(grezzo: bytes) -> MessaggioArrivato:
    """Read what arrived: the original inside a transport envelope, or a plain e-mail as it is."""
    if len(grezzo) > DIMENSIONE_MASSIMA:
        raise MessaggioIlleggibile("messaggio più grande del limite ammesso")
    try:
        messaggio = email.message_from_bytes(grezzo, policy=email.policy.default)
    except Exception as exc:
        raise MessaggioIlleggibile(f"messaggio non leggibile: {exc}") from exc
    if " ".join(str(messaggio.get("X-Trasporto", "")).split()).lower() == "posta-certificata":
        return _apri_busta(messaggio)
    return _arrivato(messaggio, certificato=False, mittente=parseaddr(str(messaggio.get("From", "")))[1])


def _apri_busta(busta: Message) -> MessaggioArrivato:
    originale: Message | None = None
    daticert: bytes | None = None
    for parte in busta.walk():
        nome = parte.get_filename()
        if nome == "daticert.xml":
            payload = parte.get_payload(decode=True)
            daticert = payload if isinstance(payload, bytes) else None
        elif nome == "postacert.eml" or (parte.get_content_type() == "message/rfc822" and originale is None):
            originale = _messaggio_incluso(parte) or originale
    if originale is None or daticert is None:
        raise MessaggioIlleggibile("busta di trasporto senza postacert.eml o senza daticert.xml")
    try:
        root = ET.fromstring(daticert)  # noqa: S314 - expat refuses external entities and bounds expansion
    except ET.ParseError as exc:
        raise MessaggioIlleggibile(f"daticert.xml non è XML ben formato: {exc}") from exc
    intestazione, dati = root.find("intestazione"), root.find("dati")
    if root.tag != "postacert" or root.get("tipo") != "posta-certificata" or intestazione is None or dati is None:
        raise MessaggioIlleggibile("daticert.xml non descrive un messaggio di posta certificata")
    mittente = (intestazione.findtext("mittente") or "").strip()
    arrivato = _arrivato(originale, certificato=True, mittente=mittente)
    return MessaggioArrivato(
        certificato=True,
        mittente=arrivato.mittente,
        destinatari=[(d.text or "").strip().lower() for d in intestazione.findall("destinatari")],
        oggetto=(intestazione.findtext("oggetto") or arrivato.oggetto).strip(),
        message_id=arrivato.message_id,
        data=arrivato.data,
        testo=arrivato.testo,
        allegati=arrivato.allegati,
        identificativo=(dati.findtext("identificativo") or "").strip(),
    )


def intestazioni(grezzo: bytes) -> tuple[str, str]:
    """Subject and sender of something that could not be read as a whole, for the list of what is to be sorted."""
    testa = email.parser.BytesHeaderParser().parsebytes(grezzo[:65536])
    return " ".join(str(testa.get("Subject", "")).split()), parseaddr(str(testa.get("From", "")))[1].lower()


def _messaggio_incluso(parte: Message) -> Message | None:
    """The message inside a message/rfc822 part; also when a sender encoded it in base64 against RFC 2046."""
    if str(parte.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        try:
            grezzo = base64.b64decode(str(parte.get_payload()), validate=False)
        except (binascii.Error, ValueError):
            return None
        return email.message_from_bytes(grezzo, policy=email.policy.default)
    contenuto = parte.get_payload()
    if isinstance(contenuto, list) and contenuto and isinstance(contenuto[0], Message):
        return contenuto[0]
    return contenuto if isinstance(contenuto, Message) else None


def _arrivato(messaggio: Message, *, certificato: bool, mittente: str) -> MessaggioArrivato:
    testo = ""
    allegati: list[Parte] = []
    for parte in messaggio.walk():
        if parte.is_multipart():
            continue
        nome = parte.get_filename()
        payload = parte.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if nome:
            allegati.append(Parte(nome=nome[:200], tipo_mime=parte.get_content_type(), contenuto=payload))
        elif parte.get_content_type() == "text/plain" and not testo:
            testo = payload.decode(parte.get_content_charset() or "utf-8", "replace")
    try:
        data = email.utils.parsedate_to_datetime(str(messaggio["Date"])) if messaggio["Date"] else None
    except (TypeError, ValueError):
        data = None
    return MessaggioArrivato(
        certificato=certificato,
        mittente=mittente.strip().lower(),
        destinatari=[a.lower() for _n, a in getaddresses([str(messaggio.get("To", ""))]) if a],
        oggetto=" ".join(str(messaggio.get("Subject", "")).split()),
        message_id=str(messaggio.get("Message-ID", "")).strip(),
        data=data,
        testo=testo,
        allegati=allegati,
    )
