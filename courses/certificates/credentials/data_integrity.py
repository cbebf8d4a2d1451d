"""W3C Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (VC DI EdDSA 1.0 §3.3).

Why this and not VC-JWT: see ``courses/credentials/__init__.py`` (OB 3.0 interoperability, the
reference examples and test vector, a readable JSON credential with ``proof`` as an array).

Signing (and, mirrored, verifying) one proof:

1. proof configuration = the proof options without ``proofValue``, with the document's
   ``@context``;
2. canonicalize it and the document without ``proof`` with RDFC-1.0 (PyLD ``normalize``,
   algorithm ``URDNA2015``, N-Quads), using the offline loader only;
3. data = SHA-256(proof config N-Quads) || SHA-256(document N-Quads);
4. Ed25519 signature over data, as multibase base58btc (``z...``) ``proofValue``.

JSON-LD is processed in "safe mode": a property the contexts do not define, or a relative IRI
(``"id": "cert-1"``, an undefined ``type``), makes canonicalization fail instead of being silently
dropped -- a dropped statement would not be signed at all.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from courses.certificates.credentials.keys import b58decode, b58encode
from courses.certificates.credentials.loader import DATA_INTEGRITY_V2, VC_V2, document_loader
from courses.certificates.errors import CertificateErrorCode, CredentialError, UnknownContext

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"


_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


class _UndefinedTerm(Exception):
    pass


def _refuse_dropped(term: str | None) -> None:
    raise _UndefinedTerm(f"Property {term!r} is not defined by the document's JSON-LD contexts")


def _is_absolute(iri: str) -> bool:
    # PyLD resolves relative IRIs against a made-up base when the document has none; treat those
    # as relative too (other processors would drop them).
    return bool(_ABSOLUTE_IRI.match(iri)) and not iri.startswith(jsonld.DEFAULT_BASE_IRI)


#: The type of PyLD's frozen (finished) active contexts.
_FROZEN = type(jsonld.freeze({}))
#: Active contexts PyLD made, by what they were made from: see ``_SafeProcessor._process_context``.
_PROCESSED_CONTEXTS: dict[tuple, Any] = {}
_PROCESSED_CONTEXTS_MAX = 512  # a few dozen are enough for our credentials; bounded against odd inputs


def _processed_key(active_ctx: Any, local_ctx: Any, options: dict, flags: tuple) -> tuple | None:
    """What a processed context depends on, or None when that cannot be told (then nothing is kept).

    Only a frozen active context counts: PyLD gives its frozen contexts a unique ``_uuid`` and never changes
    them afterwards (its own caches rely on that), while an unfrozen one is a draft still being built."""
    if not isinstance(active_ctx, _FROZEN) or "_uuid" not in active_ctx:
        return None
    try:
        local = json.dumps(local_ctx, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return (active_ctx["_uuid"], local, flags, options.get("base"), options.get("processingMode"),
            options.get("documentLoader"))


class _SafeProcessor(jsonld.JsonLdProcessor):
    """Safe-mode RDF conversion on PyLD (pinned 3.3.0; overrides three of its private methods).

    PyLD silently drops undefined properties (refused here through ``on_property_dropped``) and
    resolves relative IRIs -- an ``id`` such as ``cert-1``, an undefined ``type`` -- against a
    made-up base, where other processors drop them. Either way other verifiers would not sign
    the same statements, so refuse them, as jsonld.js does in safe mode ("relative @type reference").
    A ``type`` value must therefore be a term one of the document's contexts defines."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=_refuse_dropped)

    def _process_context(self, active_ctx, local_ctx, options, override_protected=False, propagate=True,
                         validate_scoped=True, cycles=None):
        # PyLD keeps a processed pinned context only under the exact active context it was applied to, and a
        # type-scoped context (the OB context has many) is applied to a fresh clone every time, so every
        # credential re-processed them, and everything nested below them, from the pinned JSON: most of the
        # signing time. The result is a pure function of the key (the pinned files never change while we
        # run; the loader serves nothing else), so it is kept for the process. Only contexts are kept, never a
        # document's statements, and under the full text of the context asked for: a document bringing an inline
        # context of its own never gets one kept for another.
        flags = (override_protected, propagate, validate_scoped)
        key = _processed_key(active_ctx, local_ctx, options, flags)
        if key is not None and (kept := _PROCESSED_CONTEXTS.get(key)) is not None:
            return kept
        processed = super()._process_context(active_ctx, local_ctx, options, override_protected, propagate,
                                             validate_scoped, cycles)
        if key is not None and isinstance(processed, _FROZEN):
            if len(_PROCESSED_CONTEXTS) >= _PROCESSED_CONTEXTS_MAX:
                _PROCESSED_CONTEXTS.clear()  # a dict's clear and set are atomic: safe for threads, if crude
            _PROCESSED_CONTEXTS[key] = processed
        return processed

    def _graph_to_rdf(self, graph, issuer, options):
        for node_id in graph:
            if not node_id.startswith("_:") and not _is_absolute(node_id):
                shown = node_id.removeprefix(jsonld.DEFAULT_BASE_IRI)
                raise _UndefinedTerm(f"Node id {shown!r} is not an absolute IRI")
        return super()._graph_to_rdf(graph, issuer, options)

    def _object_to_rdf(self, item, issuer, triples, options):
        result = super()._object_to_rdf(item, issuer, triples, options)
        if result is None or (result["type"] == "IRI" and not _is_absolute(result["value"])):
            value = item.get("@id", item) if isinstance(item, dict) else item
            value = value.removeprefix(jsonld.DEFAULT_BASE_IRI) if isinstance(value, str) else value
            raise _UndefinedTerm(f"Value {value!r} is not an absolute IRI (or a type the contexts do not define)")
        return result


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__cause__ or getattr(exc, "cause", None) or exc.__context__
        if not isinstance(nxt, BaseException):
            break
        exc = nxt
    return exc


