"""Errors raised by actions: a code for machines and a Chinese message for people."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop


class ActionError(Exception):
    """A refused or invalid action.  `fields` maps field names to messages."""

    status_code = 400

    def __init__(self, code: str, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict:
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class Forbidden(ActionError):
    status_code = 403

    def __init__(self, message: str = gettext_noop("您无权执行此操作")) -> None:
        # Actions pass messages already translated; the default is translated here.
        super().__init__("forbidden", gettext(message))


class WrongState(ActionError):
    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__("wrong_state", message)


class DeadlinePassed(ActionError):
    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__("deadline_passed", message)
