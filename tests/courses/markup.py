"""Checks on rendered HTML, as a browser would parse it."""
from __future__ import annotations

from html.parser import HTMLParser

MALICIOUS = (
    "Hello <script>alert(1)</script> there.\n\n"
    '<img src=x onerror="alert(2)">\n\n'
    "[x](javascript:alert(1)) and [y](JAVASCRIPT:alert(3)) and [ok](https://example.com/a)\n\n"
    '<a href="javascript:alert(4)">raw link</a>\n\n'
    "![pic](javascript:alert(5))\n"
)


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would build the DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def parsed(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_safe(html: str) -> None:
    tags = parsed(html)
    assert not [tag for tag, _ in tags if tag in {"script", "iframe", "object", "embed", "style"}], html
    for tag, attrs in tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            assert not attrs.get(name, "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), attrs
