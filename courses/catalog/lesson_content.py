"""Lesson content rules: Markdown rendering, reading time, video URLs, captions and ebook files.

What an ebook may not carry (scripts, actions, attachments, HTML polyglots) is in ``ebook_safety``.

Pure functions with no database access, so services, the admin, the API and the demo loader all
apply the same rules. Every rejection is a ``ContentError`` with a stable code (rendered as a 400).
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import BinaryIO, Literal
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PdfReader

from courses.catalog import ebook_safety, lesson_images, webvtt
from courses.catalog.errors import CatalogErrorCode, ContentError

# --- Markdown ---------------------------------------------------------------------------------

# Raw HTML is off at the parser, so authors cannot write tags at all; the nh3 pass afterwards is
# the second wall, with an allow-list of what the Markdown renderer itself can produce.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

ALLOWED_TAGS: frozenset[str] = frozenset({
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "ol": {"start"},
}
# Table alignment arrives from markdown-it as a style attribute; styles never pass the sanitizer,
# so alignment is carried as one of these classes instead.
_ALIGN_CLASSES = {"text-align:left": "align-left", "text-align:center": "align-center",
                  "text-align:right": "align-right"}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
_SCHEME_LIKE = re.compile(r"^[^/?#]*:")


_IMG_VALUES = {"loading": {"lazy"}, "decoding": {"async"}}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """A picture's source is a lesson picture's served address (``lesson_images``), nothing else: no request
    leaves for another site. Sizes are numbers; loading and decoding are the lazy, asynchronous kinds."""
    if tag != "img":
        return value
    if attribute == "src":
        return value if lesson_images.image_src_allowed(value) else None
    if attribute in {"width", "height"}:
        return value if value.isdigit() and len(value) <= 5 else None
    if attribute in _IMG_VALUES:
        return value if value in _IMG_VALUES[attribute] else None
    return value


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; every link gets ``LINK_REL``; a picture
    keeps its source only when it is one of a lesson's served pictures."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        allowed_classes={"th": set(_ALIGN_CLASSES.values()), "td": set(_ALIGN_CLASSES.values())},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        url_relative=_relative_url,
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def _relative_url(url: str) -> str | None:
    """Site-relative links (``/courses/x/``, ``#part-2``) stay; anything scheme-like is dropped.

    nh3 only sees a URL as relative when it cannot parse a scheme, so ``java%09script:...`` lands
    here; a browser would not run it, but it has no business in a lesson either.
    """
    return None if _SCHEME_LIKE.match(url) else url


def render_markdown(text: str, images: Mapping[str, lesson_images.ImageRef] | None = None) -> str:
    """Markdown (CommonMark + tables + strikethrough) -> sanitized HTML, safe to show as is. ``![alt](image:NAME)``
    shows the picture ``images`` holds under NAME; every other picture is dropped (``lesson_images``)."""
    tokens = _markdown.parse(text or "")
    lesson_images.resolve_images(tokens, images or {})
    for token in tokens:
        style = token.attrGet("style")
        if style is not None:
            token.attrs.pop("style", None)
            if style in _ALIGN_CLASSES:
                token.attrSet("class", _ALIGN_CLASSES[style])
    return sanitize_html(_markdown.renderer.render(tokens, _markdown.options, {}))


# --- Reading time -----------------------------------------------------------------------------

# Silent reading rates of adults reading non-fiction, in words per minute, by language (the primary
# subtag of the course's language: "pt-BR" reads at "pt"). A lesson's reading time uses its course's.
#
# en: 238. Brysbaert, M. (2019). "How many words do we read per minute? A review and meta-analysis of
#     reading rate." Journal of Memory and Language 109, 104047: adults read English non-fiction
#     silently at about 238 words per minute (fiction about 260). Lessons are non-fiction.
# pt: 229, derived, not measured: we found no published silent reading rate for adults reading
#     Portuguese non-fiction that we could check. Trauzettel-Klosinski, S., & Dietz, K. (2012).
#     "Standardized assessment of reading performance: the New International Reading Speed Texts
#     IReST." Investigative Ophthalmology & Visual Science 53(9), 5452-5461, found that across
#     alphabetic languages reading speed varies least when counted in characters per minute. So the
#     English rate is held constant in letters per minute and divided by the mean word length of
#     Portuguese: 238 x 4.47 / 4.64 = 229. The two lengths (letters per word, words as count_words
#     splits them) were measured by us on the same content in both languages: the articles of the
#     demo's four English courses and their Brazilian adaptations, about 5,700 words each
#     (tests/courses/catalog/test_reading_time.py measures them again).
#     The IReST readings were aloud, and Brysbaert, Dirix, Duyck & Sui (2021), "Improving reading
#     rate prediction with word length information: Evidence from Dutch", Quarterly Journal of
#     Experimental Psychology, found that the longer words of Dutch did not slow its readers'
#     silent reading, so treat the Portuguese figure as an estimate: the same word count reads
#     about 4% longer in Portuguese (238 / 229 = 1.039).
READING_WORDS_PER_MINUTE: dict[str, int] = {"en": 238, "pt": 229}
DEFAULT_READING_LANGUAGE = "en"  # languages without a figure read at the English rate
WORDS_PER_MINUTE = READING_WORDS_PER_MINUTE[DEFAULT_READING_LANGUAGE]

_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")  # "don't" and "well-known" are one word each
_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://|www\.|mailto:)", re.IGNORECASE)


def _visible_text(tokens: Iterable[Token]) -> Iterable[str]:
    """The text a reader sees: inline text and code, without link targets, autolinks or images."""
    for token in tokens:
        if token.type in {"fence", "code_block"}:
            yield token.content
        elif token.type == "inline" and token.children:
            in_autolink = False
            for child in token.children:
                if child.type == "link_open" and child.markup == "autolink":
                    in_autolink = True
                elif child.type == "link_close":
                    in_autolink = False
                elif child.type in {"text", "code_inline"} and not in_autolink:
                    yield child.content


def plain_text(markdown: str) -> str:
    """The text a reader sees, for the search index: markup, link targets, autolinks and pictures left out."""
    return " ".join(text for text in _visible_text(_markdown.parse(markdown or "")) if text.strip())


def count_words(markdown: str) -> int:
    """Words of the rendered text: markup, link targets, autolinks, bare URLs and images excluded."""
    count = 0
    for text in _visible_text(_markdown.parse(markdown or "")):
        for chunk in text.split():
            if not _URL_LIKE.match(chunk):
                count += len(_WORD.findall(chunk))
    return count


def words_per_minute(language: str) -> int:
    """The silent reading rate for a course language (a BCP 47 tag such as ``en`` or ``pt-BR``)."""
    primary = (language or "").split("-")[0].lower()
    return READING_WORDS_PER_MINUTE.get(primary, READING_WORDS_PER_MINUTE[DEFAULT_READING_LANGUAGE])


def reading_minutes(words: int, language: str) -> int:
    """Whole minutes at the language's rate (``words_per_minute``), rounded up; at least 1 for any
    text, 0 for none."""
    if words <= 0:
        return 0
    return max(1, math.ceil(words / words_per_minute(language)))


def reading_label(minutes: int) -> str:
    """The label learners see next to a lesson, e.g. ``"4 min read"``."""
    return f"{max(minutes, 0)} min read"


# --- Video ------------------------------------------------------------------------------------

MAX_VIDEO_URL_LENGTH = 2048  # what every mainstream browser and CDN accepts
_UNSAFE_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f\\]")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
                  "www.youtube-nocookie.com"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATH = re.compile(r"^/(?:shorts|embed|live|v)/([A-Za-z0-9_-]{11})/?$")
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_VIMEO_PATH = re.compile(r"^/(?:video/|channels/[\w-]+/|groups/[\w-]+/videos/)?(\d+)(?:/([0-9a-f]+))?/?$")
_START_TIME = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


def _invalid_video(message: str) -> ContentError:
    return ContentError(message, code=CatalogErrorCode.INVALID_VIDEO_URL, fields={"url": [message]})


def validate_video_url(url: str) -> str:
    """Return the URL trimmed if it is an absolute https URL with a host; raise otherwise."""
    url = (url or "").strip()
    if not url:
        raise _invalid_video("Enter the video's address.")
    if len(url) > MAX_VIDEO_URL_LENGTH:
        raise _invalid_video(f"The video address is longer than {MAX_VIDEO_URL_LENGTH} characters.")
    if _UNSAFE_URL_CHARS.search(url):
        raise _invalid_video("The video address contains spaces, control characters or backslashes.")
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise _invalid_video("The video address must start with https://.")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise _invalid_video("The video address has a malformed host or port.")
    if not host:
        raise _invalid_video("The video address has no host name.")
    if parts.username is not None or parts.password is not None:
        raise _invalid_video("The video address must not contain a user name or password.")
    return url


def _youtube_start(query: dict[str, list[str]]) -> int | None:
    raw = (query.get("t") or query.get("start") or [""])[0]
    match = _START_TIME.match(raw) if raw else None
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(value or 0) for value in match.groups())
    return hours * 3600 + minutes * 60 + seconds or None


def video_embed_url(url: str) -> str | None:
    """The privacy-friendly player URL for YouTube or Vimeo links; ``None`` for anything else.

    Never raises: an invalid or unknown address simply has no embedded player (the lesson links
    to it instead).
    """
    try:
        url = validate_video_url(url)
    except ContentError:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    video_id = None
    if host in _YOUTUBE_HOSTS:
        if parts.path.rstrip("/") == "/watch":
            candidate = (query.get("v") or [""])[0]
            video_id = candidate if _YOUTUBE_ID.match(candidate) else None
        elif match := _YOUTUBE_PATH.match(parts.path):
            video_id = match.group(1)
    elif host == "youtu.be":
        candidate = parts.path.strip("/")
        video_id = candidate if _YOUTUBE_ID.match(candidate) else None
    elif host in _VIMEO_HOSTS:
        match = _VIMEO_PATH.match(parts.path)
        if not match or (host == "player.vimeo.com") != parts.path.startswith("/video/"):
            return None
        unlisted_hash = match.group(2) or (query.get("h") or [""])[0]
        suffix = f"?h={unlisted_hash}" if re.fullmatch(r"[0-9a-f]+", unlisted_hash or "") else ""
        return f"https://player.vimeo.com/video/{match.group(1)}{suffix}"
    if video_id is None:
        return None
    start = _youtube_start(query)
    return f"https://www.youtube-nocookie.com/embed/{video_id}" + (f"?start={start}" if start else "")


# --- Captions ---------------------------------------------------------------------------------

MAX_CAPTIONS_BYTES = webvtt.MAX_CAPTIONS_BYTES


def validate_captions(data: bytes | BinaryIO) -> None:
    """Accept a WebVTT file: UTF-8, the ``WEBVTT`` signature, timed cues, size-capped (``webvtt``)."""
    webvtt.captions_parse(data)


# --- Ebooks -----------------------------------------------------------------------------------

# A "standard manuscript page" (the German Normseite used by publishers and translators) is
# 30 lines of 60 characters = 1,800 characters including spaces. EPUBs reflow, so their page count
# is their visible text length divided by this.
CHARS_PER_PAGE = 1800
# One such page holds about 300 English words (1,800 characters at ~6 characters per word,
# counting the space); at WORDS_PER_MINUTE (238) that is 1.26 minutes, stated as 1.25.
MINUTES_PER_PAGE = 1.25
# Uncompressed ceiling for an EPUB's entries, so a small zip bomb cannot exhaust memory.
EPUB_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
EPUB_MAX_ENTRIES = 5000
EPUB_MIMETYPE = b"application/epub+zip"

_EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux and most Unix
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)
_CONTAINER_NS = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF_NS = "{http://www.idpf.org/2007/opf}"
_CONTENT_MEDIA_TYPES = {"application/xhtml+xml", "text/html"}


@dataclass(frozen=True)
class EbookInfo:
    kind: Literal["pdf", "epub"]
    content_type: str
    pages: int
    size: int


def _invalid_ebook(message: str, code: str = CatalogErrorCode.INVALID_EBOOK) -> ContentError:
    return ContentError(message, code=code, fields={"ebook": [message]})


def _read_limited(data: bytes | BinaryIO, max_bytes: int) -> bytes | None:
    """The whole content, or ``None`` when it is longer than ``max_bytes``.

    File-like objects (Django uploads included) are read in chunks and rewound afterwards, so the
    caller can still save them.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        return raw if len(raw) <= max_bytes else None
    seekable = getattr(data, "seekable", lambda: hasattr(data, "seek"))()
    if seekable:
        data.seek(0)
    chunks, total = [], 0
    while chunk := data.read(min(1024 * 1024, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            break
    if seekable:
        data.seek(0)
    return b"".join(chunks) if total <= max_bytes else None


def inspect_ebook(data: bytes | BinaryIO, *, max_bytes: int) -> EbookInfo:
    """Identify a PDF or EPUB by its content (never its name), check it fully, count its pages."""
    raw = _read_limited(data, max_bytes)
    if raw is None:
        raise _invalid_ebook(f"The ebook is larger than the {max_bytes // (1024 * 1024) or 1} MB limit.",
                             CatalogErrorCode.EBOOK_TOO_LARGE)
    if not raw:
        raise _invalid_ebook("The ebook file is empty.")
    if raw.startswith(_EXECUTABLE_SIGNATURES):
        raise _invalid_ebook("This file is a program, not an ebook. Upload a PDF or EPUB.")
    if b"%PDF-" in raw[:ebook_safety.HEAD_BYTES]:
        ebook_safety.check_pdf_polyglot(raw)
    if raw.startswith(b"%PDF-"):
        return EbookInfo(kind="pdf", content_type="application/pdf", pages=_pdf_pages(raw), size=len(raw))
    if raw.startswith(b"PK\x03\x04"):
        return EbookInfo(kind="epub", content_type="application/epub+zip", pages=_epub_pages(raw), size=len(raw))
    raise _invalid_ebook("The file is neither a PDF nor an EPUB.")


def _pdf_pages(raw: bytes) -> int:
    # A complete PDF ends with %%EOF (allowing trailing whitespace or junk within the last 1 KB,
    # as readers do); an upload cut short does not.
    if b"%%EOF" not in raw[-1024:]:
        raise _invalid_ebook("The PDF is incomplete: it does not end with %%EOF (was the upload cut short?).")
    try:
        reader = PdfReader(io.BytesIO(raw), strict=True)
        if reader.is_encrypted:
            raise _invalid_ebook("The PDF is encrypted or password-protected. Upload an unprotected copy.",
                                 CatalogErrorCode.ENCRYPTED_EBOOK)
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - resolves the page tree and its inherited attributes
            contents = page.get("/Contents")
            if contents is not None:
                contents.get_object()
        ebook_safety.check_pdf(reader, raw)
    except ContentError:
        raise
    except Exception:
        # pypdf signals a malformed file with many exception types; to the uploader they are all one thing.
        raise _invalid_ebook("The PDF is damaged or incomplete and cannot be read.")
    if pages < 1:
        raise _invalid_ebook("The PDF has no pages.")
    return pages


class _TextLength(HTMLParser):
    """Counts the characters of visible text in an (X)HTML document, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.length = 0
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "style", "head"}:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.length += len(" ".join(data.split()))


def _parse_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    data = archive.read(name)
    # Entity declarations are the only way XML can expand (billion laughs); EPUB metadata never needs them.
    if b"<!ENTITY" in data:
        raise _invalid_ebook(f"The EPUB's {name} declares XML entities, which are not allowed.")
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - entity declarations rejected above
    except ElementTree.ParseError:
        raise _invalid_ebook(f"The EPUB's {name} is not well-formed XML.")


def _epub_pages(raw: bytes) -> int:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _invalid_ebook("The EPUB is damaged or incomplete: its ZIP directory cannot be read.")
    if not entries or entries[0].filename != "mimetype":
        raise _invalid_ebook("This ZIP file is not an EPUB: its first entry must be 'mimetype'.")
    if len(entries) > EPUB_MAX_ENTRIES:
        raise _invalid_ebook(f"The EPUB has more than {EPUB_MAX_ENTRIES} files.")
    if sum(entry.file_size for entry in entries) > EPUB_MAX_UNCOMPRESSED_BYTES:
        raise _invalid_ebook(
            f"The EPUB expands to more than {EPUB_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB.",
            CatalogErrorCode.EBOOK_TOO_LARGE,
        )
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise _invalid_ebook("The EPUB is encrypted. Upload a copy without DRM.", CatalogErrorCode.ENCRYPTED_EBOOK)
    try:
        # zipfile never inflates an entry past the size its directory declares, so the total above holds.
        if archive.read("mimetype") != EPUB_MIMETYPE:
            raise _invalid_ebook("This ZIP file is not an EPUB: 'mimetype' must contain 'application/epub+zip'.")
        names = {entry.filename for entry in entries}
        if "META-INF/container.xml" not in names:
            raise _invalid_ebook("The EPUB has no META-INF/container.xml.")
        rootfile = _parse_xml(archive, "META-INF/container.xml").find(
            f"{_CONTAINER_NS}rootfiles/{_CONTAINER_NS}rootfile"
        )
        opf_path = rootfile.get("full-path") if rootfile is not None else None
        if not opf_path or opf_path not in names:
            raise _invalid_ebook("The EPUB's container.xml does not point at its package (OPF) file.")
        package = _parse_xml(archive, opf_path)
        if package.tag != f"{_OPF_NS}package":
            raise _invalid_ebook("The EPUB's package file is not an OPF package document.")
        base = opf_path.rpartition("/")[0]
        text_length, checked = 0, []
        for item in package.iterfind(f"{_OPF_NS}manifest/{_OPF_NS}item"):
            if item.get("media-type") not in _CONTENT_MEDIA_TYPES or not item.get("href"):
                continue
            path = f"{base}/{item.get('href')}" if base else item.get("href")
            if path not in names:
                raise _invalid_ebook(f"The EPUB lists '{item.get('href')}' but does not contain it.")
            text = archive.read(path).decode("utf-8", errors="replace")
            ebook_safety.check_epub_document(path, text)
            checked.append(path)
            parser = _TextLength()
            parser.feed(text)
            parser.close()
            text_length += parser.length
        ebook_safety.check_epub_other_documents(archive, checked)
    except ContentError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError):
        # Bad CRCs, truncated entries and unsupported compression methods all land here.
        raise _invalid_ebook("The EPUB is damaged or incomplete and cannot be read.")
    if text_length == 0:
        raise _invalid_ebook("The EPUB has no readable text.")
    return max(1, math.ceil(text_length / CHARS_PER_PAGE))


def ebook_minutes(pages: int) -> int:
    """Estimated reading time of an ebook, at ``MINUTES_PER_PAGE``, rounded up."""
    if pages <= 0:
        return 0
    return math.ceil(pages * MINUTES_PER_PAGE)
