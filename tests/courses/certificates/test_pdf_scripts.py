"""Names, titles and issuers in many scripts print correctly on the certificate (issue 17, item 8).

Checked as pixels, not only as extracted text: each field is rasterised from the PDF and compared with
Chromium's rendering of the same string in the same fonts (glyph_oracle.py), every font must be embedded
(poppler's pdffonts), and long names must stay inside the page's frame.
"""
from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from courses.certificates import text_layout
from tests.courses.certificates import glyph_oracle as oracle
from tests.courses.certificates.conftest import pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdffonts") or not shutil.which(oracle.CHROMIUM),
                                reason="needs poppler-utils and chromium (.ci/apt-packages.txt)")

S = oracle.Sample
SAMPLES = {
    "arabic": S("محمد عبد الرحمن"),
    "hebrew": S("יעל כהן-לוי"),
    "devanagari": S("श्रीनिवास रामानुजन्"),
    "bengali": S("রবীন্দ্রনাথ ঠাকুর"),
    "tamil": S("சுப்பிரமணிய பாரதி"),
    "thai": S("สมชาย ใจดี"),
    "chinese": S("王秀英"),
    "japanese": S("山田 はなこ", cjk="JP"),
    "korean": S("김민준", cjk="KR"),
    "greek": S("Αλέξανδρος Παπαδόπουλος"),
    "cyrillic": S("Юлия Ёлкина-Щербакова"),
    "latin-combining": S("Nguye\u0302\u0303n Thi\u0323 A\u0301nh"),
    "hebrew-then-latin": S("דוד Smith"),
    "latin-then-arabic": S("Layla ليلى حسن"),
    "thai-course-title": S("การฟังอย่างเข้าใจ", field="course_title"),
    "arabic-issuer": S("شركة الأمل", field="issuer_name"),
    "hindi-issuer": S("सहायता केंद्र", field="issuer_name"),
}
LONG_NAMES = {
    "latin": " ".join(["Maximiliana Wolfeschlegelsteinhausen"] * 6)[:200],
    "arabic": " ".join(["عبد الرحمن بن محمد"] * 12)[:200],
    "chinese": "王秀英张伟李娜刘洋陈静杨敏赵磊黄丽周强吴芳" * 10,
    "unbroken": "X" * 200,
}


@pytest.fixture(scope="module")
def references() -> dict[str, np.ndarray]:
    keys = list(SAMPLES)
    return dict(zip(keys, oracle.reference_inks([SAMPLES[key] for key in keys]), strict=True))


@pytest.mark.parametrize("key", list(SAMPLES))
def test_field_looks_like_an_independent_rendering(key, references):
    drawn, reference = oracle.field_ink(SAMPLES[key]), references[key]
    ratio = oracle.aspect(drawn) / oracle.aspect(reference)
    assert 0.9 < ratio < 1.1, f"{key}: ink is {ratio:.2f} times as wide (for its height) as the reference"
    score = oracle.similarity(drawn, reference)
    print(f"{key}: aspect ratio {ratio:.3f}, correlation {score:.3f}")
    assert score > 0.8, f"{key}: the drawn text looks unlike the reference (correlation {score:.2f})"


@pytest.mark.parametrize("key", ["hebrew-then-latin", "latin-then-arabic"])
def test_mixed_direction_names_are_ordered_by_their_first_strong_letter(key, references):
    """A Hebrew-first name reads right to left (the Latin part on the left); a Latin-first one the other way."""
    sample = SAMPLES[key]
    wrong = "ltr" if key.startswith("hebrew") else "rtl"
    [flipped] = oracle.reference_inks([oracle.Sample(sample.text, direction=wrong)])
    drawn = oracle.field_ink(sample)
    right_score = oracle.similarity(drawn, references[key])
    wrong_score = oracle.similarity(drawn, flipped)
    assert right_score > wrong_score + 0.1, (right_score, wrong_score)


@pytest.mark.parametrize("key", list(SAMPLES))
def test_every_font_is_embedded(key):
    sample = SAMPLES[key]
    fonts = oracle.pdffonts(oracle.certificate(**{sample.field: sample.text}))
    assert fonts
    assert [font["name"] for font in fonts if font["emb"] != "yes"] == []


