"""Pinned JSON-LD contexts are loaded and processed once per process, and the output does not change."""
from pyld import jsonld

from courses.certificates.credentials import data_integrity, loader
from courses.certificates.credentials.data_integrity import canonicalize

from .conftest import EXAMPLES
from .test_data_integrity import spec_test_vector_credential


def test_contexts_are_loaded_once_and_the_canonical_form_stays_byte_for_byte(monkeypatch):
    jsonld._resolved_context_cache.clear()  # as a fresh process starts
    loads: list[str] = []
    real = loader.document_loader

    def counting(url, options=None):
        loads.append(url)
        return real(url, options)

    monkeypatch.setattr(data_integrity, "document_loader", counting)
    expected = (EXAMPLES / "ob3-spec-testvector-document-canon.nq").read_text(encoding="utf-8")
    assert canonicalize(spec_test_vector_credential()) == expected
    first = len(loads)
    assert first >= 2  # the VC and OB contexts (and what they import)
    for _ in range(3):
        assert canonicalize(spec_test_vector_credential()) == expected
    assert len(loads) == first, "a pinned context was loaded (and processed) again"


def test_the_loader_marks_pinned_contexts_static():
    assert loader.document_loader(loader.VC_V2)["tag"] == "static"
