"""Runs the ralph LRS for the test suite: its API on the filesystem backend, one process, no reloader.

Usage (with this folder's virtualenv): python serve.py HOST PORT. The backend's directory and the
credentials file come from ralph's own RALPH_* environment variables, which the tests set.

Why not `ralph runserver`: that command starts uvicorn with a file watcher on the working directory, and
the filesystem LRS backend writes each POST with the "create" operation, which refuses once its one
statements file exists, so only the first request would be stored. Here each write appends to that file
instead (an operation the backend supports); everything else is ralph as shipped: its validation, its
duplicate-id rules, its query API.
"""
from __future__ import annotations

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="info", reload=False, workers=1)


if __name__ == "__main__":
    main()
