"""Demo catalog, read from the data files in ``demo_data/``: the empathy course (English and Brazilian
Portuguese) and a few short public courses in other categories, so the catalog, filters and related
courses have variety.

The empathy course takes its ideas from the article the product grew from; every sentence in it is
our own. Its video lessons play the short videos in ``demo_data/media/`` (``video_media``, with WebVTT tracks in
English and Brazilian Portuguese in ``captions_media``), made once by ``scripts/make_demo_video.py``; other
video URLs are placeholders. ``ebook_pdf`` builds the handbook PDFs the ebook lessons use.
Loading this into the database is ``courses.demo``'s job; nothing here touches models.

Layout of ``demo_data/``: ``catalog.yaml`` lists the course folders in creation order; each folder
holds a ``course.yaml`` (metadata, modules, activities) and the Markdown texts it names; a key
ending in ``_file`` is replaced by the key without the suffix, holding that file's whole text
(``body_file: 1-1-x.md`` gives ``body``). A lesson's ``images`` list the pictures its article shows as
``![](image:NAME)``: ``name``, ``alt`` and ``picture`` (a file in the folder, read as bytes). ``ebooks.yaml``
holds the handbooks.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

EMPATHY_SLUG_EN = "power-of-empathy-customer-service"
EMPATHY_SLUG_PT = "poder-da-empatia-no-atendimento"

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
FILE_SUFFIX = "_file"


def _read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _with_files(value: Any, folder: Path) -> Any:
    """``value`` with every ``<key>_file: <path>`` entry (in any nested mapping) replaced, in place in
    the key order, by ``<key>: <the text of folder/path>``."""
    if isinstance(value, list):
        return [_with_files(item, folder) for item in value]
    if not isinstance(value, dict):
        return value
    resolved = {}
    for key, item in value.items():
        if key.endswith(FILE_SUFFIX):
            resolved[key.removesuffix(FILE_SUFFIX)] = (folder / item).read_text(encoding="utf-8")
        else:
            resolved[key] = _with_files(item, folder)
    return resolved


def _with_pictures(spec: dict, folder: Path) -> dict:
    """``spec`` with each lesson picture's ``picture`` file name replaced by the file's bytes."""
    for module in spec.get("modules", []):
        for activity in module.get("activities", []):
            for image in (activity.get("lesson") or {}).get("images", []):
                image["picture"] = (folder / image["picture"]).read_bytes()
    return spec


def read_courses(data_dir: Path = DATA_DIR) -> list[dict]:
    """Every demo course spec, in catalog order (see the module docstring for the file layout)."""
    folders = [data_dir / name for name in _read_yaml(data_dir / "catalog.yaml")["courses"]]
    return [_with_pictures(_with_files(_read_yaml(folder / "course.yaml"), folder), folder) for folder in folders]


def read_ebooks(data_dir: Path = DATA_DIR) -> dict[str, dict]:
    """The handbooks by key; each section is a ``(title, paragraphs)`` pair."""
    return {
        key: {**{field: value for field, value in book.items() if field != "sections"},
              "sections": [(section["title"], section["paragraphs"]) for section in book["sections"]]}
        for key, book in _read_yaml(data_dir / "ebooks.yaml").items()
    }


def read_covers(data_dir: Path = DATA_DIR) -> dict[str, dict]:
    """The demo courses' cover pictures by slug (``covers.yaml``): ``picture`` (bytes) and ``alt``."""
    return {slug: {"picture": (data_dir / slug / cover["picture"]).read_bytes(), "alt": cover["alt"]}
            for slug, cover in _read_yaml(data_dir / "covers.yaml").items()}


COURSES: list[dict] = read_courses()

EBOOKS: dict[str, dict] = read_ebooks()


def ebook_pdf(key: str) -> bytes:
    """The handbook for ``key`` as a small A5 PDF: a title page and one page per section.

    ``invariant=1`` pins the creation date and document id, so the same key always gives the same bytes.
    """
    book = EBOOKS[key]
    styles = getSampleStyleSheet()
    title = ParagraphStyle("HandbookTitle", parent=styles["Title"], fontSize=24, leading=30, spaceBefore=40 * mm)
    subtitle = ParagraphStyle("HandbookSubtitle", parent=styles["Italic"], fontSize=12, alignment=1)
    heading = styles["Heading2"]
    body = ParagraphStyle("HandbookBody", parent=styles["BodyText"], fontSize=10.5, leading=15, spaceAfter=8)

    story: list = [Paragraph(book["title"], title), Spacer(1, 6 * mm), Paragraph(book["subtitle"], subtitle)]
    for section_title, paragraphs in book["sections"]:
        story += [PageBreak(), Paragraph(section_title, heading)]
        story += [Paragraph(text, body) for text in paragraphs]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A5, invariant=1, title=book["title"], subject=book["subtitle"],
        author="Empathy LMS demo", lang=book["language"],
        leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
