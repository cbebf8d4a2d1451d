"""Outbound HTTP to addresses people give us (webhooks, xAPI LRS endpoints): only to public addresses.

A URL someone registers could name this server's own loopback, the private network behind it or a cloud
metadata service (server-side request forgery). So, for every request:

- the host is resolved once (`resolve`, a seam tests point elsewhere); IPv4 written in legacy forms
  (``0x7f000001``, ``2130706433``, ``127.1``) and IPv6 forms that carry an IPv4 address (mapped
  ``::ffff:a.b.c.d``, NAT64, 6to4) are read as the address they mean;
- every address the name resolves to must be public (`refusal` says why one is not: loopback, private,
  link-local, shared/CGNAT, multicast, reserved, unspecified, or otherwise not global);
- the connection goes to an address that was checked (no second lookup a changed DNS answer could
  slip into), while the Host header, TLS SNI and the certificate check keep the name;
- redirects are never followed (the answer's status is all the caller gets).

`allow` takes exact ``host:port`` entries that skip the address checks and may use plain http: for test
receivers on loopback only (the webhook setting that feeds it is refused when DEBUG is off).
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_ANSWER_BYTES = 65536


class OutboundRefused(Exception):
    """The target is not a public address (or the URL cannot be one): nothing was sent."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.message, self.kind = message, kind


class OutboundUnresolvable(OSError):
    """The host name does not resolve (now): nothing was sent."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name as written (Host header, SNI, certificate check)
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # what the connection may use, every one checked (or allow-listed)


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order (tests replace this function)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundUnresolvable(f"{host} does not resolve") from error
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def literal_address(host: str) -> Address | None:
    """``host`` read as an IP address, including IPv4's legacy spellings; None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))  # 0x7f000001, 2130706433, 127.1, 0177.0.0.1
    except (OSError, UnicodeError, ValueError):
        return None


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def refusal(address: Address) -> str | None:
    """Why ``address`` may not be contacted (its class), or None when it is public."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded)
    checks = (
        ("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
        ("link-local", address.is_link_local), ("multicast", address.is_multicast),
        ("shared (CGNAT)", isinstance(address, ipaddress.IPv4Address) and address in SHARED),
        ("reserved", address.is_reserved), ("private", address.is_private),
        ("not public", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def check_target(url: str, *, allow: Collection[str] = ()) -> Target:
    """Where a request to ``url`` may go. OutboundRefused when the URL or any address it resolves to is
    not allowed; OutboundUnresolvable when the name does not resolve."""
    parts = urlsplit(url)
    try:
        host, port = (parts.hostname or "").rstrip("."), parts.port
    except ValueError:
        raise OutboundRefused("The URL's port is not a number from 1 to 65535.", kind="invalid") from None
    if parts.scheme not in ("http", "https") or not host:
        raise OutboundRefused("Only http(s) URLs with a host name can be contacted.", kind="invalid")
    port = port or (443 if parts.scheme == "https" else 80)
    named = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    allowed = named in allow
    if parts.scheme != "https" and not allowed:
        raise OutboundRefused("Only https:// URLs can be contacted.", kind="insecure")
    literal = literal_address(host)
    addresses = [str(literal)] if literal is not None else resolve(host, port)
    if not allowed:
        for address in addresses:
            kind = refusal(ipaddress.ip_address(address.split("%", 1)[0]))
            if kind is not None:
                raise OutboundRefused(
                    f"{host} is a {kind} address, not a public one; only public addresses can be contacted."
                    if literal is not None else
                    f"{host} resolves to a {kind} address, not a public one; only public addresses can be "
                    "contacted.", kind=kind)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def check_registered_url(url: str, *, allow: Collection[str] = (), query_allowed: bool = True) -> None:
    """A URL someone registers for later sends (a webhook, an LRS): http(s) with a host, no credentials (and
    no query or fragment unless ``query_allowed``), public addresses only. OutboundRefused otherwise. A name
    that does not resolve yet passes: every send checks again with check_target before it connects."""
    parts = urlsplit(url)
    if parts.username or parts.password or (not query_allowed and (parts.query or parts.fragment)):
        raise OutboundRefused("credentials or a query in the URL", kind="invalid")
    try:
        check_target(url, allow=allow)
    except OutboundUnresolvable:
        pass


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Talks to ``address`` while naming ``host`` in the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Talks TLS to ``address`` with SNI and the certificate check for ``host``."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address, self.tls = address, context

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float,
         context: ssl.SSLContext | None = None) -> int:
    """POST ``body`` to a checked target and return the answer's status. The answer's body is read (up to
    64 KiB, so the connection ends cleanly) and dropped; a redirect is a status like any other."""
    return exchange(target, "POST", body, headers, timeout=timeout, context=context)[0]


def exchange(target: Target, method: str, body: bytes | None, headers: dict[str, str], *, timeout: float,
             context: ssl.SSLContext | None = None) -> tuple[int, bytes]:
    """Send one request to a checked target: the answer's status and the first 64 KiB of its body (for
    callers that keep what the other side said, an LRS's reason for refusing, say)."""
    last_error: OSError | None = None
    for address in target.addresses:
        if target.scheme == "https":
            connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
                target.host, target.port, address=address, timeout=timeout,
                context=context or ssl.create_default_context())
        else:
            connection = _PinnedHTTPConnection(target.host, target.port, address=address, timeout=timeout)
        try:
            connection.connect()
        except ssl.SSLError:
            connection.close()
            raise  # a certificate problem is the same at every address
        except OSError as error:
            connection.close()
            last_error = error
            continue
        try:
            connection.request(method, target.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read(MAX_ANSWER_BYTES)
        finally:
            connection.close()
    raise last_error or OutboundUnresolvable(f"{target.host} has no address")
