"""Drawing shaped text (``text_layout``) on a reportlab canvas.

Reportlab's text API draws characters, not the glyphs HarfBuzz chose (ligatures, conjuncts, joined Arabic
forms, positioned marks), so each glyph is drawn as its vector outline, taken from the font by HarfBuzz:
the document needs no font for it, so nothing can be missing or substituted on the reader's machine.
Outlines are not text, so every line also gets an invisible text layer (render mode 3) in DejaVu Sans
(the subset the page's regular labels embed), stretched over the line: copy, search and screen readers get
the words. That layer is written in visual order, the order of the glyphs, as PDF text is; readers put
right-to-left words back.
"""
from __future__ import annotations

from functools import cache, lru_cache

from bidi import get_display
from fontTools.pens.basePen import BasePen
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from courses.certificates.font_faces import BUNDLED_DIR, Face
from courses.certificates.text_layout import Block, Line

TEXT_LAYER_FONT = "DejaVuSans"  # also the page's regular font: one embedded subset carries labels and layer


@cache
def text_layer_font() -> TTFont:
    """DejaVu Sans, registered once: the page's regular labels are drawn in it and it carries the invisible
    layer, so the document embeds one subset for both (a font of the layer's own cost a third subset, about
    a tenth of the time spent drawing a certificate). Characters it lacks are mapped to its missing glyph
    (``_cover``), so they still get a code in the embedded subset and a Unicode value in its ToUnicode map
    (reportlab would write them all as code 0, which reads back as nothing); the labels have none."""
    font = TTFont(TEXT_LAYER_FONT, str(BUNDLED_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(font)
    return font


def _cover(text: str) -> None:
    glyphs = text_layer_font().face.charToGlyph
    for char in text:
        glyphs.setdefault(ord(char), 0)


class _PathPen(BasePen):
    """Receives a glyph outline (in font units) and builds a PDF path; quadratic curves become cubic ones."""

    def __init__(self) -> None:
        super().__init__(glyphSet=None)
        self.path = PDFPathObject()
        self.empty = True

    def _moveTo(self, point):
        self.path.moveTo(*point)
        self.empty = False

    def _lineTo(self, point):
        self.path.lineTo(*point)

    def _curveToOne(self, first, second, end):
        self.path.curveTo(*first, *second, *end)

    def _closePath(self):
        self.path.close()

    def _endPath(self):
        pass


@lru_cache(maxsize=8192)
def _outline(face: Face, gid: int) -> str | None:
    """The glyph's outline in font units as PDF operators, filled by the non-zero rule; None for a blank."""
    pen = _PathPen()
    face.font.draw_glyph_with_pen(gid, pen)
    return None if pen.empty else f"{pen.path.getCode()}\nf"


def draw_line(pdf: Canvas, line: Line, left: float, baseline: float, size: float, text: str | None = None) -> None:
    """Draw ``line`` at ``size`` points from ``left``; the text layer says ``text`` (default: the line's own).

    Each glyph is its kept outline under its own scale and offset, in the current fill colour: the operators
    ``saveState``, ``transform``, ``drawPath`` and ``restoreState`` would write, written in one go (those calls
    also keep a Python copy of the graphics state per glyph, which nothing here reads)."""
    drawn = []
    for glyph in line.glyphs:
        outline = _outline(glyph.face, glyph.gid)
        if outline is None:
            continue
        scale = size / glyph.face.upem
        drawn.append(f"q\n{fp_str(scale, 0, 0, scale, left + glyph.x * size, baseline + glyph.y * size)} cm\n"
                     f"{outline}\nQ")
    if drawn:
        pdf.addLiteral("\n".join(drawn))
    _text_layer(pdf, text if text is not None else line.text, line, left, baseline, size)


def _text_layer(pdf: Canvas, text: str, line: Line, left: float, baseline: float, size: float) -> None:
    if not text:
        return
    visual = get_display(text, base_dir="R" if line.rtl else "L")
    _cover(visual)
    natural = pdfmetrics.stringWidth(visual, TEXT_LAYER_FONT, size)
    pdf.saveState()  # the text render mode is graphics state: the labels drawn after this must stay visible
    layer = pdf.beginText(left, baseline)
    layer.setTextRenderMode(3)  # neither filled nor stroked: found by copy and search, never seen
    layer.setFont(TEXT_LAYER_FONT, size)
    if natural > 0 and line.width > 0:
        layer.setHorizScale(100 * line.width * size / natural)
    layer.textOut(visual)
    pdf.drawText(layer)
    pdf.restoreState()


def draw_block(pdf: Canvas, block: Block, centre: float, first_baseline: float, leading: float = 1.2) -> None:
    """Each line of ``block`` centred on ``centre``, ``leading`` times the size apart."""
    for index, line in enumerate(block.lines):
        last = index == len(block.lines) - 1
        text = block.cut_text if last and block.cut_text else None
        left = centre - line.width * block.size / 2
        draw_line(pdf, line, left, first_baseline - index * leading * block.size, block.size, text)
