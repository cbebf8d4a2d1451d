"""The archive of a person's data export: given the rows, files and sections, writes the ZIP.

A builder, pure of the database: the service (services/export.py) reads the registry and hands over
iterables, consumed in this order, so nothing is held in memory whole:

1. every ``Domain``'s rows, streamed into ``<domain>.json`` one row at a time;
2. every ``ExportFile`` (the service may fill this list while the rows stream), copied in chunks under
   ``files/<label>/<id>/<name>``;
3. every section's answer as ``<name>.json``;
4. the index: ``index.html`` (plain, self-contained) and ``README.txt``, saying what each file holds, why it
   is kept and for how long.
"""
from __future__ import annotations

import base64
import datetime
import decimal
import json
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from django.template.loader import render_to_string

_CHUNK = 64 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def json_safe(value: Any) -> Any:
    """``value`` as JSON can hold it: dates and times in ISO 8601, decimals and UUIDs as text, durations in
    seconds, bytes in base64; lists and mappings element by element."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(item) for item in value]
    return str(value)


def safe_name(name: str) -> str:
    """A file name that stays inside its folder of the archive (no separators, no dot-dot)."""
    cleaned = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return cleaned or "file"


@dataclass(frozen=True)
class DomainModel:
    """What the index says of one declared model whose rows a domain file holds."""

    label: str
    purpose: str
    retention: str  # a retention data class, or "account"
    retention_days: int | None  # the class's days; None for "account"
    paths: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]  # (field, what it holds)


@dataclass
class Domain:
    name: str  # "courses.enrollments": the file is courses.enrollments.json
    models: list[DomainModel]
    rows: Iterable[dict[str, Any]]

    @property
    def filename(self) -> str:
        return f"{safe_name(self.name)}.json"


@dataclass(frozen=True)
class ExportFile:
    arcname: str  # files/<label>/<id>/<name>
    open: Callable[[], IO[bytes]]  # opens the stored file for reading


@dataclass
class Archive:
    """Everything one export holds; ``heading`` and ``made_at`` only appear in the index."""

    heading: str
    made_at: datetime.datetime
    domains: list[Domain]
    files: Iterable[ExportFile]
    sections: Mapping[str, Callable[[], Any]]


def _write_rows(archive: zipfile.ZipFile, domain: Domain) -> int:
    count = 0
    with archive.open(domain.filename, "w") as out:
        out.write(json.dumps({"domain": domain.name, "models": [m.label for m in domain.models]},
                             ensure_ascii=False)[:-1].encode() + b', "rows": [')
        for row in domain.rows:
            out.write((b",\n" if count else b"\n") + json.dumps(json_safe(row), ensure_ascii=False).encode())
            count += 1
        out.write(b"\n]}\n")
    return count


def _write_file(archive: zipfile.ZipFile, item: ExportFile) -> bool:
    try:
        source = item.open()
    except OSError:  # the row names a file the storage no longer has: the row still says its name
        return False
    with source, archive.open(item.arcname, "w", force_zip64=True) as out:
        shutil.copyfileobj(source, out, _CHUNK)
    return True


def archive_write(target: BinaryIO, spec: Archive) -> dict[str, int]:
    """Write the export described by ``spec`` to ``target`` (a file open for binary writing); answers how many
    rows each domain file holds, files copied, and sections."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for domain in spec.domains:
            counts[domain.filename] = _write_rows(archive, domain)
        written = [item.arcname for item in spec.files if _write_file(archive, item)]
        counts["files"] = len(written)
        section_files = []
        for name, answer in sorted(spec.sections.items()):
            filename = f"{safe_name(name)}.json"
            if filename in counts or filename in ("index.html", "README.txt"):  # never two entries of one name
                filename = f"section-{filename}"
            archive.writestr(filename, json.dumps(json_safe(answer()), ensure_ascii=False, indent=2))
            section_files.append(filename)
        counts["sections"] = len(section_files)
        context = {"heading": spec.heading, "made_at": spec.made_at, "counts": counts, "files": written,
                   "domains": [(domain, counts[domain.filename]) for domain in spec.domains],
                   "sections": section_files}
        archive.writestr("index.html", render_to_string("lms/privacy/export_index.html", context))
        archive.writestr("README.txt", render_to_string("lms/privacy/export_readme.txt", context))
    return counts
