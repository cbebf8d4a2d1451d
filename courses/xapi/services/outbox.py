"""The outbox: statements are written with the event that caused them, then sent to the LRS in batches.

The rules that keep the LRS free of duplicates and of gaps:
- ``statement_record`` writes the row in the caller's transaction, only when the organization has an
  active LRS endpoint (otherwise nothing is written), and enqueues the send on commit; the statement's
  id is derived from the event, and the row is unique on it, so an event is recorded once whoever
  reports it (the service, the backfill, a retry);
- a worker claims a batch with one conditional UPDATE per row (attempts and next_attempt_at move first),
  so a worker killed mid-batch leaves rows that come due again after the backoff and the reconciler
  re-enqueues; the resend carries the same ids and the same JSON, and the LRS keeps one of each;
- the LRS's answer decides: 2xx sent; 409 (the id is already stored) sent; 400/409 on a batch of several
  is retried one statement at a time so one bad statement cannot hold back the others; 408, 429, 5xx
  and network errors back off (XAPI_RETRY_BASE_SECONDS doubling, capped) up to XAPI_MAX_ATTEMPTS; any
  other 4xx fails the statement at once, keeping the LRS's message (never our credentials).
"""
from __future__ import annotations

import base64
import http.client
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from courses.xapi import selectors
from courses.xapi.models import LrsEndpoint, XapiStatement
from courses.xapi.services.endpoints import endpoint_credentials, statements_url
from courses.xapi.statements import statement_id
from lms import outbound
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

SEND_TASK = "courses.xapi_send"
MAX_BATCHES_PER_RUN = 20  # then the task enqueues itself again, so one organization cannot hold a worker
TRANSIENT_STATUS = {408, 425, 429}


class Unread:
    """The caller did not read the organization's endpoint: ``statement_record`` looks it up."""


UNREAD = Unread()


def statement_record(*, organization_id: int | None, event: str, verb: str,
                     build: Callable[[LrsEndpoint], dict[str, Any]],
                     endpoint: LrsEndpoint | Unread | None = UNREAD) -> XapiStatement | None:
    """Write the statement of ``event`` if its organization sends xAPI and it is not recorded yet.

    ``endpoint``: the organization's active endpoint (or None) when the caller already read it in this
    transaction, which saves the look-up."""
    if organization_id is None:
        return None
    if isinstance(endpoint, Unread):
        endpoint = selectors.active_endpoint_for(organization_id)
    if endpoint is None:
        return None
    sid = statement_id(event)
    if XapiStatement.objects.filter(statement_id=sid).exists():
        return None
    body = build(endpoint)
    body["id"] = str(sid)
    try:
        with transaction.atomic():
            row = XapiStatement.objects.create(statement_id=sid, organization_id=organization_id, event=event[:100],
                                               verb=verb, statement=body)
    except IntegrityError:
        return None  # recorded meanwhile by someone else
    transaction.on_commit(lambda: xapi_send_schedule(organization_id))
    return row


def xapi_send_schedule(organization_id: int, countdown: float = 0) -> None:
    try:
        task_enqueue(SEND_TASK, args=[organization_id], countdown=countdown or None, retry=False)
    except Exception:  # a broker outage must not fail the writer; the reconciler sends it later
        logger.warning("could not enqueue xAPI send for organization %s; the reconciler will", organization_id,
                       exc_info=True)


def backoff(attempt: int) -> timedelta:
    seconds = settings.XAPI_RETRY_BASE_SECONDS * (2 ** max(attempt - 1, 0))
    return timedelta(seconds=min(seconds, settings.XAPI_RETRY_MAX_SECONDS))


def _claim(organization_id: int, limit: int) -> list[XapiStatement]:
    """Due pending rows of the organization, each claimed by one conditional UPDATE that already says
    when to try again should this worker die."""
    now = timezone.now()
    candidates = list(
        XapiStatement.objects.filter(organization_id=organization_id, status=XapiStatement.Status.PENDING,
                                     next_attempt_at__lte=now).order_by("id")[:limit])
    claimed = []
    for row in candidates:
        attempt = row.attempts + 1
        won = XapiStatement.objects.filter(
            pk=row.pk, status=XapiStatement.Status.PENDING, attempts=row.attempts, next_attempt_at__lte=now,
        ).update(attempts=attempt, last_attempt_at=now, next_attempt_at=now + backoff(attempt))
        if won:
            row.attempts, row.last_attempt_at = attempt, now
            claimed.append(row)
    return claimed


