"""Password hashing with Argon2id (argon2-cffi) and the password rule."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from frontdesk.domain.errors import ValidationError

MIN_PASSWORD_LENGTH = 8


class Passwords:
    """Hashes and checks passwords; ``hasher`` defaults to argon2-cffi's own parameters.

    Tests inject a cheap hasher (``PasswordHasher(time_cost=1, memory_cost=8,
    parallelism=1)``); hashes made with other parameters still verify, and
    ``upgraded`` re-hashes them so a login can bring them up to date.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher if hasher is not None else PasswordHasher()
        # Verified against when the user does not exist, so that an unknown user
        # costs as much time as a wrong password and user names cannot be probed.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """The Argon2id hash of ``password``; ValidationError ``user.weak_password`` if it
        is shorter than ``MIN_PASSWORD_LENGTH`` characters."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(
                f"a password needs at least {MIN_PASSWORD_LENGTH} characters,"
                f" this one has {len(password)}",
                code="user.weak_password",
                field="password",
                min_length=MIN_PASSWORD_LENGTH,
            )
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``. With no hash (no such user)
        the answer is False after the same work as a real check."""
        try:
            self._hasher.verify(self._decoy if password_hash is None else password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def upgraded(self, password_hash: str, password: str) -> str | None:
        """A new hash of ``password`` (already verified against ``password_hash``) when the
        stored hash was made with other parameters than the current ones, else None.

        The password rule is not applied: a password accepted under an older rule must
        not stop its owner from logging in.
        """
        if not self._hasher.check_needs_rehash(password_hash):
            return None
        return self._hasher.hash(password)
