"""Secrets we must read back later (a webhook's signing secret, an LRS's password), encrypted at rest.

Each use has its own key, derived from SECRET_KEY and the use's name with an HMAC, so a token of one use
never opens under another. Changing SECRET_KEY makes every stored token unreadable: the owner sets a new
secret (the callers turn ``Unreadable`` into their own error saying so)."""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables


class Unreadable(Exception):
    """The token was not made with this use's key (SECRET_KEY changed, or another use's token)."""


def fernet_for(key_salt: str, value: str) -> Fernet:
    key = salted_hmac(key_salt, value, secret=settings.SECRET_KEY, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


@sensitive_variables("text")
def encrypt_text(text: str, *, key_salt: str, value: str) -> str:
    return fernet_for(key_salt, value).encrypt(text.encode()).decode()


@sensitive_variables()  # the token and what it opens to
def decrypt_text(token: str, *, key_salt: str, value: str) -> str:
    try:
        return fernet_for(key_salt, value).decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unreadable(key_salt) from None
