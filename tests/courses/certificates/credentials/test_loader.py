import hashlib

import pytest

from courses.certificates.credentials import loader
from courses.certificates.credentials.data_integrity import canonicalize
from courses.certificates.errors import UnknownContext

from .conftest import REFERENCE

EXPECTED_SHA256 = {
    "credentials-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "credentials-examples-v2.jsonld": "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
    "data-integrity-v2.jsonld": "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    "multikey-v1.jsonld": "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    "bitstring-status-list-v1.jsonld": "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7",
    "ob-v3p0-context-3.0.3.json": "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84",
    "ob-v3p0-extensions.json": "87c06c81bc2317663bf288d740d94fddd2818c4342b186270ff6371dfaa63f93",
}


def test_every_pinned_context_is_the_unmodified_published_file():
    assert set(loader.LOCAL_CONTEXTS.values()) == set(EXPECTED_SHA256)
    for name, digest in EXPECTED_SHA256.items():
        data = (loader.CONTEXTS_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
        assert data == (REFERENCE / name).read_bytes(), name
    assert (loader.CONTEXTS_DIR / "NOTICE.md").is_file()


def test_loader_serves_each_published_url_from_its_file():
    for url in loader.LOCAL_CONTEXTS:
        remote = loader.document_loader(url, {})
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/contexts/evil.jsonld",
        "http://www.w3.org/ns/credentials/v2",  # not the published (https) URL
        "https://www.w3.org/ns/credentials/v2/",
        "https://www.w3.org/2018/credentials/v1",
        "file:///etc/passwd",
    ],
)
def test_loader_refuses_unknown_urls(url):
    with pytest.raises(UnknownContext) as info:
        loader.document_loader(url, {})
    assert info.value.code == "unknown_context"
    assert url in info.value.message


def test_canonicalizing_a_document_with_an_unknown_context_raises_unknown_context():
    document = {"@context": ["https://example.com/contexts/v1"], "id": "urn:example:1"}
    with pytest.raises(UnknownContext):
        canonicalize(document)


def test_contexts_are_parsed_once_and_callers_cannot_mutate_the_cache():
    loader._parsed.cache_clear()
    first = loader.load_context(loader.VC_V2)
    first["@context"]["tampered"] = "yes"
    second = loader.load_context(loader.VC_V2)
    assert "tampered" not in second["@context"]
    assert loader._parsed.cache_info().misses == 1
    assert loader._parsed.cache_info().hits >= 1

