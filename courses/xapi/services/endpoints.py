"""An organization's LRS endpoint: set it (URL checked like webhooks: public addresses only), read its
credentials back for sending, test the connection, remove it."""
from __future__ import annotations

import base64
import http.client
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from courses.xapi.errors import XapiError, XapiErrorCode
from courses.xapi.models import LrsEndpoint
from lms import encryption, outbound
from lms.models import Organization

KEY_SALT, KEY_VALUE = "courses.xapi.credentials", "lrs-endpoint"


def statements_url(base: str) -> str:
    return base.rstrip("/") + "/statements"


def lrs_url_check(url: str) -> str:
    """https with a host and no credentials in it (plain http only for an allow-listed test LRS), whose
    host is or resolves to public addresses only. A name that does not resolve yet is accepted: every
    send checks again before it connects."""
    url = (url or "").strip()
    if len(url) > 480:
        raise XapiError("The URL is too long.", fields={"url": ["At most 480 characters."]})
    try:
        outbound.check_registered_url(url, allow=settings.XAPI_TEST_TARGETS, query_allowed=False)
    except outbound.OutboundRefused as refused:
        if refused.kind in ("invalid", "insecure"):
            raise XapiError("An LRS URL must be https:// with a host name, and no credentials or query.",
                            fields={"url": ["Use an https:// URL such as https://lrs.example.com/xAPI."]}) from None
        raise XapiError(f"Statements can only be sent to public addresses: {refused.message}",
                        code=XapiErrorCode.LRS_TARGET_REFUSED,
                        fields={"url": [f"Not a public address ({refused.kind})."]}) from None
    return url


def _choice(value: str | None, choices: list[str], name: str, default: str) -> str:
    value = value or default
    if value not in choices:
        raise XapiError(f"Unknown {name}.", fields={name: [f"One of: {', '.join(choices)}."]})
    return value


@sensitive_variables("username", "password")
def _encrypt(username: str, password: str) -> str:
    if not username or not password or ":" in username or len(username) > 200 or len(password) > 500:
        raise XapiError("Give the LRS's username (no colon) and password.",
                        code=XapiErrorCode.LRS_CREDENTIALS_REQUIRED,
                        fields={"username": ["Required, no colon."], "password": ["Required."]})
    return encryption.encrypt_text(json.dumps({"u": username, "p": password}), key_salt=KEY_SALT, value=KEY_VALUE)


@sensitive_variables("found")
def endpoint_credentials(endpoint: LrsEndpoint) -> tuple[str, str]:
    try:
        found = json.loads(encryption.decrypt_text(endpoint.credentials_encrypted, key_salt=KEY_SALT,
                                                   value=KEY_VALUE))
    except encryption.Unreadable:
        raise XapiError("The LRS credentials cannot be read (SECRET_KEY changed?); set them again.",
                        code=XapiErrorCode.LRS_CREDENTIALS_UNREADABLE, status_code=409) from None
    return found["u"], found["p"]


@sensitive_variables("username", "password")
def lrs_endpoint_set(*, organization: Organization, url: str, username: str | None = None,
                     password: str | None = None, version: str | None = None, actor_mode: str | None = None,
                     is_active: bool | None = None, actor: Any = None) -> tuple[LrsEndpoint, bool]:
    """Create or change the organization's endpoint; credentials are needed to create it and are kept
    when left out of a change (give both to replace them). Returns (endpoint, created)."""
    url = lrs_url_check(url)
    with transaction.atomic():
        endpoint = LrsEndpoint.objects.select_for_update().filter(organization=organization).first()
        created = endpoint is None
        if endpoint is None:
            endpoint = LrsEndpoint(organization=organization, created_by=actor if getattr(actor, "pk", None) else None)
        endpoint.url = url
        endpoint.version = _choice(version, LrsEndpoint.Version.values, "version",
                                   endpoint.version or LrsEndpoint.Version.V1_0_3)
        endpoint.actor_mode = _choice(actor_mode, LrsEndpoint.ActorMode.values, "actor_mode",
                                      endpoint.actor_mode or LrsEndpoint.ActorMode.ACCOUNT)
        if username is not None or password is not None or created:
            endpoint.credentials_encrypted = _encrypt(username or "", password or "")
        if is_active is not None:
            endpoint.is_active = is_active
        endpoint.save()
    return endpoint, created


def lrs_endpoint_delete(*, endpoint: LrsEndpoint) -> None:
    """Remove the endpoint (the outbox rows stay, for the record; nothing more is written or sent)."""
    with transaction.atomic():
        endpoint.delete()


@sensitive_variables("username", "password", "token", "headers")
def lrs_endpoint_test(*, endpoint: LrsEndpoint) -> dict[str, Any]:
    """Ask the LRS for one statement with our credentials: reachable, and do they let us in?"""
    username, password = endpoint_credentials(endpoint)
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    headers = {"X-Experience-API-Version": endpoint.version, "Authorization": f"Basic {token}",
               "User-Agent": "EmpathyLMS-xAPI/1"}
    try:
        target = outbound.check_target(statements_url(endpoint.url) + "?limit=1", allow=settings.XAPI_TEST_TARGETS)
        status, _ = outbound.exchange(target, "GET", None, headers, timeout=settings.XAPI_TIMEOUT_SECONDS)
    except outbound.OutboundRefused as exc:
        return {"ok": False, "status_code": None, "detail": f"Refused, nothing sent: {exc.message}"[:300]}
    except (OSError, http.client.HTTPException) as exc:
        return {"ok": False, "status_code": None, "detail": f"{type(exc).__name__}: {exc}"[:300]}
    detail = {401: "The LRS refused the credentials.", 403: "The credentials may not read statements."}
    return {"ok": 200 <= status < 300, "status_code": status,
            "detail": "Connected." if 200 <= status < 300 else detail.get(status, f"The LRS answered HTTP {status}.")}