def canonicalize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, contexts from the local loader only."""
    try:
        return _SafeProcessor().normalize(
            document,
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader},
        )
    except _UndefinedTerm as exc:
        raise CredentialError(
            f"{exc.args[0]}: it would not be signed.",
            code=CertificateErrorCode.CANONICALIZATION_FAILED,
        ) from None
    except jsonld.JsonLdError as exc:
        cause = _root_cause(exc)
        if isinstance(cause, UnknownContext):
            raise cause from None
        if isinstance(cause, _UndefinedTerm):
            raise CredentialError(
                f"{cause.args[0]}: it would not be signed.",
                code=CertificateErrorCode.CANONICALIZATION_FAILED,
            ) from None
        raise CredentialError(f"JSON-LD canonicalization failed: {cause}",
                              code=CertificateErrorCode.CANONICALIZATION_FAILED) from None


def _format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise CredentialError("Proof times must be timezone-aware.")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _contexts(document: dict) -> list:
    context = document.get("@context")
    if context is None:
        raise CredentialError("The document has no @context.")
    return context if isinstance(context, list) else [context]


@lru_cache(maxsize=64)
def _proof_config_hash(serialized: str) -> bytes:
    """SHA-256 of the canonical form of a proof configuration, given as its JSON text. A configuration
    differs only by its contexts, key and creation second, so a worker signing certificate after certificate
    meets the same one dozens of times a second; canonicalization is a pure function of its input, and the
    whole text is the key, so the kept hash is the one it would compute again (about a quarter of signing)."""
    return hashlib.sha256(canonicalize(json.loads(serialized)).encode("utf-8")).digest()


def _signing_input(unsecured: dict, proof_config: dict) -> bytes:
    proof_hash = _proof_config_hash(json.dumps(proof_config, sort_keys=True, ensure_ascii=False))
    document_hash = hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()
    return proof_hash + document_hash


def sign(document: dict, *, private_key: Ed25519PrivateKey, verification_method: str, created: datetime) -> dict:
    """A copy of ``document`` with an eddsa-rdfc-2022 ``DataIntegrityProof`` appended to ``proof``.

    ``proof`` is always an array (the OB 3.0 schemas require it); existing proofs are kept and the
    new one signs the document without them (a proof set).
    """
    contexts = _contexts(document)
    if VC_V2 not in contexts and DATA_INTEGRITY_V2 not in contexts:
        raise CredentialError(f"The document's @context must include {VC_V2} or {DATA_INTEGRITY_V2}.")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof = {
        "type": PROOF_TYPE,
        "created": _format_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": ASSERTION_METHOD,
    }
    data = _signing_input(unsecured, {"@context": document["@context"], **proof})
    proof["proofValue"] = "z" + b58encode(private_key.sign(data))
    existing = document.get("proof")
    existing = [] if existing is None else existing if isinstance(existing, list) else [existing]
    signed = copy.deepcopy(unsecured)
    signed["proof"] = [*copy.deepcopy(existing), proof]
    return signed


@dataclass(frozen=True)
class ProofCheck:
    verification_method: str | None
    verified: bool
    error: str | None = None  # stable code: see VerificationResult
    message: str = ""


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of ``verify``. ``error`` is the first failing proof's code, one of ``no_proof``,
    ``invalid_proof``, ``unsupported_proof``, ``wrong_purpose``, ``key_not_resolved``,
    ``canonicalization_failed``, ``unknown_context``, ``proof_expired``, ``invalid_signature``."""

    verified: bool
    proofs: tuple[ProofCheck, ...] = field(default_factory=tuple)
    error: str | None = None
    message: str = ""

    def __bool__(self) -> bool:
        return self.verified

    @property
    def verification_methods(self) -> tuple[str, ...]:
        return tuple(p.verification_method for p in self.proofs if p.verification_method)


