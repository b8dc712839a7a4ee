"""`make prod-check`'s small browser: HTTPS from the client address 127.0.0.2, cookies, forms, redirects; and the
TOTP codes an authenticator app would show."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import re
import socket
import ssl
import struct
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin

CLIENT_ADDRESS = "127.0.0.2"  # the "patient's" address; Caddy connects to gunicorn from 127.0.0.1
# Every request also claims to come from elsewhere (a documentation address, RFC 5737): Caddy must replace the
# header, so this address may never reach the audit trail.
FORGED_FORWARDED_FOR = "198.51.100.7"
HOST = "localhost"


# --- A small browser: cookies, forms, redirects, from 127.0.0.2 -------------------------------------------------


class _Connection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:<port> from CLIENT_ADDRESS, with SNI and certificate checks for `localhost`."""

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout, source_address=(CLIENT_ADDRESS, 0))
        self.sock = self._context.wrap_socket(raw, server_hostname=HOST)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    path: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def page(self) -> Page:
        page = Page()
        page.feed(self.text)
        return page


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text


class Page(HTMLParser):
    """The forms, links and stylesheets of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[tuple[str, str, str]] = []  # href, class, text
        self.stylesheets: list[str] = []
        self._text_of: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms and a.get("name"):
            kind = a.get("type", "text")
            if kind not in ("radio", "checkbox") or "checked" in a:
                self.forms[-1].fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and self.forms:
            self._text_of = [a.get("name", ""), a.get("value", ""), ""]
            self.forms[-1].buttons.append(self._text_of)
        elif tag == "a" and a.get("href"):
            self._text_of = [a["href"], a.get("class", ""), ""]
            self.links.append(self._text_of)
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a.get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("a", "button"):
            self._text_of = None

    def handle_data(self, data):
        if self._text_of is not None:
            self._text_of[2] += " " + data

    def form_with(self, name: str) -> Form:
        for form in self.forms:
            if any(field_name == name for field_name, _ in form.fields):
                return form
        raise AssertionError(f"no form with a field {name!r} on the page")

    def link(self, pattern: str) -> str:
        for href, classes, text in self.links:
            if re.search(pattern, f"{href} {classes} {' '.join(text.split())}"):
                return href
        raise AssertionError(f"no link matching {pattern!r} on the page")


class Browser:
    def __init__(self, port: int, ca_file: Path):
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.context = ssl.create_default_context(cafile=str(ca_file))
        self.cookies: dict[str, str] = {}
        self.cookie_flags: dict[str, str] = {}
        self.last = "/"

    def request(self, method: str, path: str, data: dict | list | None = None, headers: dict | None = None):
        connection = _Connection(HOST, self.port, context=self.context, timeout=30)
        sent = {"Host": f"{HOST}:{self.port}", "User-Agent": "clinic-prod-check"}
        sent.update({"X-Forwarded-For": FORGED_FORWARDED_FOR, **(headers or {})})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + self.last,
                }
            )
        connection.request(method, path, body=body, headers=sent)
        raw = connection.getresponse()
        response = Response(raw.status, raw.headers, raw.read(), path)
        connection.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
                self.cookie_flags[name] = header
        return response

    def go(self, method: str, path: str, data=None) -> Response:
        """A request, then its redirects (as GETs), like a browser; returns the last response."""
        response = self.request(method, path, data)
        for _ in range(10):
            if response.status not in (301, 302, 303, 307, 308):
                break
            location = urljoin(self.origin + path, response.headers["Location"])
            assert location.startswith(self.origin), f"redirected off the site to {location}"
            path = location[len(self.origin) :]
            response = self.request("GET", path)
        if response.status == 200:
            self.last = path
        return response

    def submit(self, response: Response, form: Form, values: dict, button: tuple | None = None) -> Response:
        data = [(k, v) for k, v in form.fields if k not in values]
        data += list(values.items())
        if button and button[0]:
            data.append((button[0], button[1]))
        action = urljoin(response.path, form.action) if form.action else response.path
        return self.go("POST", action, data)


def totp(secret: str, counter: int) -> str:
    """RFC 6238 as an authenticator app computes it (30 s, 6 digits, SHA-1)."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"
