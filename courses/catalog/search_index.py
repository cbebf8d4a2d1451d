"""The catalog's full-text search index: one document per course, ranked, accent-insensitive.

A course's document holds five fields, from the strongest to the weakest: its title; its summary; its
tag names; its description; and its lesson text (activity titles, article bodies, video transcripts).
Every word of a search must appear somewhere in the document (in any form the course's language
reduces it to, or as the start of a word: "empat" finds "empathy"); results rank a title match above a
summary or tag match, above a description match, above a lesson-text match.

Two backends, chosen by the database:

- **PostgreSQL**: ``CourseSearchDocument.vector``, a ``tsvector`` with a GIN index. Each field is indexed
  twice, stemmed with the course language's text-search configuration (English, Portuguese, Spanish, …;
  ``simple`` for the others) and unstemmed (``simple``, for prefixes and names), after ``unaccent``, and
  weighted A (title), B (summary, tags), C (description), D (lesson text). A search word matches its
  English or Portuguese stem or a prefix; ``ts_rank`` orders the results.
- **SQLite** (the embedded default): an FTS5 table ``catalog_course_fts`` (rowid = course id) with the
  Porter stemmer over ``unicode61`` with diacritics removed; each word is searched as a prefix and
  ``bm25`` ranks with column weights 10, 4, 4, 2, 1. A row counts only while its course has a
  ``CourseSearchDocument`` row, so a document that the test database flushed never answers.

Only services write the index (``courses.catalog.services.course_search_refresh``); the selectors read
it through ``search_condition``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from courses.catalog.models import Course, CourseSearchDocument

MAX_SEARCH_WORDS = 8
MAX_WORD_LENGTH = 64
FTS_TABLE = "catalog_course_fts"
SQLITE_WEIGHTS = (10.0, 4.0, 4.0, 2.0, 1.0)  # title, summary, tags, description, lessons

# PostgreSQL text-search configurations by the course language's primary subtag.
TEXT_SEARCH_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish", "fr": "french",
    "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian", "nb": "norwegian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}
# A search is parsed with the stemmers of the catalog's main languages (and as prefixes).
QUERY_CONFIGS = ("english", "portuguese")


@dataclass(frozen=True)
class Document:
    title: str
    summary: str
    tags: str
    description: str
    lessons: str
    language: str


def text_search_config(language: str) -> str:
    return TEXT_SEARCH_CONFIGS.get(language.split("-")[0].lower(), "simple")


def search_words(text: str) -> list[str]:
    """The words of a search: runs of letters and digits, at most ``MAX_SEARCH_WORDS`` of them."""
    return [word[:MAX_WORD_LENGTH] for word in re.findall(r"\w+", text.lower())][:MAX_SEARCH_WORDS]


def _doc_table() -> str:
    return connection.ops.quote_name(CourseSearchDocument._meta.db_table)


def _course_id_column() -> str:
    return f"{connection.ops.quote_name(Course._meta.db_table)}.{connection.ops.quote_name('id')}"


# --- writing (called by the services only) ----------------------------------------------------

# SQL below is put together from constants and our own quoted table names only (hence the noqa marks);
# user text always travels as a parameter.
_PG_FIELD = ("setweight(to_tsvector(%s::regconfig, unaccent(%s)), '{w}') || "
             "setweight(to_tsvector('simple', unaccent(%s)), '{w}')")


def index_write(course_id: int, document: Document) -> None:
    """Insert or replace the course's document (the caller holds a transaction)."""
    if connection.vendor == "postgresql":
        _pg_write(course_id, document)
    else:
        _sqlite_write(course_id, document)


def _pg_write(course_id: int, document: Document) -> None:
    config = text_search_config(document.language)
    fields = [("A", document.title), ("B", document.summary), ("B", document.tags), ("C", document.description),
              ("D", document.lessons)]
    vector = " || ".join(_PG_FIELD.format(w=weight) for weight, _ in fields)
    params: list[object] = [course_id]
    for _, text in fields:
        params += [config, text, text]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_doc_table()} (course_id, vector, updated_at) VALUES (%s, {vector}, now()) "  # noqa: S608
            "ON CONFLICT (course_id) DO UPDATE SET vector = EXCLUDED.vector, updated_at = EXCLUDED.updated_at",
            params)


def _sqlite_write(course_id: int, document: Document) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [course_id])  # noqa: S608
        cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, summary, tags, description, lessons) "  # noqa: S608
                       "VALUES (%s, %s, %s, %s, %s, %s)",
                       [course_id, document.title, document.summary, document.tags, document.description,
                        document.lessons])
        cursor.execute(f"INSERT INTO {_doc_table()} (course_id, updated_at) VALUES (%s, datetime('now')) "  # noqa: S608
                       "ON CONFLICT (course_id) DO UPDATE SET updated_at = excluded.updated_at", [course_id])


def index_delete(course_id: int) -> None:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [course_id])  # noqa: S608
    CourseSearchDocument.objects.filter(course_id=course_id).delete()


# --- reading (the selectors) ------------------------------------------------------------------

def _pg_query(words: list[str]) -> tuple[str, list[str]]:
    """One tsquery: every word, each as its English or Portuguese stem or as a prefix."""
    parts, params = [], []
    for word in words:
        stems = " || ".join(f"plainto_tsquery('{config}', unaccent(%s))" for config in QUERY_CONFIGS)
        parts.append(f"({stems} || to_tsquery('simple', quote_literal(unaccent(%s)) || ':*'))")
        params += [word] * (len(QUERY_CONFIGS) + 1)
    return "(" + " && ".join(parts) + ")", params


def _sqlite_match(words: list[str]) -> str:
    """An FTS5 query: every word as a quoted prefix (quotes keep FTS5's operators out of user text)."""
    return " AND ".join(f'"{word}"*' for word in words)


def search_condition(text: str) -> tuple[Q, RawSQL] | None:
    """The filter that keeps matching courses and the expression of their rank (higher is better);
    None when the text holds no word."""
    words = search_words(text)
    if not words:
        return None
    course_id = _course_id_column()
    if connection.vendor == "postgresql":
        query, params = _pg_query(words)
        matches = RawSQL(f"SELECT course_id FROM {_doc_table()} WHERE vector @@ {query}", params)  # noqa: S608,S611
        rank = RawSQL(  # noqa: S611
            f"(SELECT ts_rank(vector, {query}) FROM {_doc_table()} WHERE course_id = {course_id})",  # noqa: S608
            params)
        return Q(pk__in=matches), rank
    match = _sqlite_match(words)
    weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
    matches = RawSQL(  # noqa: S611
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
        f"AND rowid IN (SELECT course_id FROM {_doc_table()})", [match])
    rank = RawSQL(  # noqa: S611
        f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
        f"AND rowid = {course_id})", [match])
    return Q(pk__in=matches), rank