@pytest.mark.parametrize("key", list(SAMPLES))
def test_text_is_still_extractable(key):
    sample = SAMPLES[key]
    text = pdf_text(oracle.certificate(**{sample.field: sample.text}))
    # Word by word: a reader cannot tell a mixed line's direction from the text alone, so the words of
    # "דוד Smith" may come back in either order; each word must come back whole and in its own order.
    assert [word for word in sample.text.split() if word not in text] == []


def _ink_outside_frame(page: np.ndarray, scale: float) -> list[str]:
    """Ink in the bands between the inner border (32 pt from the edge) and the text margin."""
    height, width = page.shape
    inner, margin = int(36 * scale), int(52 * scale)
    bands = {"left": page[inner:height - inner, inner:margin],
             "right": page[inner:height - inner, width - margin:width - inner],
             "top": page[inner:margin, inner:width - inner],
             "bottom": page[height - margin:height - inner, inner:width - inner]}
    return [side for side, band in bands.items() if (band < oracle.INK_LEVEL).any()]


@pytest.mark.parametrize("key", list(LONG_NAMES))
def test_long_names_stay_inside_the_frame(key):
    name = LONG_NAMES[key]
    pdf = oracle.certificate(learner_name=name, course_title=" ".join(["Listening"] * 30),
                             issuer_name=" ".join(["Longname Holdings"] * 10))
    page = oracle.render_page(pdf, scale=2)
    assert _ink_outside_frame(page, 2) == []
    codes = zxingcpp.read_barcodes(Image.fromarray(page))
    assert [code.text for code in codes] == [oracle.BASE.verify_url], "the text ran over the QR code"
    assert name[:20] in pdf_text(pdf).replace("\n", " ")
    assert len(pdf) < 400_000


def test_a_long_name_is_drawn_on_more_than_one_line():
    name = LONG_NAMES["latin"]
    filled = oracle.render_page(oracle.certificate(learner_name=name), scale=2)
    empty = oracle.render_page(oracle.certificate(learner_name=""), scale=2)
    rows = np.nonzero((np.abs(filled.astype(int) - empty.astype(int)) > 40).any(axis=1))[0]
    height = (rows.max() - rows.min()) / 2  # points
    assert height > 40, "a 200-character name should wrap onto several lines, not shrink to a thread"


def test_a_cjk_name_keeps_the_pdf_small():
    assert len(oracle.certificate(learner_name="王秀英", course_title="倾听优先 服务台的同理心")) < 400_000


@pytest.mark.parametrize("key", [key for key, sample in SAMPLES.items() if sample.field == "learner_name"])
def test_every_character_has_a_glyph(key):
    """HarfBuzz finds a real glyph (not the missing-glyph box, id 0) for every character of every sample."""
    line = text_layout.shape(SAMPLES[key].text, bold=True)
    assert line.glyphs and line.missing == 0


def test_a_missing_font_is_logged_and_the_certificate_still_renders(settings, tmp_path, caplog):
    settings.CERTIFICATE_FONT_DIRS = [str(tmp_path)]  # nothing there: only the bundled DejaVu is found
    with caplog.at_level(logging.ERROR, logger="courses.certificates.font_faces"):
        pdf = oracle.certificate(learner_name="王秀英")
    assert "NotoSansCJK-Bold.ttc is missing" in caplog.text
    assert pdf_text(pdf).count("王秀英") == 1
    assert [font["name"] for font in oracle.pdffonts(pdf) if font["emb"] != "yes"] == []


def test_the_labels_after_a_name_stay_visible():
    """The name's invisible text layer must not make the labels drawn after it invisible too."""
    page = oracle.render_page(oracle.certificate(learner_name="محمد عبد الرحمن"), scale=2)
    height = page.shape[0] / 2

    def ink(left: float, right: float, bottom: float, top: float) -> bool:  # a box in PDF points
        box = page[int((height - top) * 2):int((height - bottom) * 2), int(left * 2):int(right * 2)]
        return bool((box < oracle.INK_LEVEL).any())

    assert ink(320, 520, 342, 358), "'has completed the course' is not visible"
    assert ink(250, 590, 257, 272), "the date and hours line is not visible"
    assert ink(64, 170, 94, 106), "'Verification code' is not visible"
    assert ink(64, 300, 58, 68), "the verify URL is not visible"
