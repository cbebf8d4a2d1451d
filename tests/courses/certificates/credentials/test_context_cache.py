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


def test_scoped_contexts_are_processed_once_per_process(monkeypatch):
    expected = (EXAMPLES / "ob3-spec-testvector-document-canon.nq").read_text(encoding="utf-8")
    assert canonicalize(spec_test_vector_credential()) == expected  # whatever an earlier test left, now warm
    processed: list[object] = []
    real = jsonld.JsonLdProcessor._process_context

    def counting(self, *args, **kwargs):
        processed.append(args[1])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jsonld.JsonLdProcessor, "_process_context", counting)
    for _ in range(2):
        assert canonicalize(spec_test_vector_credential()) == expected
    assert processed == [], "a context (pinned or type-scoped) was processed again"


def _noted(term_iri: str) -> dict:
    return {"@context": [loader.VC_V2, {"note": term_iri}], "type": ["VerifiableCredential"],
            "issuer": "https://issuer.example/", "credentialSubject": {"id": "https://learner.example/", "note": "hi"}}


def test_a_kept_context_is_never_served_for_a_different_inline_context():
    first = canonicalize(_noted("https://terms.example/a#note"))
    second = canonicalize(_noted("https://terms.example/b#note"))
    assert "<https://terms.example/a#note>" in first and "terms.example/b" not in first
    assert "<https://terms.example/b#note>" in second and "terms.example/a" not in second
    assert canonicalize(_noted("https://terms.example/a#note")) == first
