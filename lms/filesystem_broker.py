"""The embedded default's message broker: kombu's filesystem transport, handing out whole messages only.

kombu's own transport creates a message file under its final name and then writes into it, while a worker
polls the same folder and takes any file with that name: a worker that comes by between the two reads an
empty message, fails to decode it and exits (and the message is gone with it). ``make run`` then stops the
web server and beat too, since one of its processes exited.

Here a message is written under a name no consumer looks at (a leading dot) and then renamed to its final
name, which is atomic within one folder: a consumer sees a whole message or none. A file that still cannot
be read or decoded (a stray file, a disk error, a message written by another program) is moved into the
``broken_folder`` transport option's folder and logged, and the worker goes on with the next message
instead of exiting. Selected in ``lms/settings/tasks.py`` (``CELERY_BROKER_TRANSPORT``) whenever the broker
URL is ``filesystem://``; production brokers (Redis) are untouched.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


def _message_name(queue: str) -> str:
    # kombu's own naming (milliseconds, then a random id): consumers take messages in name order.
    return f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Write ``payload`` whole under a hidden name, then give it its queue's name in one rename."""
        name = _message_name(queue)
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        """The oldest readable message of ``queue``; unreadable files are set aside, not raised."""
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            taken = os.path.join(self.processed_folder, name)
            try:
                # Whoever moves the file first has the message; another consumer's move fails and goes on.
                shutil.move(os.path.join(self.data_folder_in, name), taken)
            except OSError:
                continue
            try:
                with open(taken, "rb") as handle:
                    message = loads(bytes_to_str(handle.read()))
            except (OSError, ValueError) as exc:
                self._set_aside(taken, exc)
                continue
            if not self.store_processed:
                with contextlib.suppress(OSError):
                    os.remove(taken)
            return message
        raise Empty()

    def _set_aside(self, path: str, error: Exception) -> None:
        folder = self.transport_options.get("broken_folder") or os.path.join(self.processed_folder, "broken")
        try:
            os.makedirs(folder, exist_ok=True)
            shutil.move(path, os.path.join(folder, os.path.basename(path)))
            kept = f"moved to {folder}"
        except OSError:
            kept = "could not be moved aside"
        logger.error("broker message %s is unreadable (%s: %s); %s", os.path.basename(path),
                     type(error).__name__, error, kept)


class Transport(filesystem.Transport):
    Channel = Channel
