"""Errors raised by services; views and the API turn them into Chinese messages or structured errors."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a stable machine code, a Chinese message and optional per-field messages."""

    code = "invalid"
    http_status = 400

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "errors": [{"field": k, "message": v} for k, v in self.fields.items()],
        }


class InvalidInput(ServiceError):
    code = "invalid"
    http_status = 400


class NotAllowed(ServiceError):
    code = "forbidden"
    http_status = 403


class NotFound(ServiceError):
    code = "not_found"
    http_status = 404


class InvalidTransition(ServiceError):
    """The action is not allowed from the ticket's current state."""

    code = "invalid_transition"
    http_status = 409


class Conflict(ServiceError):
    """Somebody else changed the ticket first."""

    code = "conflict"
    http_status = 409
