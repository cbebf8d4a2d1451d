"""Active content in ebooks: what a PDF or EPUB may not carry before learners download it.

A lesson's ebook is a document to read. Learners open it in a PDF reader, an EPUB reader or the
browser, so nothing in it may run: no PDF JavaScript or Launch actions, no additional actions (``/AA``,
run on opening a page or closing the document), no embedded files, no rich media (Flash, 3D), no XFA
forms, no file that is also an HTML page (a PDF/HTML polyglot), and no EPUB document with ``<script>``,
``on*=`` event handlers or ``javascript:`` URLs (EPUB 3 allows scripting; we do not).

Every refusal is a ``ContentError`` with the code ``active_content_ebook`` whose message names what
was found. Pure functions with no database access, called from ``lesson_content.inspect_ebook``.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from html.parser import HTMLParser

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject

from courses.catalog.errors import CatalogErrorCode, ContentError

# Readers accept "%PDF-" anywhere in the first kilobyte, and browsers sniff HTML in the first 512
# bytes, so this is the window in which a file can be both.
HEAD_BYTES = 1024
_HTML_IN_HEAD = re.compile(rb"<(?:!doctype|html|head|body|script|iframe|svg|meta|object|embed)\b", re.IGNORECASE)
# A PDF comment line (outside streams, "%" to the end of the line) that carries HTML.
_HTML_IN_COMMENT = re.compile(rb"(?m)^[ \t]*%[^\r\n]*?(<(?:!doctype|html|script|iframe|svg)\b)", re.IGNORECASE)
# Stream bodies are compressed or drawn content, where any byte sequence can occur by chance.
_STREAM_BODY = re.compile(rb"\bstream\r?\n.*?\bendstream\b", re.DOTALL)
_ACTIVE_NAME = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia\w*|XFA|AA)(?=[\s/<>\[\]()%{}]|$)"
)

JAVASCRIPT = "JavaScript"
LAUNCH = "a Launch action (runs a program)"
ADDITIONAL_ACTIONS = "additional actions (/AA, run on opening or closing)"
EMBEDDED_FILE = "an embedded file"
RICH_MEDIA = "rich media (Flash, video or 3D)"
XFA_FORM = "an XFA form"

_NAME_LABELS = {
    b"JavaScript": JAVASCRIPT, b"JS": JAVASCRIPT, b"Launch": LAUNCH, b"AA": ADDITIONAL_ACTIONS,
    b"EmbeddedFile": EMBEDDED_FILE, b"EmbeddedFiles": EMBEDDED_FILE, b"XFA": XFA_FORM,
}
_ACTION_LABELS = {"/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/RichMediaExecute": RICH_MEDIA,
                  "/GoToE": EMBEDDED_FILE}
_KEY_LABELS = {"/JS": JAVASCRIPT, "/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/AA": ADDITIONAL_ACTIONS,
               "/EmbeddedFiles": EMBEDDED_FILE, "/EF": EMBEDDED_FILE, "/XFA": XFA_FORM,
               "/RichMediaContent": RICH_MEDIA, "/RichMediaSettings": RICH_MEDIA}
_TYPE_LABELS = {"/EmbeddedFile": EMBEDDED_FILE, "/FileAttachment": EMBEDDED_FILE, "/RichMedia": RICH_MEDIA,
                "/Movie": RICH_MEDIA, "/Screen": RICH_MEDIA, "/3D": RICH_MEDIA}


def _refuse(message: str) -> ContentError:
    return ContentError(message, code=CatalogErrorCode.ACTIVE_CONTENT_EBOOK, fields={"ebook": [message]})


# --- PDF ----------------------------------------------------------------------------------------


def check_pdf_polyglot(raw: bytes) -> None:
    """Refuse a PDF that is also an HTML page: HTML in its first bytes or in a comment line."""
    if match := _HTML_IN_HEAD.search(raw[:HEAD_BYTES]):
        where = "before its %PDF- header" if match.start() < raw.find(b"%PDF-") else "in its first bytes"
        raise _refuse(f"The file is also an HTML page: it has '{_shown(match.group(0))}' {where}. "
                      "Upload a plain PDF.")
    if match := _HTML_IN_COMMENT.search(_STREAM_BODY.sub(b" ", raw)):
        raise _refuse(f"The PDF hides HTML in a comment ('{_shown(match.group(1))}'), so it is also an HTML "
                      "page. Upload a plain PDF.")


def _shown(marker: bytes) -> str:
    return marker.decode("ascii", errors="replace")


def check_pdf(reader: PdfReader, raw: bytes) -> None:
    """Refuse a PDF whose object graph (catalog, names tree, pages, annotations, forms) or whose bytes
    outside streams hold scripts, actions that run something, attachments, rich media or XFA."""
    found = _graph_findings(reader) | _byte_findings(reader, raw)
    if found:
        raise _refuse(f"The PDF contains active content: {', '.join(sorted(found))}. Upload a PDF without "
                      "scripts, actions, attachments, rich media or XFA forms (print it to PDF, for instance).")


def _graph_findings(reader: PdfReader) -> set[str]:
    """Walk every object reachable from the trailer (the catalog with its /OpenAction, /AA, /Names
    and /AcroForm, every page with its /AA and annotations, action chains through /Next)."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                resolved = item.get_object()
            except Exception:  # noqa: S112 - a reader skips what it cannot resolve; the byte scan still looks
                continue
            if resolved is None:
                continue
            item = resolved
        if isinstance(item, DictionaryObject):  # streams too: their dictionary, never their data
            found |= _dictionary_findings(item)
            stack.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def _dictionary_findings(entry: DictionaryObject) -> set[str]:
    found = {label for key, label in _KEY_LABELS.items() if key in entry}
    action = dict.get(entry, "/S")
    if isinstance(action, str) and action in _ACTION_LABELS:
        found.add(_ACTION_LABELS[action])
    for key in ("/Type", "/Subtype"):
        value = dict.get(entry, key)
        if isinstance(value, str) and value in _TYPE_LABELS:
            found.add(_TYPE_LABELS[value])
    return found


