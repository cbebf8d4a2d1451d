"""lms.outbound: requests to addresses people give us reach public addresses only, checked after DNS
resolution, on a connection pinned to the checked address that still names the host (Host, SNI, cert)."""
from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lms import outbound

PUBLIC = "93.184.216.34"

# Every class of address that is not public, written as a literal, with the class the refusal names.
NOT_PUBLIC = [
    ("127.0.0.1", "loopback"),
    ("0x7f000001", "loopback"),  # hexadecimal IPv4
    ("2130706433", "loopback"),  # decimal IPv4
    ("127.1", "loopback"),  # shortened IPv4
    ("0177.0.0.1", "loopback"),  # octal IPv4
    ("[::1]", "loopback"),
    ("[::ffff:127.0.0.1]", "loopback"),  # IPv4-mapped IPv6
    ("[64:ff9b::7f00:1]", "loopback"),  # NAT64 of 127.0.0.1
    ("[2002:7f00:1::]", "loopback"),  # 6to4 of 127.0.0.1
    ("169.254.169.254", "link-local"),  # cloud metadata
    ("[::ffff:169.254.169.254]", "link-local"),
    ("[fe80::1]", "link-local"),
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.1.10", "private"),
    ("[::ffff:10.0.0.5]", "private"),
    ("[fc00::1]", "private"),  # IPv6 unique-local
    ("[fd12:3456::1]", "private"),
    ("100.64.0.1", "shared (CGNAT)"),
    ("[::ffff:100.127.255.254]", "shared (CGNAT)"),
    ("224.0.0.1", "multicast"),
    ("[ff02::1]", "multicast"),
    ("240.0.0.1", "reserved"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 - refused, not bound
    ("[::]", "unspecified"),
]


class FakeDns(dict):
    """Names resolve as a test says (``dns[name] = [addresses]``); `localhost` through the real resolver;
    anything else not at all. ``calls`` lists the names looked up."""

    def __init__(self, real) -> None:
        super().__init__()
        self.real, self.calls = real, []

    def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host in self:
            return list(self[host])
        if host == "localhost":
            return self.real(host, port)
        raise outbound.OutboundUnresolvable(f"{host} does not resolve")


@pytest.fixture
def dns(monkeypatch) -> FakeDns:
    fake = FakeDns(outbound.resolve)
    monkeypatch.setattr(outbound, "resolve", fake.resolve)
    return fake


@pytest.mark.parametrize(("host", "kind"), NOT_PUBLIC)
def test_a_literal_address_that_is_not_public_is_refused(host, kind, dns):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.check_target(f"https://{host}/latest/meta-data/")
    assert refused.value.kind == kind
    assert "only public addresses" in refused.value.message
    assert dns.calls == []  # a literal is never looked up


@pytest.mark.parametrize(("host", "kind"), NOT_PUBLIC)
def test_a_name_that_resolves_to_an_address_that_is_not_public_is_refused(host, kind, dns):
    address = host.strip("[]")
    literal = outbound.literal_address(address)
    dns["hooks.partner.example"] = [str(literal)]
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.check_target("https://hooks.partner.example/h")
    assert refused.value.kind == kind
    assert refused.value.message.startswith(f"hooks.partner.example resolves to a {kind} address")


def test_localhost_is_refused_through_the_real_resolver():
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.check_target("https://localhost:8443/h")
    assert refused.value.kind == "loopback"


def test_every_resolved_address_must_be_public(dns):
    dns["mixed.partner.example"] = [PUBLIC, "10.1.1.1"]
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.check_target("https://mixed.partner.example/h")
    assert refused.value.kind == "private"


def test_a_public_name_gives_its_checked_addresses_and_keeps_the_name(dns):
    dns["hooks.partner.example"] = [PUBLIC, "2606:2800:220:1::1"]
    target = outbound.check_target("https://Hooks.Partner.Example:8443/in?x=1")
    assert target == outbound.Target(scheme="https", host="hooks.partner.example", port=8443, path="/in?x=1",
                                     addresses=(PUBLIC, "2606:2800:220:1::1"))


def test_plain_http_and_other_schemes_are_refused_even_to_public_addresses(dns):
    dns["hooks.partner.example"] = [PUBLIC]
    for url, kind in (("http://hooks.partner.example/h", "insecure"), ("ftp://hooks.partner.example/", "invalid"),
                      ("https:///nohost", "invalid"), ("https://hooks.partner.example:99999/", "invalid")):
        with pytest.raises(outbound.OutboundRefused) as refused:
            outbound.check_target(url)
        assert refused.value.kind == kind, url


def test_the_test_allow_list_takes_exact_host_and_port_only(dns):
    allow = ["127.0.0.1:8123"]
    assert outbound.check_target("http://127.0.0.1:8123/h", allow=allow).addresses == ("127.0.0.1",)
    for url in ("http://127.0.0.1:8124/h", "http://127.0.0.2:8123/h", "http://0x7f000001:8124/h"):
        with pytest.raises(outbound.OutboundRefused):
            outbound.check_target(url, allow=allow)


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(dns, monkeypatch):
    """DNS rebinding: the name answers a public address to the check and loopback afterwards. The
    connection uses what was checked; the name is looked up once."""
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    looked_up: list[str] = []
    monkeypatch.setattr(outbound, "resolve", lambda host, port: looked_up.append(host) or next(answers))
    connected: list[tuple] = []

    def create_connection(address, timeout=None, *args):
        connected.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(outbound.socket, "create_connection", create_connection)
    target = outbound.check_target("https://rebind.partner.example/h")
    with pytest.raises(ConnectionRefusedError):
        outbound.post(target, b"{}", {}, timeout=1)
    assert connected == [(PUBLIC, 443)]
    assert looked_up == ["rebind.partner.example"]


# --- a real server behind a name: Host header, TLS SNI and the certificate check keep the name -------

@contextmanager
def _server(context: ssl.SSLContext | None = None) -> Iterator[dict]:
    seen: dict = {"hosts": [], "sni": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen["hosts"].append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if context is not None:
        context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    seen["port"] = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def _certificate(tmp_path, name: str) -> tuple[ssl.SSLContext, bytes]:
    """A server context with a self-signed certificate for ``name``, and that certificate in PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(pem)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context, pem


def test_plain_http_names_the_host_while_connecting_to_the_pinned_address(dns):
    dns["hooks.partner.example"] = ["127.0.0.1"]
    with _server() as seen:
        allow = [f"hooks.partner.example:{seen['port']}"]
        target = outbound.check_target(f"http://hooks.partner.example:{seen['port']}/h", allow=allow)
        assert outbound.post(target, b"{}", {"Content-Type": "application/json"}, timeout=10) == 204
    assert seen["hosts"] == [f"hooks.partner.example:{seen['port']}"]


def test_tls_uses_the_name_for_sni_and_the_certificate_check(dns, tmp_path):
    dns["hooks.partner.example"] = ["127.0.0.1"]
    server_context, pem = _certificate(tmp_path, "hooks.partner.example")
    client_context = ssl.create_default_context(cadata=pem.decode())
    with _server(server_context) as seen:
        allow = [f"hooks.partner.example:{seen['port']}"]
        target = outbound.check_target(f"https://hooks.partner.example:{seen['port']}/h", allow=allow)
        assert outbound.post(target, b"{}", {}, timeout=10, context=client_context) == 204
        assert seen["sni"] == ["hooks.partner.example"]
        assert seen["hosts"] == [f"hooks.partner.example:{seen['port']}"]

        # The same server reached under another name: its certificate does not match, nothing is sent.
        dns["other.partner.example"] = ["127.0.0.1"]
        allow = [f"other.partner.example:{seen['port']}"]
        target = outbound.check_target(f"https://other.partner.example:{seen['port']}/h", allow=allow)
        with pytest.raises(ssl.SSLCertVerificationError):
            outbound.post(target, b"{}", {}, timeout=10, context=client_context)
    assert len(seen["hosts"]) == 1


def test_a_name_that_does_not_resolve_says_so(dns):
    with pytest.raises(outbound.OutboundUnresolvable):
        outbound.check_target("https://nowhere.partner.example/h")


def test_the_real_resolver_turns_a_lookup_failure_into_unresolvable():
    with pytest.raises(outbound.OutboundUnresolvable):
        outbound.resolve("name.invalid", 443)
