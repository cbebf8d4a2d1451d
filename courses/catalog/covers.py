"""What a page or the API needs to show a course's cover: addresses, sizes, formats and the alt text.

Built from a course whose ``cover_renditions`` were prefetched (``course_catalog`` does it), so a list of
courses costs no query per course. A course without a picture shows its generated cover (cover_art.py),
which is decorative (``alt=""``). The addresses are the cover views' (courses/catalog/pages/covers.py),
which check that the caller may see the course; a rendition's address names its row, and a new upload
makes new rows, so browsers may keep a picture for as long as they like.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.urls import reverse

from courses.catalog import cover_art
from courses.catalog.models import Course


@dataclass(frozen=True)
class CoverSource:
    url: str
    width: int
    height: int
    format: str


@dataclass(frozen=True)
class Cover:
    generated: bool
    alt: str
    url: str  # the fallback (JPEG or PNG; the SVG when generated) at its largest size
    width: int
    height: int
    webp: list[CoverSource] = field(default_factory=list)
    fallback: list[CoverSource] = field(default_factory=list)

    @property
    def webp_srcset(self) -> str:
        return ", ".join(f"{source.url} {source.width}w" for source in self.webp)

    @property
    def fallback_srcset(self) -> str:
        return ", ".join(f"{source.url} {source.width}w" for source in self.fallback)

    @property
    def fallback_type(self) -> str:
        return f"image/{self.fallback[0].format}" if self.fallback else "image/svg+xml"


def generated_version(course: Course) -> str:
    """Changes when the generated cover's drawing would: the browser's cached copy is then not used."""
    category = course.category.name if course.category_id and course.category else ""
    text = f"{cover_art.REVISION}\n{course.slug}\n{course.title}\n{category}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def generated_svg(course: Course) -> str:
    category = course.category.name if course.category_id and course.category else ""
    return cover_art.cover_svg(slug=course.slug, title=course.title, category=category)


def course_cover(course: Course) -> Cover:
    renditions = list(course.cover_renditions.all()) if course.cover_image else []
    if not renditions:
        url = f"{reverse('pages:course-cover-generated', args=[course.slug])}?v={generated_version(course)}"
        return Cover(generated=True, alt="", url=url, width=cover_art.WIDTH, height=cover_art.HEIGHT)
    sources = [CoverSource(url=reverse("pages:course-cover", args=[course.slug, rendition.pk, rendition.format]),
                           width=rendition.width, height=rendition.height, format=rendition.format)
               for rendition in sorted(renditions, key=lambda item: item.width)]
    webp = [source for source in sources if source.format == "webp"]
    fallback = [source for source in sources if source.format != "webp"]
    largest = fallback[-1]
    return Cover(generated=False, alt=course.cover_alt, url=largest.url, width=largest.width, height=largest.height,
                 webp=webp, fallback=fallback)