def _check_proof(
    unsecured: dict,
    proof: Any,
    *,
    resolve_key: Callable[[str], Ed25519PublicKey],
    proof_purpose: str,
    now: datetime,
) -> ProofCheck:
    if not isinstance(proof, dict):
        return ProofCheck(None, False, "invalid_proof", "A proof must be a JSON object.")
    method = proof.get("verificationMethod")
    method = method if isinstance(method, str) else None

    def fail(code: str, message: str) -> ProofCheck:
        return ProofCheck(method, False, code, message)

    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return fail("unsupported_proof", f"Only {PROOF_TYPE} with cryptosuite {CRYPTOSUITE} is supported.")
    if proof.get("proofPurpose") != proof_purpose:
        return fail("wrong_purpose", f"The proof purpose must be {proof_purpose!r}.")
    if method is None:
        return fail("invalid_proof", "The proof has no verificationMethod.")
    value = proof.get("proofValue")
    try:
        if not isinstance(value, str) or not value.startswith("z"):
            raise ValueError
        signature = b58decode(value[1:])
        if len(signature) != 64:
            raise ValueError
    except ValueError:
        return fail("invalid_proof", "proofValue must be a base58btc multibase ('z...') 64-byte Ed25519 signature.")
    try:
        if "created" in proof:
            _parse_datetime(proof["created"])
        if "expires" in proof and _parse_datetime(proof["expires"]) <= now:
            return fail("proof_expired", "The proof has expired.")
    except ValueError:
        return fail("invalid_proof", "The proof's created/expires is not an XML Schema dateTime.")
    if "previousProof" in proof:
        return fail("unsupported_proof", "Proof chains (previousProof) are not supported.")

    document_contexts = _contexts(unsecured)
    proof_config = {key: val for key, val in proof.items() if key != "proofValue"}
    if "@context" in proof_config:
        # VC DI §4.3: a proof's own @context must be a prefix of the document's.
        own = proof_config["@context"] if isinstance(proof_config["@context"], list) else [proof_config["@context"]]
        if document_contexts[: len(own)] != own:
            return fail("invalid_proof", "The proof's @context does not match the document's.")
    proof_config["@context"] = unsecured["@context"]

    try:
        key = resolve_key(method)
    except Exception as exc:
        return fail("key_not_resolved", f"Could not resolve verification method {method!r}: {exc}")
    if not isinstance(key, Ed25519PublicKey):
        return fail("key_not_resolved", f"Verification method {method!r} is not an Ed25519 key.")
    try:
        data = _signing_input(unsecured, proof_config)
    except UnknownContext as exc:
        return fail("unknown_context", exc.message)
    except CredentialError as exc:
        return fail(exc.code, exc.message)
    except Exception as exc:  # malformed JSON-LD PyLD rejects with something other than JsonLdError
        return fail("canonicalization_failed", f"JSON-LD canonicalization failed: {type(exc).__name__}: {exc}")
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return fail("invalid_signature", "The signature does not match the document.")
    return ProofCheck(method, True)


def verify(
    document: dict,
    *,
    resolve_key: Callable[[str], Ed25519PublicKey],
    proof_purpose: str = ASSERTION_METHOD,
    now: datetime | None = None,
) -> VerificationResult:
    """Check every eddsa-rdfc-2022 proof of ``document``; verified only if there is at least one and
    all pass. ``resolve_key(verificationMethod)`` returns the public key or raises (the caller
    decides which keys belong to the issuer). Never raises for a bad document: see ``error``.
    Only the signature is checked here; validity dates and status are the caller's (see
    ``achievement.validity_problem`` and ``status_list.is_revoked``).
    """
    now = now or datetime.now(UTC)
    if not isinstance(document, dict):
        return VerificationResult(False, error="invalid_proof", message="A credential must be a JSON object.")
    proofs = document.get("proof")
    if proofs is None or proofs == []:
        return VerificationResult(False, error="no_proof", message="The document has no proof.")
    if document.get("@context") is None:
        return VerificationResult(False, error="invalid_proof", message="The document has no @context.")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    checks = tuple(
        _check_proof(unsecured, proof, resolve_key=resolve_key, proof_purpose=proof_purpose, now=now)
        for proof in (proofs if isinstance(proofs, list) else [proofs])
    )
    failed = next((check for check in checks if not check.verified), None)
    if failed:
        return VerificationResult(False, checks, failed.error, failed.message)
    return VerificationResult(True, checks)
