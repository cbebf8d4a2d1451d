"""The certificate PDF: A4 landscape, DejaVu Sans (wide script coverage), a vector QR code.

Labels follow the course's language (English and Brazilian Portuguese today). Rendering is a
pure function of the certificate's frozen fields, so a reissue with the same data gives the same
document apart from its timestamp.
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
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

# Bump when the layout changes: the reconciler re-renders certificates below this version.
TEMPLATE_VERSION = 1
FONT_DIR = Path(__file__).resolve().parent / "fonts"
INK = HexColor("#1f2a44")
ACCENT = HexColor("#2f7d6d")
MUTED = HexColor("#5b6475")

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


# Characters DejaVu lacks (Chinese, Japanese, Korean) fall back to Adobe's standard CID fonts,
# which PDF readers supply, so a name in any of these scripts still prints.
CJK_FALLBACK = "STSong-Light"
HANGUL_FALLBACK = "HYSMyeongJo-Medium"


@cache
def _register_fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FALLBACK))
    pdfmetrics.registerFont(UnicodeCIDFont(HANGUL_FALLBACK))
    return "DejaVuSans", "DejaVuSans-Bold"


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split ``text`` into (font, text) runs, using a fallback for characters ``font`` lacks."""
    covered = pdfmetrics.getFont(font).face.charWidths
    runs: list[tuple[str, str]] = []
    for char in text:
        if ord(char) in covered or char.isspace():
            name = font
        elif 0xAC00 <= ord(char) <= 0xD7AF or 0x1100 <= ord(char) <= 0x11FF:
            name = HANGUL_FALLBACK
        else:
            name = CJK_FALLBACK
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + char)
        else:
            runs.append((name, char))
    return runs


def _width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(part, name, size) for name, part in _runs(text, font))


def _draw_centred(pdf: canvas.Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    cursor = x - _width(text, font, size) / 2
    for name, part in _runs(text, font):
        pdf.setFont(name, size)
        pdf.drawString(cursor, y, part)
        cursor += pdfmetrics.stringWidth(part, name, size)


def _labels(language: str) -> dict[str, str]:
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])


def _fit(text: str, font: str, size: float, width: float, minimum: float = 12) -> float:
    """The largest font size not above ``size`` at which ``text`` fits ``width``."""
    while size > minimum and _width(text, font, size) > width:
        size -= 1
    return size


def _hours(value: Decimal) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    border = 2
    cells = len(matrix) + 2 * border
    cell = size / cells
    pdf.setFillColor(INK)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(x + (col_index + border) * cell, y + size - (row_index + border + 1) * cell, cell, cell,
                         stroke=0, fill=1)


def render_certificate_pdf(content: CertificateContent) -> bytes:
    regular, bold = _register_fonts()
    labels = _labels(content.language)
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=0)
    pdf.setTitle(f"{labels['title']}: {content.course_title}")
    pdf.setAuthor(content.issuer_name)
    pdf.setSubject(content.code)

    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(0.8)
    pdf.rect(32, 32, width - 64, height - 64)

    centre = width / 2
    text_width = width - 160
    pdf.setFillColor(ACCENT)
    pdf.setFont(bold, 30)
    pdf.drawCentredString(centre, height - 110, labels["title"])
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 15)
    pdf.drawCentredString(centre, height - 160, labels["certifies"])
    pdf.setFillColor(INK)
    name_size = _fit(content.learner_name, bold, 34, text_width)
    _draw_centred(pdf, centre, height - 210, content.learner_name, bold, name_size)
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 15)
    pdf.drawCentredString(centre, height - 250, labels["completed"])
    pdf.setFillColor(INK)
    title_size = _fit(content.course_title, bold, 24, text_width)
    _draw_centred(pdf, centre, height - 290, content.course_title, bold, title_size)

    details = [labels["issued"].format(date=content.issued_at.strftime(labels["date"])),
               labels["hours"].format(hours=_hours(content.hours_credited))]
    if content.final_score is not None:
        details.append(labels["score"].format(score=f"{content.final_score:.0f}"))
    if content.expires_at is not None:
        details.append(labels["expires"].format(date=content.expires_at.strftime(labels["date"])))
    pdf.setFont(regular, 13)
    pdf.setFillColor(MUTED)
    pdf.drawCentredString(centre, height - 335, "  ·  ".join(details))
    _draw_centred(pdf, centre, height - 360, labels["issuer"].format(issuer=content.issuer_name), regular, 13)

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
