"""URL converters. ``<id:...>`` accepts at most 18 digits, so an id too large for a 64-bit column is a
404 at routing instead of a database overflow error."""
from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
