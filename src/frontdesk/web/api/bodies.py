"""Request bodies that are not plain JSON models: YAML or JSON scenarios, CSV files.

Errors look the same as FastAPI's own: malformed JSON is a 400, a field that does not
fit the model a 422 naming ``body.<field>``.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pydantic
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from frontdesk.domain.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)
UNSUPPORTED_MEDIA_TYPE = 415


def media_type(request: Request) -> str:
    """The request's content type without parameters, lower case ("" when absent)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def is_json(kind: str) -> bool:
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def unsupported(kind: str, wanted: str) -> HTTPException:
    return HTTPException(
        UNSUPPORTED_MEDIA_TYPE, f"send {wanted}, not {kind or 'a body without a content type'}"
    )


def not_json(position: int, reason: str) -> RequestValidationError:
    """The error FastAPI raises for a body that is not JSON (answered with a 400)."""
    return RequestValidationError(
        [
            {
                "type": "json_invalid",
                "loc": ("body", position),
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": reason},
            }
        ]
    )


async def read_json(request: Request, model: type[M]) -> M:
    """The body read as JSON into ``model``."""
    raw = await request.body()
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as error:
        raise not_json(error.pos, error.msg) from None
    except UnicodeDecodeError as error:
        raise not_json(error.start, "not UTF-8") from None
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        raise RequestValidationError(
            [{**failure, "loc": ("body", *failure["loc"])} for failure in error.errors()]
        ) from None


async def read_text(request: Request) -> str:
    """The body as UTF-8 text."""
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"the body is not UTF-8 text (byte {error.start})", code="request.not_utf8"
        ) from None
