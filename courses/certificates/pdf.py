"""The certificate PDF: A4 landscape, labels in DejaVu Sans, a vector QR code, and the issuing organization's
logo (centred at the top, the text below it moved down to make room) and signature (above the signer's
name and title, bottom centre) when it has them.

Labels follow the course's language (English and Brazilian Portuguese today). What users typed (the
learner's name, the course title, the issuer) may be in any script: it is laid out by ``text_layout``
(bidi order, a font per script, HarfBuzz shaping, fitted to its box by the ``*_FIT`` policies below)
and drawn by ``shaped_text`` as glyph outlines under an invisible text layer. Every font in the file is
an embedded subset. Rendering is a pure function of the certificate's frozen fields, so a reissue with
the same data gives the same document apart from its timestamp.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from courses.certificates.shaped_text import draw_block, text_layer_font
from courses.certificates.text_layout import Block, Fit, fit

# Bump when the layout or the credential's shape changes: the reconciler re-renders (PDF and signed
# credential) certificates below this version. 3: the OB extensions context and the hashed email identity.
# 4: the organization's logo and signature.
TEMPLATE_VERSION = 4
FONT_DIR = Path(__file__).resolve().parent / "fonts"
INK = HexColor("#1f2a44")
ACCENT = HexColor("#2f7d6d")
MUTED = HexColor("#5b6475")
ISSUER_WIDTH = 480

LABELS = {
    "en": {
        "title": "Certificate of Completion", "certifies": "This certifies that",
        "completed": "has completed the course",
        "issued": "Issued on {date}", "hours": "{hours} hours of training", "score": "Final score: {score}",
        "expires": "Valid until {date}", "issuer": "Issued by {issuer}", "code": "Verification code",
        "verify": "Verify at", "date": "%B %d, %Y",
    },
    "pt": {
        "title": "Certificado de Conclusão", "certifies": "Certificamos que", "completed": "concluiu o curso",
        "issued": "Emitido em {date}", "hours": "{hours} horas de formação", "score": "Nota final: {score}",
        "expires": "Válido até {date}", "issuer": "Emitido por {issuer}", "code": "Código de verificação",
        "verify": "Verifique em", "date": "%d/%m/%Y",
    },
}


@dataclass(frozen=True)
class CertificateContent:
    learner_name: str
    course_title: str
    language: str
    issuer_name: str
    issued_at: datetime
    hours_credited: Decimal
    code: str
    verify_url: str
    final_score: Decimal | None = None
    expires_at: datetime | None = None
    logo: bytes | None = None  # PNG, checked and redrawn when uploaded (lms/images.py)
    signature: bytes | None = None
    signer_name: str = ""
    signer_title: str = ""


# How each field fits its box (see text_layout.Fit): the name shrinks to 16 pt on one line, then wraps onto
# at most three lines at 22 to 16 pt, and only a name longer than that (about 200 Latin letters) ends in "…";
# the title and the issuer line wrap onto two lines.
NAME_FIT = Fit(largest=34, minimum=16, wrapped=22, max_lines=3)
TITLE_FIT = Fit(largest=24, minimum=14, wrapped=16, max_lines=2)
ISSUER_FIT = Fit(largest=13, minimum=10, wrapped=11, max_lines=2)
SIGNER_FIT = Fit(largest=11, minimum=8, wrapped=9, max_lines=1)
LEADING = 1.2
LOGO_BOX = (180, 44)  # points, centred at the top inside the border
LOGO_ROOM = 30  # points the text moves down when there is a logo
SIGNATURE_BOX = (160, 48)  # points, above the signer's line, bottom centre


@cache
def _register_fonts() -> tuple[str, str]:
    regular = text_layer_font()  # the regular labels share their font with the invisible text layer
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    return regular.fontName, "DejaVuSans-Bold"


def _draw_field(pdf: canvas.Canvas, block: Block, centre: float, top: float, largest: float) -> float:
    """Draw ``block`` below ``top``; returns its bottom, never above where one line at ``largest`` would end,
    so a shrunk single line leaves the rest of the page where it was."""
    first = top - 0.9 * block.size
    last = first - (len(block.lines) - 1) * LEADING * block.size
    draw_block(pdf, block, centre, first, LEADING)
    return min(last - 0.35 * block.size, top - 1.25 * largest)


def _labels(language: str) -> dict[str, str]:
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])


def _hours(value: Decimal) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path: each horizontal run of dark modules is one rectangle of it
    (a few dozen path operators instead of hundreds of separately filled squares)."""
    qr = segno.make(data, error="m", micro=False)
    border = 2
    matrix = list(qr.matrix)
    cell = size / (len(matrix) + 2 * border)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        bottom = y + size - (row_index + border + 1) * cell
        start = None
        for col_index, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                path.rect(x + (start + border) * cell, bottom, (col_index - start) * cell, cell)
                start = None
    pdf.setFillColor(INK)
    pdf.drawPath(path, stroke=0, fill=1)


