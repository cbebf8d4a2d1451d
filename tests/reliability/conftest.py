"""Fixtures of the reliability suite."""
import ipaddress

import pytest

from lms import outbound


@pytest.fixture(autouse=True)
def _outbound_stays_on_this_machine(monkeypatch):
    """Requests to addresses people give us (webhooks, LRS endpoints) connect only to loopback in this suite:
    a generated URL (the API fuzzer's, say) that names a public address fails as an unreachable host would."""
    for connection_class in (outbound._PinnedHTTPConnection, outbound._PinnedHTTPSConnection):
        original = connection_class.connect

        def connect(self, original=original):
            if not ipaddress.ip_address(self.address.split("%", 1)[0]).is_loopback:
                raise OSError(f"tests never connect to {self.address}")
            return original(self)

        monkeypatch.setattr(connection_class, "connect", connect)
