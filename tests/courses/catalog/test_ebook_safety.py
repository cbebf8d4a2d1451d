"""Ebooks with active content (scripts, actions, attachments, rich media, XFA, HTML polyglots) are refused.

The PDFs are built with pypdf on top of a plain reportlab PDF, so each case differs from an accepted
file by exactly the active part.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from courses import demo_content
from courses.catalog import ebook_safety
from courses.catalog.errors import ContentError
from courses.catalog.lesson_content import inspect_ebook
from courses.catalog.models import Lesson
from tests import factories as people
from tests.courses.catalog.test_lesson_content import CONTAINER_XML, OPF, make_epub, make_pdf
from tests.courses.factories import activities_of, build_course
from tests.helpers import assert_error

MB = 1024 * 1024
ACTIVE = "active_content_ebook"


def error_of(data: bytes) -> ContentError:
    with pytest.raises(ContentError) as caught:
        inspect_ebook(data, max_bytes=MB)
    return caught.value


def _rewrite(change: Callable[[PdfWriter], None], pages: int = 2) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(pages)))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    action.update({NameObject(f"/{key}"): value for key, value in entries.items()})
    return action


def _open_action(action: DictionaryObject) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return change


def _names_javascript(writer: PdfWriter) -> None:
    # pypdf 7's replacement for add_js: a document-level script in the /Names /JavaScript tree.
    writer.add_open_action(JavaScript("app.alert('hi');"))


def _page_aa(writer: PdfWriter) -> None:
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.alert('page');"))


def _attachment(writer: PdfWriter) -> None:
    writer.add_attachment("payload.exe", b"MZ" + b"\x00" * 64)


def _catalog_aa(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/AA")] = DictionaryObject(
        {NameObject("/WC"): _action("/JavaScript", JS=TextStringObject("app.alert('close');"))})


def _xfa(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp:xdp/>")})


def _rich_media(writer: PdfWriter) -> None:
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/RichMedia"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)]),
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _link_launch(writer: PdfWriter) -> None:
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)]),
        NameObject("/A"): _action("/Launch", F=TextStringObject("calc.exe")),
    })
    writer.pages[1][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


PDF_CASES = {
    "names-javascript": (_names_javascript, "JavaScript"),
    "open-action-javascript": (_open_action(_action("/JavaScript", JS=TextStringObject("app.alert(1);"))),
                               "JavaScript"),
    "open-action-launch": (_open_action(_action("/Launch", F=TextStringObject("cmd.exe"))), "Launch"),
    "open-action-chained-javascript": (
        _open_action(_action("/GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")]),
                             Next=_action("/JavaScript", JS=TextStringObject("app.alert(2);")))), "JavaScript"),
    "embedded-file": (_attachment, "embedded file"),
    "page-additional-actions": (_page_aa, "additional actions"),
    "catalog-additional-actions": (_catalog_aa, "additional actions"),
    "xfa-form": (_xfa, "XFA"),
    "rich-media": (_rich_media, "rich media"),
    "link-launch": (_link_launch, "Launch"),
}


@pytest.mark.parametrize("case", PDF_CASES, ids=list(PDF_CASES))
def test_pdf_with_active_content_is_refused_naming_what_was_found(case):
    change, found = PDF_CASES[case]
    error = error_of(_rewrite(change))
    assert error.code == ACTIVE
    assert found.lower() in error.message.lower()
    assert error.fields == {"ebook": [error.message]}


@pytest.mark.parametrize("case", PDF_CASES, ids=list(PDF_CASES))
def test_the_object_walk_alone_finds_each_case(case, monkeypatch):
    # The byte scan is the second wall; the parsed catalog, names tree, pages and annotations are the first.
    monkeypatch.setattr(ebook_safety, "_byte_findings", lambda reader, raw: set())
    change, found = PDF_CASES[case]
    assert found.lower() in error_of(_rewrite(change)).message.lower()


def test_a_hex_escaped_javascript_name_is_still_found():
    data = _rewrite(_open_action(_action("/JavaScript", JS=TextStringObject("app.alert(3);"))))
    # Same length, so every xref offset holds: /Type is optional, "#61" is "a" and "#53" is "S".
    plain = b"/Type /Action\n/S /JavaScript\n/JS ("
    assert plain in data
    escaped = data.replace(plain, b"/S /J#61vaScript\n/J#53 (".rjust(len(plain)))
    assert b"/JavaScript" not in escaped and b"/JS " not in escaped
    assert len(PdfReader(io.BytesIO(escaped), strict=True).pages) == 2
    error = error_of(escaped)
    assert error.code == ACTIVE and "JavaScript" in error.message


@pytest.mark.parametrize("key", ["empathy-handbook-en", "empathy-handbook-pt-br"])
def test_the_demo_ebooks_are_accepted(key):
    assert inspect_ebook(demo_content.ebook_pdf(key), max_bytes=MB).kind == "pdf"


def test_pdf_rewritten_by_pypdf_without_active_content_is_accepted():
    assert inspect_ebook(_rewrite(lambda writer: None, pages=3), max_bytes=MB).pages == 3


def test_pdf_with_a_plain_open_action_destination_is_accepted():
    def go_to_first_page(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = ArrayObject(
            [writer.pages[0].indirect_reference, NameObject("/Fit")])
    assert inspect_ebook(_rewrite(go_to_first_page), max_bytes=MB).pages == 2


def test_pdf_with_an_uri_link_is_accepted():
    def link(writer: PdfWriter) -> None:
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(9), NumberObject(9)]),
            NameObject("/A"): _action("/URI", URI=TextStringObject("https://example.com/")),
        })
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    assert inspect_ebook(_rewrite(link), max_bytes=MB).pages == 2


# --- PDF/HTML polyglots -----------------------------------------------------------------------


def _html_before_header() -> bytes:
    return b"<html><body><script>alert(document.cookie)</script></body></html>\n" + make_pdf(1)


def _in_the_comment(html: bytes) -> bytes:
    """The reportlab PDF with its second-line comment replaced by ``%`` + HTML of the same length, so
    every xref offset still holds and the file stays a valid PDF."""
    pdf = make_pdf(1)
    header, comment, rest = pdf.split(b"\n", 2)
    assert len(html) < len(comment)
    return header + b"\n" + (b"%" + html).ljust(len(comment), b" ") + b"\n" + rest


def _script_in_a_comment() -> bytes:
    return _in_the_comment(b"<script>alert(1)</script>")


def _doctype_in_a_comment() -> bytes:
    return _in_the_comment(b"<!DOCTYPE html><HTML><body>hi</body></HTML>")


@pytest.mark.parametrize("build, found", [(_html_before_header, "HTML"), (_script_in_a_comment, "<script"),
                                          (_doctype_in_a_comment, "HTML")],
                         ids=["html-before-header", "script-in-comment", "doctype-in-comment"])
def test_pdf_html_polyglot_is_refused(build, found):
    data = build()
    error = error_of(data)
    assert error.code == ACTIVE
    assert found.lower() in error.message.lower()


def test_the_polyglots_are_otherwise_readable_pdfs():
    # The refusal is about the HTML, not a broken file: without the check pypdf reads them.
    for data in (_script_in_a_comment(), _doctype_in_a_comment()):
        assert len(PdfReader(io.BytesIO(data), strict=True).pages) == 1


# --- EPUB ---------------------------------------------------------------------------------------


def _epub_with(document: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER_XML)
        archive.writestr("OEBPS/content.opf", OPF)
        archive.writestr("OEBPS/chapter1.xhtml", document, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("OEBPS/style.css", b"p{}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xhtml(body: str, head: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE html>'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>{head}</head>'
            f"<body>{body}</body></html>").encode()


TEXT = "<p>" + "Listening is the start of empathy. " * 20 + "</p>"
EPUB_CASES = {
    "script-element": (_xhtml(TEXT, head="<script>fetch('/api/v1/me/')</script>"), "<script>"),
    "external-script": (_xhtml(TEXT + '<script src="evil.js"></script>'), "<script>"),
    "onload-attribute": (_xhtml(TEXT).replace(b"<body>", b'<body onload="steal()">'), "onload"),
    "onerror-on-img": (_xhtml(TEXT + '<img src="x" onError="steal()"/>'), "onerror"),
    "javascript-href": (_xhtml(TEXT + '<a href="javascript:steal()">more</a>'), "javascript:"),
    "javascript-href-obfuscated": (_xhtml(TEXT + '<a href=" JaVa&#x09;ScRiPt:steal()">more</a>'), "javascript:"),
    "svg-script": (_xhtml(TEXT + '<svg xmlns="http://www.w3.org/2000/svg"><svg:script xmlns:svg="x">1</svg:script>'
                          "</svg>"), "<script>"),
}


@pytest.mark.parametrize("case", EPUB_CASES, ids=list(EPUB_CASES))
def test_epub_with_scripting_is_refused_naming_what_was_found(case):
    document, found = EPUB_CASES[case]
    error = error_of(_epub_with(document))
    assert error.code == ACTIVE
    assert found.lower() in error.message.lower()
    assert "chapter1.xhtml" in error.message


def test_epub_with_a_script_in_a_file_outside_the_manifest_is_refused():
    data = _epub_with(_xhtml(TEXT), extra={"OEBPS/hidden.html": b"<html><body><script>1</script></body></html>"})
    error = error_of(data)
    assert error.code == ACTIVE
    assert "hidden.html" in error.message


def test_epub_with_plain_links_and_handlers_named_in_text_is_accepted():
    body = (TEXT + '<p><a href="https://example.com/">site</a> <a href="#note">note</a></p>'
            "<p>Write onload=steal() and javascript:alert(1) in a sentence; only markup counts.</p>")
    assert inspect_ebook(_epub_with(_xhtml(body)), max_bytes=MB).kind == "epub"


def test_the_plain_fixture_epub_is_still_accepted():
    assert inspect_ebook(make_epub(), max_bytes=MB).kind == "epub"


# --- through the API ------------------------------------------------------------------------------


@pytest.fixture
def instructor(org):
    return people.member(org, "instructor")


@pytest.fixture
def article(instructor):
    course = build_course(slug="unsafe-ebooks", created_by=instructor,
                          activities=[{"title": "Read this", "lesson": {"content_type": "article", "body": "Hi."}}])
    return activities_of(course)[0]


def test_upload_of_a_pdf_with_javascript_is_a_422_and_stores_nothing(client_for, article, instructor, media):
    data = _rewrite(_names_javascript)
    response = client_for(instructor).put(
        f"/api/v1/activities/{article.pk}/lesson/ebook/upload/",
        {"file": SimpleUploadedFile("book.pdf", data, content_type="application/pdf")}, format="multipart")
    error = assert_error(response, 422, ACTIVE)
    assert "JavaScript" in error["message"]
    lesson = Lesson.objects.get(activity=article)
    assert (lesson.content_type, lesson.ebook.name) == ("article", "")
    assert [path for path in media.rglob("*") if path.is_file()] == []