def _lrs_message(status: int, answer: bytes) -> str:
    text = answer.decode("utf-8", "replace").strip()
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict) and parsed.get("detail") is not None:
            text = json.dumps(parsed["detail"]) if not isinstance(parsed["detail"], str) else parsed["detail"]
    except ValueError:
        pass
    return f"HTTP {status}: {text}"[:500] if text else f"HTTP {status}"


@sensitive_variables("username", "password", "token", "headers")
def _post(endpoint: LrsEndpoint, statements: list[dict[str, Any]]) -> tuple[int | None, str]:
    """POST the statements; (status, error). status None: nothing answered (a network error)."""
    username, password = endpoint_credentials(endpoint)
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": endpoint.version,
               "Authorization": f"Basic {token}", "User-Agent": "EmpathyLMS-xAPI/1"}
    body = json.dumps(statements, separators=(",", ":"), sort_keys=True).encode()
    try:
        target = outbound.check_target(statements_url(endpoint.url), allow=settings.XAPI_TEST_TARGETS)
        status, answer = outbound.exchange(target, "POST", body, headers, timeout=settings.XAPI_TIMEOUT_SECONDS)
    except outbound.OutboundRefused as exc:
        return None, f"Refused, nothing sent: {exc.message}"[:500]
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= status < 300 or status == 409:
        return status, ""
    return status, _lrs_message(status, answer)


def _settle(rows: list[XapiStatement], status: int | None, error: str) -> None:
    now = timezone.now()
    ids = [row.pk for row in rows]
    if not error:
        XapiStatement.objects.filter(pk__in=ids).update(status=XapiStatement.Status.SENT, sent_at=now,
                                                        last_status_code=status, last_error="")
        return
    permanent = status is not None and 400 <= status < 500 and status not in TRANSIENT_STATUS
    for row in rows:
        gave_up = permanent or row.attempts >= settings.XAPI_MAX_ATTEMPTS
        XapiStatement.objects.filter(pk=row.pk, status=XapiStatement.Status.PENDING).update(
            last_status_code=status, last_error=error,
            **({"status": XapiStatement.Status.FAILED} if gave_up else {}))


def _send_batch(endpoint: LrsEndpoint, rows: list[XapiStatement]) -> tuple[int, int]:
    """Send ``rows`` (claimed); returns (sent, not sent)."""
    status, error = _post(endpoint, [row.statement for row in rows])
    if error and len(rows) > 1 and status in (400, 409, 413):
        sent = failed = 0  # one statement may spoil the batch: each on its own
        for row in rows:
            one_sent, one_failed = _send_batch(endpoint, [row])
            sent, failed = sent + one_sent, failed + one_failed
        return sent, failed
    _settle(rows, status, error)
    if error:
        logger.warning("xAPI batch of %s for organization %s not sent: %s", len(rows), endpoint.organization_id,
                       error)
        return 0, len(rows)
    return len(rows), 0


def xapi_outbox_send(*, organization_id: int) -> dict[str, int]:
    """Send the organization's due statements in batches of XAPI_BATCH_SIZE; returns counts."""
    endpoint = selectors.active_endpoint_for(organization_id)
    counts = {"sent": 0, "not_sent": 0}
    if endpoint is None:
        return counts
    for _ in range(MAX_BATCHES_PER_RUN):
        rows = _claim(organization_id, max(1, settings.XAPI_BATCH_SIZE))
        if not rows:
            break
        sent, not_sent = _send_batch(endpoint, rows)
        counts["sent"] += sent
        counts["not_sent"] += not_sent
        if not_sent:
            break  # the LRS is unhappy: leave the rest to the backoff
    else:
        xapi_send_schedule(organization_id)  # more waiting: go on in a fresh task
    if counts["not_sent"]:
        delay = backoff(1).total_seconds()
        if delay <= settings.XAPI_RETRY_INLINE_MAX_SECONDS:  # longer waits are the reconciler's
            xapi_send_schedule(organization_id, countdown=delay)
    return counts


def xapi_statements_retry(*, organization_id: int) -> int:
    """Failed statements of the organization become pending again (after the endpoint was fixed)."""
    with transaction.atomic():
        count = XapiStatement.objects.filter(organization_id=organization_id, status=XapiStatement.Status.FAILED
                                             ).update(status=XapiStatement.Status.PENDING, attempts=0,
                                                      next_attempt_at=timezone.now())
        if count:
            transaction.on_commit(lambda: xapi_send_schedule(organization_id))
    return count
