"""The client's address: the one answer the audit trail, the login lockout, allauth and django-ratelimit use.

With `CLINIC_TRUSTED_PROXY_COUNT = 0` (no proxy) the client is `REMOTE_ADDR` and `X-Forwarded-For` is ignored:
anyone can send that header, so trusting it would let a caller choose the address the lockout counts and
the audit trail records. With N proxies in front, each appending the address it received the request from,
the client is the N-th address from the right of `X-Forwarded-For` (with one proxy, the last one); anything
to the left of it was written by the client and is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the person's computer, or None when there is no request (a command, the worker)."""
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.CLINIC_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through all of them (a direct connection to the
        # app server, or a proxy that does not append), so the header says nothing trustworthy.
        return remote
    return _valid(forwarded[-proxies]) or remote
