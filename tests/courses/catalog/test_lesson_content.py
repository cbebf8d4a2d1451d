"""Lesson content rules (courses.catalog.lesson_content): sanitization, reading time, video, captions, ebooks."""
from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from reportlab.pdfgen import canvas

from courses.catalog import lesson_content as content
from courses.catalog.errors import ContentError
from courses.catalog.lesson_content import (
    CHARS_PER_PAGE,
    WORDS_PER_MINUTE,
    count_words,
    ebook_minutes,
    inspect_ebook,
    reading_label,
    reading_minutes,
    render_markdown,
    sanitize_html,
    validate_captions,
    validate_video_url,
    video_embed_url,
)
from courses.errors import CoursesError
from lms.errors import ApplicationError

MB = 1024 * 1024


# --- helpers ----------------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    for tag, attrs in _Elements(html).elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg", "math", "form"}, html
        assert "style" not in attrs, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name in {"href", "src"}:
                scheme = re.match(r"^([^/?#]*):", value or "")
                assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}, html


def make_pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"Empathy handbook, page {number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


CONTAINER_XML = b"""<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""

OPF = b"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:00000000-0000-0000-0000-000000000001</dc:identifier>
    <dc:title>Listening first</dc:title><dc:language>en</dc:language>
  </metadata>
  <manifest>
    <item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine><itemref idref="c1"/></spine>
</package>"""


def chapter(characters: int) -> bytes:
    body = ("a" * 9 + " ") * (characters // 10)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE html>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Ignored title</title>'
        "<style>p { color: red }</style></head>"
        f"<body><p>{body.strip()}</p></body></html>"
    ).encode()


def make_epub(*, characters: int = 4000, first: str = "mimetype", mimetype: bytes = b"application/epub+zip",
              container: bytes | None = CONTAINER_XML, opf: bytes = OPF) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entries = {"mimetype": mimetype, "OEBPS/content.opf": opf, "OEBPS/chapter1.xhtml": chapter(characters),
                   "OEBPS/style.css": b"p{}"}
        if container is not None:
            entries["META-INF/container.xml"] = container
        order = [first] + [name for name in entries if name != first]
        for name in order:
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, entries[name], compress_type=compression)
    return buffer.getvalue()


def error_of(call, *args, **kwargs) -> ContentError:
    with pytest.raises(ContentError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- errors -----------------------------------------------------------------------------------


def test_content_error_is_an_application_error_rendered_as_422():
    error = error_of(validate_video_url, "http://example.com/v")
    assert isinstance(error, CoursesError)
    assert isinstance(error, ApplicationError)
    assert error.status_code == 422
    assert error.code == "invalid_video_url"
    assert error.fields == {"url": [error.message]}


# --- Markdown sanitization --------------------------------------------------------------------


def test_markdown_renders_common_formatting():
    html = render_markdown(
        "# Listening\n\nSome **bold**, *italic*, ~~struck~~ and `code`.\n\n"
        "- one\n- two\n\n3. three\n\n> quoted\n\n```\nblock\n```\n"
    )
    for fragment in ("<h1>Listening</h1>", "<strong>bold</strong>", "<em>italic</em>", "<s>struck</s>",
                     "<code>code</code>", "<ul>", '<ol start="3">', "<blockquote>", "<pre><code>block"):
        assert fragment in html


def test_tables_keep_alignment_as_classes_not_styles():
    html = render_markdown("| Step | Minutes |\n|:-----|--------:|\n| Listen | 2 |\n")
    assert '<th class="align-left">Step</th>' in html
    assert '<td class="align-right">2</td>' in html
    assert "style" not in html


def test_links_are_kept_with_rel_noopener_noreferrer_nofollow():
    html = render_markdown('[guide](https://example.com/guide "The guide") and <https://example.org>')
    assert ('<a href="https://example.com/guide" title="The guide" rel="noopener noreferrer nofollow">guide</a>'
            in html)
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">https://example.org</a>' in html


@pytest.mark.parametrize("link", ["mailto:help@example.com", "/courses/listening/", "#quick-check"])
def test_safe_link_targets_survive(link):
    assert f'href="{link}"' in render_markdown(f"[x]({link})")


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        "<svg onload=alert(1)>",
        "<iframe src=javascript:alert(1)></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](java&#x09;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "![x](javascript:alert(1))",
        '![x](https://example.com/a.png"onerror="alert(1))',
        "<javascript:alert(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "[<img src=x onerror=alert(1)>](https://example.com)",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "`<script>alert(1)</script>`",
        "<!-- --><script>alert(1)</script>",
    ],
)
def test_markdown_never_lets_active_content_through(payload):
    html = render_markdown(payload)
    assert_safe(html)
    assert "<script" not in html.lower()


