"""Reading the certificate back as pixels, and an independent rendering of the same text to compare it with.

The PDF is rasterised by pdfium. The reference is drawn by headless Chromium, which does its own bidi,
shaping and per-character font fallback, from the same font files: each font is declared with the Unicode
ranges of the script it is meant for, so the browser's choice of font matches the certificate's design
without sharing any of its code. Two images of the same string in the same fonts differ only by
rasteriser details, so after scaling one onto the other's ink box they correlate closely; missing glyphs
(boxes), unshaped or wrongly ordered text do not.
"""
from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter

from courses.certificates.pdf import CertificateContent, render_certificate_pdf

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PDFFONTS = shutil.which("pdffonts") or "/usr/bin/pdffonts"
BUNDLED = Path(__file__).resolve().parents[3] / "courses" / "certificates" / "fonts"
NOTO = Path("/usr/share/fonts/truetype/noto")
INK_LEVEL = 160  # a pixel darker than this (0-255 grey) is ink
SCALE = 3  # pdfium pixels per PDF point

LATIN = "U+0000-024F, U+0300-036F, U+0370-03FF, U+0400-052F, U+1E00-1FFF, U+2000-206F"
SCRIPT_FONTS = [  # (CSS unicode-range, regular file, bold file)
    ("U+0600-06FF, U+0750-077F, U+08A0-08FF, U+FB50-FDFF, U+FE70-FEFF", "NotoSansArabic-Regular.ttf",
     "NotoSansArabic-Bold.ttf"),
    ("U+0590-05FF, U+FB1D-FB4F", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    ("U+0900-097F, U+A8E0-A8FF", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    ("U+0980-09FF", "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"),
    ("U+0B80-0BFF", "NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"),
    ("U+0E00-0E7F", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
]
CJK = "U+1100-11FF, U+3000-30FF, U+3130-318F, U+3400-9FFF, U+AC00-D7AF, U+F900-FAFF, U+FF00-FFEF"

BASE = CertificateContent(
    learner_name="", course_title="Listening First", language="en", issuer_name="Example Store",
    issued_at=datetime(2027, 5, 4, 12, 0), hours_credited=Decimal("2"),
    code="abcDEF123_-xyz789012", verify_url="http://example.test/verify/abcDEF123_-xyz789012/",
)


@dataclass(frozen=True)
class Sample:
    """One string to draw: which certificate field, its weight there, and the CJK face its language uses."""
    text: str
    field: str = "learner_name"
    cjk: str = "SC"
    direction: str = "auto"

    @property
    def bold(self) -> bool:
        return self.field != "issuer_name"

    @property
    def shown(self) -> str:
        return f"Issued by {self.text}" if self.field == "issuer_name" else self.text


def render_page(pdf: bytes, scale: float = SCALE) -> np.ndarray:
    """The page as a grey image (0 black, 255 white)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=scale).to_pil().convert("L")
    finally:
        document.close()
    return np.asarray(image)


def certificate(**fields) -> bytes:
    return render_certificate_pdf(replace(BASE, **fields))


def field_ink(sample: Sample) -> np.ndarray:
    """The ink of one field, found as what changes on the page when the field is filled in.

    The comparison page has the field blank; for the issuer the whole "Issued by ..." line moves, so the
    box of changed pixels covers the label too, as the reference draws it.
    """
    blank = {"learner_name": "", "course_title": "", "issuer_name": ""}[sample.field]
    filled = render_page(certificate(**{sample.field: sample.text}))
    empty = render_page(certificate(**{sample.field: blank}))
    changed = np.abs(filled.astype(int) - empty.astype(int)) > 40
    rows, cols = np.nonzero(changed)
    assert rows.size, f"nothing is drawn for {sample.text!r}"
    region = filled[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    return crop_to_ink(region)


def crop_to_ink(image: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(image < INK_LEVEL)
    assert rows.size, "no ink"
    return image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def _font_faces() -> str:
    rules = []
    for weight, index in (("normal", 1), ("bold", 2)):
        dejavu = BUNDLED / ("DejaVuSans-Bold.ttf" if weight == "bold" else "DejaVuSans.ttf")
        rules.append(f"@font-face{{font-family:Cert;src:url({dejavu.as_uri()});font-weight:{weight};"
                     f"unicode-range:{LATIN}}}")
        for ranges, *files in SCRIPT_FONTS:
            path = NOTO / files[index - 1]
            rules.append(f"@font-face{{font-family:Cert;src:url({path.as_uri()});font-weight:{weight};"
                         f"unicode-range:{ranges}}}")
        for face in ("SC", "JP", "KR"):
            local = f"Noto Sans CJK {face}" + (" Bold" if weight == "bold" else "")
            rules.append(f"@font-face{{font-family:Cjk{face};src:local('{local}');font-weight:{weight};"
                         f"unicode-range:{CJK}}}")
    return "\n".join(rules)


ROW = 200  # CSS pixels per sample in the reference page
FONT_PX = 72


def reference_inks(samples: list[Sample]) -> list[np.ndarray]:
    """Each sample drawn by Chromium, one row apiece, cropped to its ink."""
    rows = "".join(
        f'<div dir="{sample.direction}" style="font-family:Cert,Cjk{sample.cjk};'
        f'font-weight:{"bold" if sample.bold else "normal"}">{html.escape(sample.shown)}</div>'
        for sample in samples)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><style>{_font_faces()}\n"
            f"body{{margin:0;background:#fff;color:#000}}"
            f"div{{height:{ROW}px;font-size:{FONT_PX}px;line-height:{ROW}px;white-space:pre;padding:0 40px}}"
            f"</style></head><body>{rows}</body></html>")
    with tempfile.TemporaryDirectory() as folder:
        source, shot = Path(folder) / "reference.html", Path(folder) / "reference.png"
        source.write_text(page, encoding="utf-8")
        subprocess.run(  # noqa: S603 - the installed Chromium, fixed arguments
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--force-device-scale-factor=1", f"--window-size=3000,{ROW * len(samples)}",
             f"--screenshot={shot}", source.as_uri()],
            check=True, capture_output=True, timeout=120)
        image = np.asarray(Image.open(shot).convert("L"))
    return [crop_to_ink(image[index * ROW:(index + 1) * ROW]) for index in range(len(samples))]


def _normalised(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    picture = Image.fromarray(image).resize(size, Image.Resampling.LANCZOS)
    picture = picture.filter(ImageFilter.GaussianBlur(radius=max(1.0, size[1] / 40)))
    values = 255.0 - np.asarray(picture, dtype=float)
    return (values - values.mean()) / (values.std() or 1.0)


def similarity(drawn: np.ndarray, reference: np.ndarray) -> float:
    """Correlation (-1..1) of two ink images after scaling the reference onto the drawn one's box."""
    size = (drawn.shape[1], drawn.shape[0])
    return float((_normalised(drawn, size) * _normalised(reference, size)).mean())


def aspect(image: np.ndarray) -> float:
    return image.shape[1] / image.shape[0]


def pdffonts(pdf: bytes) -> list[dict[str, str]]:
    """Each font of the PDF as poppler's pdffonts lists it (name, type, emb, sub, ...)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run([PDFFONTS, handle.name], check=True, capture_output=True, text=True).stdout  # noqa: S603
    header, rule, *rows = out.splitlines()
    widths = [len(part) for part in rule.split(" ")]
    columns, fonts = header.split(), []
    for row in rows:
        cells, start = [], 0
        for width in widths:
            cells.append(row[start:start + width].strip())
            start += width + 1
        fonts.append(dict(zip(["name", "type", "encoding", "emb", "sub", "uni", "object", "id"], cells, strict=False)))
    assert columns[0] == "name"
    return fonts
