"""Plain-http clients of the portal under test, as people use it: a cookie jar, the login forms, one connection per
request (gunicorn's sync workers close it anyway).

The production settings mark the session and CSRF cookies ``Secure``, so a normal client would not send them back
over plain http: they are read from ``Set-Cookie`` and sent back by hand in the ``Cookie`` header.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass, field

from bench.harness.core import HOST, BenchError
from bench.harness.processes import Service

REDIRECT = frozenset({301, 302, 303, 307})
READY_TIMEOUT_S = 120.0  # the server may still be draining requests queued by the previous measure

_CSRF_INPUT = re.compile(r"""<input[^>]*name=["']csrfmiddlewaretoken["'][^>]*>""")
_VALUE = re.compile(r"""value=["']([^"']+)["']""")
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookies(self) -> dict[str, str]:
        """Cookies set by the response, whatever their Secure flag."""
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0].strip()
        return found

    def describe(self) -> str:
        """Status and, for what is not a page, where it redirects; else the page's title."""
        if location := self.headers.get("Location"):
            return f"{self.status} to {location}"
        if "json" in self.headers.get("Content-Type", ""):
            return f"{self.status} {' '.join(self.text.split())[:200]}"
        title = _TITLE.search(self.text)
        return f'{self.status} "{" ".join(title.group(1).split())[:80]}"' if title else f"{self.status}"


class FlowError(Exception):
    """An answer other than the expected one: the flow of that person stops there."""

    def __init__(self, step: str, reply: Reply, expected: str) -> None:
        super().__init__(f"{step}: {reply.describe()} (expected {expected})")


@dataclass
class Browser:
    """One person's client, connecting from ``source`` (a loopback address of its own, see ``bench.persone``)."""

    port: int
    source: str = HOST
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    requests: int = 0

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def send(self, step: str, method: str, path: str, fields: dict[str, str] | None = None) -> Reply:
        headers = {"User-Agent": "inps-portal-bench"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            body = urllib.parse.urlencode(fields or {}).encode()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout, source_address=(self.source, 0))
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.msg, response.read())
        finally:
            connection.close()
        self.timings[step] = time.perf_counter() - started
        self.statuses[step] = reply.status
        self.requests += 1
        self.cookies.update({k: v for k, v in reply.cookies().items() if v and v != '""'})
        return reply

    def login(self, path: str, codice_fiscale: str, secret: str) -> Reply:
        """GET the login form, POST it: the answer must be a redirect with a session."""
        form = self.send("get_login", "GET", path)
        field_match = _CSRF_INPUT.search(form.text)
        token = _VALUE.search(field_match.group(0)) if field_match else None
        if form.status != 200 or token is None or "csrftoken" not in self.cookies:
            raise FlowError("get_login", form, "200 with a CSRF token")
        self.cookies.pop("sessionid", None)
        fields = {"login": codice_fiscale, "password": secret, "csrfmiddlewaretoken": token.group(1)}
        posted = self.send("post_login", "POST", path, fields)
        if posted.status not in REDIRECT or "sessionid" not in self.cookies:
            raise FlowError("post_login", posted, "a redirect with a session")
        return posted


def wait_ready(server: Service, deadline_s: float = READY_TIMEOUT_S) -> None:
    """Wait until ``/bench/plain`` answers quickly three times in a row: requests queued earlier have drained."""
    deadline = time.monotonic() + deadline_s
    fast = 0
    while fast < 3:
        if time.monotonic() > deadline:
            raise BenchError(f"the server was not ready within {deadline_s:.0f} s")
        server.check_alive()
        started = time.monotonic()
        try:
            ok = Browser(server.port, timeout=5.0).send("ready", "GET", "/bench/plain").status == 200
        except OSError:
            ok = False
        fast = fast + 1 if ok and time.monotonic() - started < 0.25 else 0
        if fast < 3:
            time.sleep(0.05 if ok else 0.2)