@pytest.mark.parametrize(
    "html, must_not_contain",
    [
        ("<script>alert(1)</script><p>ok</p>", ["script", "alert"]),
        ('<img src="https://example.com/a.png" onerror="alert(1)">', ["onerror"]),
        ('<a href="JaVaScRiPt:alert(1)" onclick="steal()">x</a>', ["JaVaScRiPt", "onclick"]),
        ('<a href="  javascript:alert(1)">x</a>', ["javascript"]),
        ('<a href="data:text/html,hi">x</a>', ["data:"]),
        ('<p style="position:fixed">x</p>', ["style"]),
        ("<svg><script>alert(1)</script></svg>", ["svg", "script"]),
        ('<form action="https://evil.example"><input name=x></form>', ["form", "input"]),
        ("<style>body{display:none}</style>", ["style", "display"]),
    ],
)
def test_sanitizer_strips_active_content_even_if_html_reaches_it(html, must_not_contain):
    cleaned = sanitize_html(html)
    assert_safe(cleaned)
    for fragment in must_not_contain:
        assert fragment not in cleaned


def test_sanitizer_forces_rel_on_links():
    cleaned = sanitize_html('<a href="https://example.com" rel="opener" target="_blank">x</a>')
    assert cleaned == '<a href="https://example.com" rel="noopener noreferrer nofollow">x</a>'


def test_empty_markdown_renders_empty():
    assert render_markdown("") == ""


# --- reading time -----------------------------------------------------------------------------


def test_words_per_minute_is_the_stated_rate():
    assert WORDS_PER_MINUTE == 238


def test_count_words_counts_visible_text_only():
    text = (
        "# Listening first\n\n"  # 2
        "Customers **feel** _heard_ when you [pause](https://example.com/a-very-long-url).\n\n"  # 6
        "See <https://example.com/docs> or https://example.com/x for more.\n\n"  # 4 (See, or, for, more)
        "![a diagram of five steps](diagram.png)\n\n"  # 0
        "| Step | Time |\n|---|---|\n| Don't interrupt | well-known |\n"  # 5
    )
    assert count_words(text) == 17


def test_count_words_counts_portuguese_words():
    assert count_words("Ouvir com atenção é o primeiro passo — não há atalho.") == 10


@pytest.mark.parametrize(
    "words, minutes",
    [(0, 0), (1, 1), (237, 1), (238, 1), (239, 2), (476, 2), (477, 3), (2380, 10)],
)
def test_reading_minutes_rounds_up_at_238_wpm(words, minutes):
    assert reading_minutes(words, "en") == minutes


def test_reading_time_of_a_known_article():
    body = "\n\n".join(["Listen before you answer and name the feeling you hear."] * 50)  # 10 words x 50
    assert count_words(body) == 500
    assert reading_minutes(count_words(body), "en") == 3
    assert reading_label(reading_minutes(count_words(body), "en")) == "3 min read"


def test_reading_label():
    assert reading_label(1) == "1 min read"
    assert reading_label(12) == "12 min read"


