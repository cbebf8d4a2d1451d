"""Open Badges 3.0 credentials: every certificate is also a signed AchievementCredential.

Proof format: W3C Data Integrity, cryptosuite ``eddsa-rdfc-2022`` (Ed25519 over RDFC-1.0
canonical N-Quads), not VC-JWT. Why:

- Open Badges 3.0 wallets and 1EdTech's validator accept it, and the reference examples and the
  spec's own test vector use it, so we can prove interoperability offline, byte for byte
  (tests/courses/credentials).
- The proof is embedded in the JSON credential, so the credential stays a readable JSON-LD
  document that validates against the OB 3.0 JSON schema (``proof`` as an array), can be shown,
  downloaded and re-verified as is. A VC-JWT wraps it in an opaque string instead.
- The signature covers the meaning (RDF), not the bytes: reformatting the JSON does not break it,
  while any change to a signed statement does.
The cost is JSON-LD processing; contexts are pinned in ``contexts/`` and loaded by
``loader.document_loader``, which never touches the network.

Modules:
- ``loader``: offline JSON-LD document loader (pinned contexts only).
- ``keys``: Ed25519 issuer keys as PEM files outside the database, rotation, Multikey encoding.
- ``data_integrity``: ``sign`` / ``verify`` for eddsa-rdfc-2022.
- ``achievement``: builds the AchievementCredential and the issuer Profile.
- ``status_list``: Bitstring Status List (revocation).

Errors follow lms.errors: ``ApplicationError`` subclasses with stable codes.
"""
from lms.errors import ApplicationError, NotFound


class CredentialError(ApplicationError):
    """A credential could not be built, signed or processed. Codes: ``invalid_credential``,
    ``invalid_status_list``, ``canonicalization_failed``."""

    code = "invalid_credential"


class UnknownContext(CredentialError):
    """A JSON-LD document named a context URL that is not pinned locally (we never fetch)."""

    code = "unknown_context"


class CredentialKeyError(CredentialError):
    """A signing key is missing or unreadable. Codes: ``credential_key_not_found``, ``no_active_key``,
    ``invalid_key``."""

    code = "invalid_key"


class CredentialKeyNotFound(NotFound):
    code = "credential_key_not_found"
