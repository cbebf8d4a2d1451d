"""Request parsers of the API."""
from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError

from lms.error_codes import PlatformErrorCode
from lms.text import find_unstorable


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with two refusals for documents no database can take as text:

    - JSON nested deeper than Python can recurse (a 400) (``[[[[...]]]]`` a hundred thousand times, in a
      body well under the size limit) is a parse error instead of a crash;
    - a NUL character or an unpaired surrogate anywhere (keys included) is refused (a 422, code
      ``unstorable_text`` in ``error.fields``: the JSON is well formed) with the path of
      the value, so free-form JSON fields cannot carry them to PostgreSQL (which rejects both) or
      to SQLite (which would keep a NUL that no export or page expects).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        found = find_unstorable(data)  # paired surrogates (emoji as two escapes) decode to one character
        if found:
            path, message = found
            raise ValidationError({path: [ErrorDetail(message, code=PlatformErrorCode.UNSTORABLE_TEXT)]})
        return data