# --- video ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://www.youtube.com/watch?v=EmpathyDem1", "https://videos.example.com/empathy/intro.mp4",
     "  https://vimeo.com/76979871  ", "https://example.com:8443/v"],
)
def test_https_video_urls_are_accepted(url):
    assert validate_video_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://www.youtube.com/watch?v=EmpathyDem1",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)//https://x",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/video.mp4",
        "//www.youtube.com/watch?v=EmpathyDem1",
        "www.youtube.com/watch?v=EmpathyDem1",
        "https://",
        "https:///path-only",
        "https://user:secret@example.com/v",
        "https://exa mple.com/v",
        "https://example.com/v\nSet-Cookie: x",
        "https://example.com:99999999/v",
        "https://example.com/" + "a" * 2100,
    ],
)
def test_bad_video_urls_are_rejected(url):
    assert error_of(validate_video_url, url).code == "invalid_video_url"


@pytest.mark.parametrize(
    "url, embed",
    [
        ("https://www.youtube.com/watch?v=EmpathyDem1", "https://www.youtube-nocookie.com/embed/EmpathyDem1"),
        ("https://youtube.com/watch?feature=share&v=EmpathyDem1", "https://www.youtube-nocookie.com/embed/EmpathyDem1"),
        ("https://m.youtube.com/watch?v=EmpathyDem1&t=90", "https://www.youtube-nocookie.com/embed/EmpathyDem1?start=90"),
        ("https://www.youtube.com/watch?v=EmpathyDem1&t=1m30s",
         "https://www.youtube-nocookie.com/embed/EmpathyDem1?start=90"),
        ("https://youtu.be/EmpathyDem1", "https://www.youtube-nocookie.com/embed/EmpathyDem1"),
        ("https://youtu.be/EmpathyDem1?t=5", "https://www.youtube-nocookie.com/embed/EmpathyDem1?start=5"),
        ("https://www.youtube.com/shorts/EmpathyDem1", "https://www.youtube-nocookie.com/embed/EmpathyDem1"),
        ("https://www.youtube.com/embed/EmpathyDem1", "https://www.youtube-nocookie.com/embed/EmpathyDem1"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://vimeo.com/76979871/1a2b3c4d5e", "https://player.vimeo.com/video/76979871?h=1a2b3c4d5e"),
        ("https://vimeo.com/channels/staffpicks/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871"),
    ],
)
def test_youtube_and_vimeo_links_get_an_embed_url(url, embed):
    assert video_embed_url(url) == embed


@pytest.mark.parametrize(
    "url",
    [
        "https://videos.example.com/empathy/intro.mp4",
        "http://www.youtube.com/watch?v=EmpathyDem1",
        "javascript:alert(1)",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=EmpathyDem1\"><script>",
        "https://youtube.com.evil.example/watch?v=EmpathyDem1",
        "https://vimeo.com/about",
        "https://player.vimeo.com/76979871",
    ],
)
def test_other_or_bad_links_have_no_embed(url):
    assert video_embed_url(url) is None


# --- captions ---------------------------------------------------------------------------------

VTT = (
    "WEBVTT\n\n00:00.000 --> 00:04.000\nHello, and thanks for waiting.\n\n"
    "00:04.500 --> 00:08.000\nOuvir é o começo.\n"
)


@pytest.mark.parametrize(
    "data",
    [VTT.encode(), ("\ufeff" + VTT).encode(), VTT.replace("WEBVTT", "WEBVTT - English").encode(),
     VTT.replace("\n", "\r\n").encode(), b"WEBVTT\n\n01:00:00.000 --> 01:00:02.000\nLater\n"],
)
def test_valid_webvtt_is_accepted(data):
    assert validate_captions(data) is None
    assert validate_captions(io.BytesIO(data)) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"1\n00:00:00,000 --> 00:00:04,000\nThis is SRT\n",  # SRT, not WebVTT
        b"WEBVTTX\n\n00:00.000 --> 00:04.000\nx\n",
        b"WEBVTT\n\nno cues here\n",
        VTT.encode("utf-16"),
        VTT.encode("latin-1"),
        b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
    ],
)
def test_invalid_captions_are_rejected(data):
    assert error_of(validate_captions, data).code == "invalid_captions"