def _details(content: CertificateContent, labels: dict[str, str]) -> str:
    details = [labels["issued"].format(date=content.issued_at.strftime(labels["date"])),
               labels["hours"].format(hours=_hours(content.hours_credited))]
    if content.final_score is not None:
        details.append(labels["score"].format(score=f"{content.final_score:.0f}"))
    if content.expires_at is not None:
        details.append(labels["expires"].format(date=content.expires_at.strftime(labels["date"])))
    return "  ·  ".join(details)


def _draw_texts(pdf: canvas.Canvas, content: CertificateContent, labels: dict[str, str], size: tuple[float, float],
                fonts: tuple[str, str]) -> None:
    """The centred column: title, the learner's name, the course, details and issuer, each below the last."""
    (width, height), (regular, bold) = size, fonts
    if content.logo:
        height -= LOGO_ROOM
    centre, text_width = width / 2, width - 160
    pdf.setFillColor(ACCENT)
    pdf.setFont(bold, 30)
    pdf.drawCentredString(centre, height - 110, labels["title"])
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 15)
    pdf.drawCentredString(centre, height - 160, labels["certifies"])
    pdf.setFillColor(INK)
    bottom = _draw_field(pdf, fit(content.learner_name, text_width, NAME_FIT, bold=True), centre, height - 180,
                         NAME_FIT.largest)
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 15)
    pdf.drawCentredString(centre, bottom - 27, labels["completed"])
    pdf.setFillColor(INK)
    bottom = _draw_field(pdf, fit(content.course_title, text_width, TITLE_FIT, bold=True), centre, bottom - 45,
                         TITLE_FIT.largest)
    pdf.setFont(regular, 13)
    pdf.setFillColor(MUTED)
    pdf.drawCentredString(centre, bottom - 37.5, _details(content, labels))
    # Narrower than the column: a wrapped issuer line must not reach the QR code in the corner.
    issuer = fit(labels["issuer"].format(issuer=content.issuer_name), ISSUER_WIDTH, ISSUER_FIT)
    _draw_field(pdf, issuer, centre, bottom - 50.8, ISSUER_FIT.largest)


def _draw_picture(pdf: canvas.Canvas, data: bytes, x: float, y: float, box: tuple[float, float],
                  anchor: str) -> None:
    """The picture scaled to fit ``box`` (its lower left corner at ``x``, ``y``), shape and transparency kept."""
    pdf.drawImage(ImageReader(io.BytesIO(data)), x, y, width=box[0], height=box[1], preserveAspectRatio=True,
                  anchor=anchor, mask="auto")


def _draw_signature(pdf: canvas.Canvas, content: CertificateContent, centre: float, regular: str) -> None:
    """The signature above a line, the signer's name and title below it; nothing of it without any of them."""
    if not (content.signature or content.signer_name or content.signer_title):
        return
    line_y, half = 100, SIGNATURE_BOX[0] / 2
    if content.signature:
        _draw_picture(pdf, content.signature, centre - half, line_y + 2, SIGNATURE_BOX, "s")
    pdf.setStrokeColor(MUTED)
    pdf.setLineWidth(0.6)
    pdf.line(centre - half, line_y, centre + half, line_y)
    pdf.setFillColor(INK)
    if content.signer_name:
        _draw_field(pdf, fit(content.signer_name, SIGNATURE_BOX[0] + 40, SIGNER_FIT, bold=True), centre, line_y - 3,
                    SIGNER_FIT.largest)
    if content.signer_title:
        pdf.setFillColor(MUTED)
        _draw_field(pdf, fit(content.signer_title, SIGNATURE_BOX[0] + 40, SIGNER_FIT), centre, line_y - 17,
                    SIGNER_FIT.largest)


def render_certificate_pdf(content: CertificateContent) -> bytes:
    regular, bold = _register_fonts()
    labels = _labels(content.language)
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=0, initialFontName=regular)
    pdf.setTitle(f"{labels['title']}: {content.course_title}")
    pdf.setAuthor(content.issuer_name)
    pdf.setSubject(content.code)

    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(0.8)
    pdf.rect(32, 32, width - 64, height - 64)
    if content.logo:
        _draw_picture(pdf, content.logo, (width - LOGO_BOX[0]) / 2, height - 46 - LOGO_BOX[1], LOGO_BOX, "n")
    _draw_texts(pdf, content, labels, (width, height), (regular, bold))
    _draw_signature(pdf, content, width / 2, regular)

    qr_size = 110
    _draw_qr(pdf, content.verify_url, width - 60 - qr_size, 56, qr_size)
    pdf.setFillColor(INK)
    pdf.setFont(regular, 10)
    pdf.drawString(64, 96, labels["code"])
    pdf.setFont(bold, 13)
    pdf.drawString(64, 78, content.code)
    pdf.setFont(regular, 9)
    pdf.setFillColor(MUTED)
    pdf.drawString(64, 60, f"{labels['verify']} {content.verify_url}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
