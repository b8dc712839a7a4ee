"""A real SMTP server for tests and for `make prod-check`: aiosmtpd on a loopback port, STARTTLS required with a
certificate made on the spot (trustme), AUTH required after TLS, every accepted message kept and parsed.

Tests use the `smtp_server` fixture (import it into the test module, or into a conftest.py as tests/scheduling's
does): it starts the server, points the clinic's EMAIL_* settings at it, and makes the client trust the test
certificate authority through `SSL_CERT_FILE`, so Django's SMTP backend verifies the certificate and the host name
exactly as it would a real mail server's.

    from tests.smtp import smtp_server  # noqa: F401  (the fixture)

    def test_it(smtp_server):
        ...send...
        message = smtp_server.wait_for(to="alice@example.com")
        message.subject, message.text, message.html, message.attachments
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd warns on every AUTH that a field it keeps for old handlers is deprecated; this handler does not use it.
logging.getLogger("mail.log").setLevel(logging.ERROR)

SMTP_USER = "clinic-mailer"
SMTP_PASSWORD = "smtp-test-password-1"
# What the server insists on, as the clinic's real mail server does: STARTTLS first, then AUTH, only over TLS.
REQUIRED = {"require_starttls": True, "auth_required": True, "auth_require_tls": True}


@dataclass
class ReceivedMessage:
    """One message as the server received it: the envelope, the TLS version it came over, and its MIME parts."""

    mail_from: str
    rcpt_tos: list[str]
    tls_version: str | None
    login: str | None
    raw: bytes
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)

    def _body(self, subtype: str) -> str | None:
        part = self.message.get_body(preferencelist=(subtype,))
        return None if part is None else part.get_content()

    @property
    def text(self) -> str | None:
        return self._body("plain")

    @property
    def html(self) -> str | None:
        return self._body("html")

    @property
    def attachments(self) -> list[EmailMessage]:
        return list(self.message.iter_attachments())

    def parts_of_type(self, content_type: str) -> list[EmailMessage]:
        return [part for part in self.message.walk() if part.get_content_type() == content_type]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        ssl_object = smtp.transport.get_extra_info("ssl_object") if smtp.transport else None
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        raw = envelope.original_content or envelope.content
        self.server._receive(
            ReceivedMessage(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                tls_version=ssl_object.version() if ssl_object else None,
                login=login,
                raw=raw,
                message=email.message_from_bytes(raw, policy=email.policy.default),
            )
        )
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _authenticate(smtp, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class SmtpServer:
    """Start with `start()`, stop with `stop()`. `ca_file` is the PEM a client must trust (SSL_CERT_FILE)."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", hostname: str = "localhost"):
        self.host = host
        self.hostname = hostname  # the name clients connect to; the certificate is made for it
        self.port = _free_port(host)
        self.messages: list[ReceivedMessage] = []
        self._arrived = threading.Condition()
        authority = trustme.CA()
        certificate = authority.issue_cert(hostname, host)
        self.ca_file = Path(directory) / "smtp-test-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_file))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(tls)
        self._controller = Controller(
            _Handler(self),
            hostname=host,
            port=self.port,
            server_hostname=hostname,
            tls_context=tls,
            authenticator=_authenticate,
            **REQUIRED,
        )

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def client_settings(self) -> dict[str, object]:
        """The clinic's EMAIL_* settings for this server (the same names as the environment variables)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.hostname,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": SMTP_USER,
            "EMAIL_HOST_PASSWORD": SMTP_PASSWORD,
            "EMAIL_USE_TLS": True,
            "EMAIL_TIMEOUT": 10,
        }

    def _receive(self, message: ReceivedMessage) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def wait_for(self, *, to: str, subject: str = "", timeout: float = 10.0) -> ReceivedMessage:
        """The first message addressed to `to` (whose subject contains `subject`), waiting up to `timeout`
        seconds for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in self.messages:
                    if to in message.rcpt_tos and subject in message.subject:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [(m.rcpt_tos, m.subject) for m in self.messages]
                    raise AssertionError(f"no message to {to} {subject!r} within {timeout:.0f} s (received: {got})")
                self._arrived.wait(left)


@pytest.fixture
def smtp_server(settings, monkeypatch):
    """A running SmtpServer with the clinic's EMAIL_* settings pointed at it (TLS on, certificate verified)."""
    with tempfile.TemporaryDirectory() as directory:
        server = SmtpServer(Path(directory)).start()
        try:
            for name, value in server.client_settings().items():
                setattr(settings, name, value)
            # Django's SMTP backend builds ssl.create_default_context(), which reads SSL_CERT_FILE: only the
            # test authority is trusted, so a wrong certificate or host name fails the test.
            monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
            yield server
        finally:
            server.stop()
