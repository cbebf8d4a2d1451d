"""Offline JSON-LD document loader: each published context URL maps to a pinned local file.

Any other URL raises ``UnknownContext`` -- the loader never reaches the network, so signing and
verifying give the same result everywhere and a credential cannot make us fetch a URL it chose.
Files in ``contexts/`` are byte-for-byte copies (see ``contexts/NOTICE.md``). Each file is read and
parsed once per process; callers get a fresh deep copy so the cache cannot be mutated. PyLD keeps what it
processed from each one (``document_loader`` tags them static), and ``data_integrity`` keeps the scoped contexts
they define, so contexts are processed once per process too.
"""
from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from courses.certificates.errors import UnknownContext

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

#: Published URL -> file name in CONTEXTS_DIR. Exact match only (no redirects, no http://).
LOCAL_CONTEXTS: dict[str, str] = {
    VC_V2: "credentials-v2.jsonld",
    VC_EXAMPLES_V2: "credentials-examples-v2.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    STATUS_LIST_V1: "bitstring-status-list-v1.jsonld",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
    OB_V3P0_EXTENSIONS: "ob-v3p0-extensions.json",
}


@functools.cache
def _parsed(url: str) -> Any:
    return json.loads((CONTEXTS_DIR / LOCAL_CONTEXTS[url]).read_text(encoding="utf-8"))


def load_context(url: str) -> Any:
    """The parsed JSON of a pinned context (a fresh copy); ``UnknownContext`` for any other URL."""
    if url not in LOCAL_CONTEXTS:
        raise UnknownContext(
            f"JSON-LD context {url!r} is not pinned locally and will not be fetched; "
            f"pinned contexts: {', '.join(sorted(LOCAL_CONTEXTS))}.",
            fields={"url": url},
        )
    return copy.deepcopy(_parsed(url))


def document_loader(url: str, options: dict | None = None) -> dict:
    """A PyLD ``documentLoader``: returns a RemoteDocument for a pinned URL, never fetches."""
    document = load_context(url)
    # "static": PyLD keeps the resolved context, and each context processed from it, for the life of the
    # process (its shared resolved-context cache); without a tag it fetches, canonicalises and processes
    # every pinned context again for every credential. The pinned files never change while we run.
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document,
            "tag": "static"}
