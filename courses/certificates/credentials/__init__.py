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

Errors follow lms.errors: ``ApplicationError`` subclasses with stable codes, in ``courses.certificates.errors``
(``CredentialError``, ``UnknownContext``, ``CredentialKeyError``, ``CredentialKeyNotFound``).
"""
