"""The generated cover of a course without a picture: an SVG drawn from its slug, title and category.

Colours and shapes come from a SHA-256 of the slug, so every course gets its own cover and keeps it
(the slug does not change once courses are shared). Every colour drawn is dark enough (relative luminance
at most ``MAX_LUMINANCE``) that white text on any mix of them keeps a contrast ratio of at least 7:1. The
cover is decorative: the course's title is printed next to it, so pages give it ``alt=""``. The text inside
is escaped; the SVG holds no script, link or external reference and is served with a policy that forbids
them anyway.
"""
from __future__ import annotations

import colorsys
import hashlib
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 960, 540
REVISION = 2  # raise when the drawing changes, so browsers fetch the new covers
MAX_LUMINANCE = 0.10  # white on it: (1.05) / (0.10 + 0.05) = 7:1


def luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` as WCAG defines it."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _colour(hue: float, lightness: float, saturation: float) -> str:
    """The colour of that hue and saturation at ``lightness``, darkened until white text reads on it."""
    while True:
        red, green, blue = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
        colour = f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"
        if luminance(colour) <= MAX_LUMINANCE:
            return colour
        lightness -= 0.02


def _initials(title: str) -> str:
    words = [word for word in title.split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "·"


def _shapes(digest: bytes, hue: float) -> list[str]:
    """Five translucent circles and a band, placed and sized by the digest's bytes (blending colours that
    are each dark enough keeps the mix dark enough: sRGB decoding is convex)."""
    shapes = []
    for index in range(5):
        x = digest[4 + index] * WIDTH // 255
        y = digest[9 + index] * HEIGHT // 255
        radius = 60 + digest[14 + index] * 220 // 255
        fill = _colour(hue + (0.08 if index % 2 else -0.08), 0.45, 0.6)
        opacity = 0.35 + (digest[19 + index] % 5) * 0.1
        shapes.append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{fill}" fill-opacity="{opacity:.2f}"/>')
    tilt = digest[24] % 50 - 25
    shapes.append(f'<rect x="-200" y="{300 + digest[25] % 120}" width="1400" height="{40 + digest[26] % 60}" '
                  f'fill="{_colour(hue + 0.5, 0.4, 0.5)}" fill-opacity="0.5" transform="rotate({tilt} 480 270)"/>')
    return shapes


def cover_svg(*, slug: str, title: str, category: str = "") -> str:
    """The SVG document of the course's generated cover (see the module docstring)."""
    digest = hashlib.sha256(slug.encode()).digest()
    hue = digest[0] / 256
    start = _colour(hue, 0.22 + digest[1] % 8 / 100, 0.55)
    end = _colour(hue + 0.12 + digest[2] % 10 / 100, 0.30, 0.60)
    label = category.upper().strip()
    label = escape(label if len(label) <= 24 else label[:23].rstrip() + "…")  # fits the width at this size
    category_text = (f'<text x="56" y="110" fill="#ffffff" font-size="52" font-weight="700" letter-spacing="4" '
                     f'font-family="system-ui, sans-serif">{label}</text>') if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{start}"/><stop offset="1" stop-color="{end}"/></linearGradient></defs>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#g)"/>'
        f'{"".join(_shapes(digest, hue))}'
        f'{category_text}'
        f'<text x="56" y="{HEIGHT - 64}" fill="#ffffff" font-size="180" font-weight="700" '
        f'font-family="system-ui, sans-serif">{escape(_initials(title))}</text>'
        f'</svg>'
    )