def _byte_findings(reader: PdfReader, raw: bytes) -> set[str]:
    """Names of active content in the file's bytes outside streams and in its object streams, so an
    object the graph walk did not reach (a repaired xref, an orphan a lenient reader picks up) counts."""
    texts = [_STREAM_BODY.sub(b" ", raw)]
    for number in sorted({container for container, _ in getattr(reader, "xref_objStm", {}).values()}):
        try:
            stream = reader.get_object(number)
            if isinstance(stream, StreamObject):
                texts.append(stream.get_data())
        except Exception:  # noqa: S112 - a broken object stream holds nothing a reader can run
            continue
    return {_name_label(match.group(1)) for text in texts for match in _ACTIVE_NAME.finditer(text)}


def _name_label(name: bytes) -> str:
    return _NAME_LABELS.get(name, RICH_MEDIA)  # the rest are /RichMedia…


# --- EPUB ---------------------------------------------------------------------------------------

MARKUP_SUFFIXES = (".xhtml", ".html", ".htm", ".xht", ".svg")
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript):", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


class _Scripting(HTMLParser):
    """What in an (X)HTML or SVG document would run: script elements, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def _add(self, finding: str) -> None:
        if finding not in self.found:
            self.found.append(finding)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.rpartition(":")[2] == "script":  # html:script, svg:script
            self._add("a <script> element")
        for name, value in attrs:
            if name.rpartition(":")[2].startswith("on"):
                self._add(f"an event-handler attribute ({name}=)")
            # Browsers ignore whitespace and control characters inside the scheme ("java\tscript:").
            if value and _SCRIPT_URL.match(_IGNORED_IN_URLS.sub("", value)):
                self._add(f"a javascript: URL ({name}=)")

    handle_startendtag = handle_starttag


def check_epub_document(name: str, text: str) -> None:
    """Refuse an EPUB content document (XHTML, HTML or SVG) that holds anything that would run."""
    parser = _Scripting()
    parser.feed(text)
    parser.close()
    if parser.found:
        raise _refuse(f"The EPUB's {name} contains {', '.join(parser.found)}. Ebooks are shown to learners, "
                      "so scripts are not allowed: upload an EPUB without them.")


def check_epub_other_documents(archive: zipfile.ZipFile, checked: Iterable[str]) -> None:
    """The same check for markup files the manifest does not list as content (readers open them too)."""
    done = set(checked)
    for entry in archive.infolist():
        if entry.filename not in done and entry.filename.lower().endswith(MARKUP_SUFFIXES):
            check_epub_document(entry.filename, archive.read(entry).decode("utf-8", errors="replace"))
