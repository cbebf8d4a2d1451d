"""Turning user text (names, course titles, issuers) into positioned glyphs for the certificate PDF.

One line of text goes through four steps:

1. bidi: python-bidi's implementation of the Unicode bidirectional algorithm gives every character an
   embedding level, the paragraph direction coming from the first strong letter (a Hebrew-first name
   reads right to left, with any Latin part on its left);
2. itemising: each character gets its script (fontTools' Unicode data), marks, spaces and punctuation
   joining the script around them, and then the first font that covers it among those meant for that
   script (``font_faces``); characters of equal level, script and font make one run;
3. shaping: HarfBuzz shapes every run in its direction with the whole line as context (joining Arabic
   letters, Indic conjuncts and vowel signs, Thai marks, combining accents);
4. ordering: runs are placed left to right by the bidi reordering rule (higher levels reversed).

Positions are kept in ems, so one shaping serves every font size. ``fit`` picks the size and the line
breaks for a box; ``pdf_glyphs`` draws the result.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import uharfbuzz as hb
from bidi import algorithm as bidi_algorithm
from fontTools import unicodedata as font_unicodedata

from courses.certificates.font_faces import Face, candidates, font_dirs

NEUTRAL_SCRIPTS = {"Zyyy", "Zinh", "Zzzz"}
CJK_SCRIPTS = {"Hani", "Hira", "Kana", "Bopo"}
ELLIPSIS = "…"


@dataclass(frozen=True)
class PlacedGlyph:
    face: Face
    gid: int
    x: float  # ems from the line's left edge
    y: float  # ems above the baseline


@dataclass(frozen=True)
class Line:
    text: str  # logical order, as typed
    glyphs: tuple[PlacedGlyph, ...]
    width: float  # ems
    rtl: bool  # paragraph direction

    @property
    def missing(self) -> int:
        """Glyphs no font had (drawn as the font's missing-glyph box)."""
        return sum(1 for glyph in self.glyphs if glyph.gid == 0)


@dataclass(frozen=True)
class Block:
    """Text fitted into a box: its font size (points) and lines."""
    size: float
    lines: tuple[Line, ...]
    cut_text: str = ""  # when the last line ends in an ellipsis: all the text it stands for


@dataclass(frozen=True)
class Fit:
    """How a field fits its box: shrink one line down to ``minimum``, then wrap at sizes from ``wrapped``
    down to ``minimum`` into at most ``max_lines`` lines, and only then cut the last line with an ellipsis."""
    largest: float
    minimum: float
    wrapped: float
    max_lines: int


def levels(text: str) -> tuple[list[int], bool]:
    """Each character's bidi embedding level, and whether the paragraph is right to left."""
    base = bidi_algorithm.get_base_level(text)
    storage = bidi_algorithm.get_empty_storage()
    storage["base_level"], storage["base_dir"] = base, ("L", "R")[base]
    bidi_algorithm.get_embedding_levels(text, storage)
    chars = list(storage["chars"])  # kept: the next step drops formatting characters from storage
    bidi_algorithm.explicit_embed_and_overrides(storage, False)
    bidi_algorithm.resolve_weak_types(storage, False)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    kept = {id(char) for char in storage["chars"]}
    result, previous = [], base
    for char in chars:  # a dropped character (joiner, embedding mark) takes its neighbour's level
        previous = char["level"] if id(char) in kept else previous
        result.append(previous)
    return result, bool(base)


def _scripts(text: str) -> list[str]:
    """Each character's script, characters common to many scripts taking the one around them."""
    scripts = [font_unicodedata.script(char) for char in text]
    first = next((script for script in scripts if script not in NEUTRAL_SCRIPTS), "Latn")
    current = first
    for index, script in enumerate(scripts):
        if script in NEUTRAL_SCRIPTS:
            scripts[index] = current
        else:
            current = script
    return scripts


def _han_family(text: str) -> str:
    """Chinese characters in a name with kana are Japanese, with hangul Korean, else Simplified Chinese."""
    scripts = {font_unicodedata.script(char) for char in text}
    if scripts & {"Hira", "Kana"}:
        return "cjk-jp"
    return "cjk-kr" if "Hang" in scripts else "cjk-sc"


def _follows_previous(char: str) -> bool:
    return unicodedata.category(char)[0] in "MZC" or char.isspace()


def _faces(text: str, scripts: list[str], bold: bool) -> list[Face]:
    han = _han_family(text)
    chosen: list[Face] = []
    for char, script in zip(text, scripts, strict=True):
        options = candidates(script, bold, han)
        if chosen and _follows_previous(char) and (chosen[-1].covers(char) or unicodedata.category(char) == "Cf"):
            chosen.append(chosen[-1])  # a mark, space or joiner stays in its base letter's font
            continue
        covering = next((option for option in options if option.covers(char)), None)
        chosen.append(covering or (chosen[-1] if chosen else options[0]))
    return chosen


@dataclass(frozen=True)
class _Run:
    start: int
    end: int
    level: int
    script: str
    face: Face


def _runs(text: str, bold: bool) -> tuple[list[_Run], bool]:
    char_levels, rtl = levels(text)
    scripts = _scripts(text)
    faces = _faces(text, scripts, bold)
    runs: list[_Run] = []
    for index in range(len(text)):
        key = (char_levels[index], scripts[index], faces[index])
        if runs and (runs[-1].level, runs[-1].script, runs[-1].face) == key:
            runs[-1] = _Run(runs[-1].start, index + 1, *key)
        else:
            runs.append(_Run(index, index + 1, *key))
    return runs, rtl


def _visual_order(runs: list[_Run]) -> list[_Run]:
    """Runs left to right: from the highest level down to the lowest odd one, reverse each stretch at or above it."""
    ordered = list(runs)
    if not ordered:
        return ordered
    highest = max(run.level for run in ordered)
    lowest_odd = min((run.level for run in ordered if run.level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(ordered):
            if ordered[index].level >= level:
                end = index
                while end < len(ordered) and ordered[end].level >= level:
                    end += 1
                ordered[index:end] = reversed(ordered[index:end])
                index = end
            else:
                index += 1
    return ordered


def _shape_run(codepoints: list[int], run: _Run) -> hb.Buffer:
    buffer = hb.Buffer()
    buffer.add_codepoints(codepoints, run.start, run.end - run.start)
    buffer.direction = "rtl" if run.level % 2 else "ltr"
    buffer.script = run.script
    buffer.guess_segment_properties()
    hb.shape(run.face.font, buffer, {})
    return buffer


@lru_cache(maxsize=2048)
def _shape(text: str, bold: bool, dirs: object) -> Line:
    runs, rtl = _runs(text, bold)
    codepoints = [ord(char) for char in text]
    glyphs: list[PlacedGlyph] = []
    pen = 0.0  # ems
    for run in _visual_order(runs):
        buffer = _shape_run(codepoints, run)
        em = float(run.face.upem)
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            glyphs.append(PlacedGlyph(run.face, info.codepoint, pen + position.x_offset / em, position.y_offset / em))
            pen += position.x_advance / em
    return Line(text=text, glyphs=tuple(glyphs), width=pen, rtl=rtl)


def shape(text: str, bold: bool = False) -> Line:
    """One line of ``text`` shaped and ordered for drawing (cached per text, weight and font folders)."""
    return _shape(text, bold, font_dirs())


def _clusters(word: str) -> list[str]:
    """``word`` cut where a line may break inside it as a last resort: never before a mark or joiner, nor after
    a virama (which binds the next consonant into a conjunct)."""
    pieces: list[str] = []
    for char in word:
        glued = pieces and (unicodedata.category(char)[0] == "M" or char in "\u200c\u200d"
                            or unicodedata.combining(pieces[-1][-1]) == 9 or pieces[-1][-1] in "\u200c\u200d")
        if glued:
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _pieces(text: str, width: float, bold: bool) -> list[str]:
    """Unbreakable pieces, each ending in its trailing space: words, single Chinese or Japanese characters,
    and the clusters of a word too wide for a line on its own."""
    pieces: list[str] = []
    for word in text.split(" "):
        if not word:
            if pieces:
                pieces[-1] += " "
            continue
        if any(font_unicodedata.script(char) in CJK_SCRIPTS for char in word) or shape(word, bold).width > width:
            pieces.extend(_clusters(word))
        else:
            pieces.append(word)
        pieces[-1] += " "
    if pieces:
        pieces[-1] = pieces[-1][:-1]
    return pieces


def wrap(text: str, width: float, bold: bool = False) -> list[Line]:
    """``text`` broken greedily into lines no wider than ``width`` ems (a piece wider than that stands alone)."""
    lines: list[str] = []
    current = ""
    for piece in _pieces(text, width, bold):
        candidate = current + piece
        if current and shape(candidate.strip(), bold).width > width:
            lines.append(current.strip())
            current = piece
        else:
            current = candidate
    if current.strip():
        lines.append(current.strip())
    return [shape(line, bold) for line in lines]


def _ellipsize(text: str, width: float, bold: bool) -> Line:
    """The longest start of ``text`` that fits ``width`` ems with an ellipsis after it."""
    clusters = _clusters(text)
    low, high = 0, len(clusters)
    while low < high:  # binary search on the number of clusters kept
        middle = (low + high + 1) // 2
        if shape("".join(clusters[:middle]).rstrip() + ELLIPSIS, bold).width <= width:
            low = middle
        else:
            high = middle - 1
    return shape("".join(clusters[:low]).rstrip() + ELLIPSIS, bold)


def fit(text: str, width: float, policy: Fit, bold: bool = False) -> Block:
    """``text`` sized and broken to fit ``width`` points by ``policy`` (see ``Fit``)."""
    text = " ".join(text.split())
    line = shape(text, bold)
    size = policy.largest
    while size > policy.minimum and line.width * size > width:
        size -= 1
    if line.width * size <= width:
        return Block(size, (line,))
    size = min(policy.wrapped, policy.largest)
    while size > policy.minimum and line.width * size > width * policy.max_lines:
        size -= 1  # too long for max_lines even if every line were full: no need to try
    lines = wrap(text, width / size, bold)
    while len(lines) > policy.max_lines and size > policy.minimum:
        size = max(size - 1, policy.minimum)
        lines = wrap(text, width / size, bold)
    if len(lines) <= policy.max_lines:
        return Block(size, tuple(lines))
    kept = lines[:policy.max_lines - 1]
    rest = text[_offset_after(text, kept):].strip()
    return Block(size, (*kept, _ellipsize(rest, width / size, bold)), cut_text=rest)


def _offset_after(text: str, lines: list[Line]) -> int:
    """Where in ``text`` the words after ``lines`` start (lines drop the spaces they were broken at)."""
    offset = 0
    for line in lines:
        offset = text.index(line.text, offset) + len(line.text)
    return offset