def test_oversized_captions_are_rejected():
    cue = "00:00.000 --> 00:04.000\nA line of captions.\n\n"
    data = ("WEBVTT\n\n" + cue * (content.MAX_CAPTIONS_BYTES // len(cue) + 1)).encode()
    assert error_of(validate_captions, data).code == "captions_too_large"


# --- ebooks: PDF ------------------------------------------------------------------------------


@pytest.mark.parametrize("pages", [1, 3, 7])
def test_pdf_page_count_is_read_from_the_file(pages):
    data = make_pdf(pages)
    info = inspect_ebook(data, max_bytes=MB)
    assert info == content.EbookInfo(kind="pdf", content_type="application/pdf", pages=pages, size=len(data))


def test_pdf_from_a_file_object_is_read_and_rewound():
    stream = io.BytesIO(make_pdf(2))
    stream.read(10)
    assert inspect_ebook(stream, max_bytes=MB).pages == 2
    assert stream.tell() == 0


def test_ebook_info_is_frozen():
    info = inspect_ebook(make_pdf(1), max_bytes=MB)
    with pytest.raises(AttributeError):
        info.pages = 99


def test_truncated_pdf_is_rejected():
    data = make_pdf(4)
    error = error_of(inspect_ebook, data[: len(data) // 2], max_bytes=MB)
    assert error.code == "invalid_ebook"
    assert error.status_code == 422


def test_truncated_pdf_with_a_forged_eof_marker_is_rejected():
    data = make_pdf(4)
    assert error_of(inspect_ebook, data[: len(data) // 2] + b"\n%%EOF\n", max_bytes=MB).code == "invalid_ebook"


@pytest.mark.parametrize(
    "intact, dangling",
    [(b"4 0 R 5 0 R ]", b"4 0 R 99 0 R]"), (b"/Contents 10 0 R", b"/Contents 98 0 R")],
    ids=["page", "page-contents"],
)
def test_pdf_pointing_at_a_missing_object_is_rejected(intact, dangling):
    data = make_pdf(3)
    broken = data.replace(intact, dangling)  # same length, so the cross-reference table still lines up
    assert broken != data and len(broken) == len(data)
    assert error_of(inspect_ebook, broken, max_bytes=MB).code == "invalid_ebook"


def test_pdf_header_on_garbage_is_rejected():
    assert error_of(inspect_ebook, b"%PDF-1.7\nnot really a pdf\n%%EOF\n", max_bytes=MB).code == "invalid_ebook"


def test_encrypted_pdf_is_rejected():
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="secret")
    pdf.drawString(72, 720, "locked")
    pdf.showPage()
    pdf.save()
    assert error_of(inspect_ebook, buffer.getvalue(), max_bytes=MB).code == "encrypted_ebook"


@pytest.mark.parametrize(
    "blob",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode.",
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200,
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200,
        b"#!/bin/sh\nrm -rf /\n",
    ],
)
def test_executables_renamed_to_pdf_are_rejected(blob):
    error = error_of(inspect_ebook, blob, max_bytes=MB)
    assert error.code == "invalid_ebook"
    assert "program" in error.message


@pytest.mark.parametrize(
    "blob",
    [b"", b"Just some text pretending to be a book", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"PK\x05\x06" + b"\x00" * 18],
)
def test_other_files_are_rejected(blob):
    assert error_of(inspect_ebook, blob, max_bytes=MB).code == "invalid_ebook"


def test_pdf_content_is_what_counts_not_the_name():
    # A PDF behind a misleading name and content-type is still identified by its bytes.
    upload = io.BytesIO(make_pdf(2))
    upload.name = "slides.exe"
    assert inspect_ebook(upload, max_bytes=MB).kind == "pdf"


def test_oversized_ebook_is_rejected_before_parsing():
    data = make_pdf(2)
    error = error_of(inspect_ebook, data, max_bytes=len(data) - 1)
    assert error.code == "ebook_too_large"
    assert inspect_ebook(data, max_bytes=len(data)).pages == 2


def test_oversized_stream_is_rejected_without_reading_it_all():
    class Endless(io.RawIOBase):
        read_total = 0

        def readable(self):
            return True

        def read(self, size=-1):
            size = 65536 if size is None or size < 0 else size
            self.read_total += size
            return b"%PDF-" + b"0" * (size - 5)

    stream = Endless()
    assert error_of(inspect_ebook, stream, max_bytes=MB).code == "ebook_too_large"
    assert stream.read_total <= MB + 1


# --- ebooks: EPUB -----------------------------------------------------------------------------


def test_minimal_epub_is_accepted_and_paged_by_text_length():
    data = make_epub(characters=4000)  # 3,999 visible characters -> 3 pages of 1,800
    info = inspect_ebook(data, max_bytes=MB)
    assert info == content.EbookInfo(kind="epub", content_type="application/epub+zip", pages=3, size=len(data))


def test_short_epub_counts_as_one_page():
    assert inspect_ebook(make_epub(characters=100), max_bytes=MB).pages == 1


def test_chars_per_page_is_the_stated_figure():
    assert CHARS_PER_PAGE == 1800


def test_epub_with_wrong_first_entry_is_rejected():
    error = error_of(inspect_ebook, make_epub(first="OEBPS/content.opf"), max_bytes=MB)
    assert error.code == "invalid_ebook"
    assert "mimetype" in error.message


@pytest.mark.parametrize("mimetype", [b"application/zip", b"application/epub+zip\n", b""])
def test_epub_with_wrong_mimetype_is_rejected(mimetype):
    assert error_of(inspect_ebook, make_epub(mimetype=mimetype), max_bytes=MB).code == "invalid_ebook"


def test_epub_without_container_is_rejected():
    error = error_of(inspect_ebook, make_epub(container=None), max_bytes=MB)
    assert "container.xml" in error.message


def test_epub_whose_container_points_nowhere_is_rejected():
    container = CONTAINER_XML.replace(b"OEBPS/content.opf", b"OEBPS/missing.opf")
    assert error_of(inspect_ebook, make_epub(container=container), max_bytes=MB).code == "invalid_ebook"


def test_epub_with_a_non_opf_package_is_rejected():
    assert error_of(inspect_ebook, make_epub(opf=b"<html/>"), max_bytes=MB).code == "invalid_ebook"


def test_epub_with_entity_expansion_is_rejected():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container">&b;</container>')
    assert error_of(inspect_ebook, make_epub(container=bomb), max_bytes=MB).code == "invalid_ebook"


def test_truncated_epub_is_rejected():
    data = make_epub()
    assert error_of(inspect_ebook, data[: len(data) // 2], max_bytes=MB).code == "invalid_ebook"


def test_zip_that_is_not_an_epub_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.exe", b"MZ" + b"\x00" * 100)
    assert error_of(inspect_ebook, buffer.getvalue(), max_bytes=MB).code == "invalid_ebook"


def test_zip_bomb_epub_is_rejected(monkeypatch):
    monkeypatch.setattr(content, "EPUB_MAX_UNCOMPRESSED_BYTES", 1 * MB)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER_XML)
        archive.writestr("OEBPS/content.opf", OPF)
        archive.writestr("OEBPS/chapter1.xhtml", b"\x00" * (2 * MB), compress_type=zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    assert len(data) < 16 * 1024  # 2 MB of zeros squeeze to a few KB
    assert error_of(inspect_ebook, data, max_bytes=MB).code == "ebook_too_large"


def test_oversized_epub_is_rejected():
    data = make_epub(characters=20000)
    assert error_of(inspect_ebook, data, max_bytes=len(data) - 1).code == "ebook_too_large"


# --- ebook time -------------------------------------------------------------------------------


@pytest.mark.parametrize("pages, minutes", [(0, 0), (1, 2), (4, 5), (10, 13), (100, 125)])
def test_ebook_minutes_at_one_and_a_quarter_minutes_per_page(pages, minutes):
    assert content.MINUTES_PER_PAGE == 1.25
    assert ebook_minutes(pages) == minutes
