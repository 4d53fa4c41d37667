"""Errors at the HTTP edge: one table from error code to status, and problem+json bodies.

Every refusal leaves the API as an RFC 9457 problem document::

    {"type": "https://frontdesk.dev/problems/<code>", "title": "Not Found", "status": 404,
     "detail": "contact 01j… does not exist", "code": "contact.not_found", ...details}

served as ``application/problem+json``. The status of an error is looked up in
:data:`STATUS` by its own code, then by the codes of its classes (``ConflictError`` is
``conflict``), then by the prefixes of its code; an error found nowhere is a bug: 500.

The body limit lives here too: a request whose ``Content-Length`` is over the limit is
refused before the application sees it, and a body streamed without one is counted as it
is read and refused as soon as it passes the limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.domain.errors import FrontdeskError
from frontdesk.routing.scenario import ScenarioError

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://frontdesk.dev/problems/"
PROBLEM_JSON = "application/problem+json"
INTERNAL = "internal"

#: The one table: an error code, the code of an error class, or a code prefix → status.
STATUS: Mapping[str, int] = MappingProxyType(
    {
        # The request itself (statuses raised by the framework keep their own).
        "request.malformed_json": 400,
        "request.too_large": 413,
        "request.invalid": 422,
        # Who is calling.
        "auth.required": 401,
        "auth.invalid_credentials": 401,
        "auth.forbidden": 403,
        "auth.csrf": 403,
        "auth.rate_limited": 429,
        # The classes of the domain's error tree.
        "validation.invalid": 422,
        "scenario.invalid": 422,
        "expression": 422,  # a prefix: expression.syntax, expression.type ...
        "not_found": 404,
        "conflict": 409,
        INTERNAL: 500,
    }
)


def status_of(error: FrontdeskError) -> int:
    """The HTTP status of a domain error (see the module docstring for the order)."""
    class_codes = [klass.code for klass in type(error).__mro__ if issubclass(klass, FrontdeskError)]
    parts = error.code.split(".")
    prefixes = [".".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)]
    for code in (error.code, *class_codes, *prefixes):
        if code in STATUS:
            return STATUS[code]
    return STATUS[INTERNAL]


def code_for_status(status: int) -> str:
    """The code of an HTTP status the framework raised: 404 is ``request.not_found``."""
    return "request." + HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **details: Any,
) -> JSONResponse:
    """A problem+json response; ``details`` never override the standard members."""
    body = {
        **jsonable_encoder(details),
        "type": PROBLEM_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def refusal(code: str, detail: str, **details: Any) -> JSONResponse:
    """The problem response for one of the edge's own codes, its status from the table."""
    return problem(STATUS[code], code, detail, **details)


def scenario_problems(error: ScenarioError) -> list[dict[str, Any]]:
    """Every problem of a scenario as ``{line, column, code, message}`` (no place: null)."""
    return [
        {
            "line": p.location.line if p.location else None,
            "column": p.location.column if p.location else None,
            "code": p.code,
            "message": p.message,
        }
        for p in error.problems
    ]


def domain_problem(error: FrontdeskError) -> JSONResponse:
    status = status_of(error)
    details = dict(error.details)
    headers: dict[str, str] = {}
    if isinstance(error, ScenarioError):
        details["problems"] = scenario_problems(error)
    if status == HTTPStatus.TOO_MANY_REQUESTS and "retry_after" in details:
        headers["Retry-After"] = str(details["retry_after"])
    if status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Bearer realm="frontdesk"'
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        log.error("unclassified error %s: %s", error.code, error.message)
    return problem(status, error.code, error.message, headers=headers, **details)


def validation_problem(error: RequestValidationError) -> JSONResponse:
    """400 for a body that is not JSON at all; 422 naming every field that is wrong."""
    failures = list(error.errors())
    for failure in failures:
        if failure.get("type") == "json_invalid":
            position = failure["loc"][-1]
            reason = (failure.get("ctx") or {}).get("error", "not JSON")
            return refusal(
                "request.malformed_json",
                f"the request body is not valid JSON: {reason} (at character {position})",
            )
    fields = [
        {
            "field": ".".join(str(part) for part in failure["loc"]),
            "message": failure["msg"],
            "type": failure["type"],
        }
        for failure in failures
    ]
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return refusal("request.invalid", detail, errors=fields)


class BodyTooLarge(HTTPException):
    """A streamed body passed the limit while being read.

    An HTTPException, because FastAPI passes those through its body parsing unchanged.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, too_large_detail(limit))


def too_large_detail(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes"


def http_problem(request: Request, error: HTTPException) -> JSONResponse:
    status = error.status_code
    if isinstance(error, BodyTooLarge):
        return refusal("request.too_large", str(error.detail))
    if status == HTTPStatus.NOT_FOUND:
        detail = f"there is no {request.url.path}"
    elif status == HTTPStatus.METHOD_NOT_ALLOWED:
        detail = f"{request.method} is not allowed on {request.url.path}"
    else:
        detail = str(error.detail)
    return problem(status, code_for_status(status), detail, headers=error.headers)


#: How a page (anything outside ``/api/``) shows a problem: given the request, the status
#: and the problem document, the response (an HTML page, a redirect to sign in ...).
PageErrors = Callable[[Request, int, dict[str, Any]], Awaitable[Response]]
API_PATH = "/api/"


def install(app: FastAPI, max_body: Callable[[str], int], pages: PageErrors | None = None) -> None:
    """Make every error of ``app`` a problem+json response — shown by ``pages`` outside
    the API — and limit request bodies to ``max_body(path)`` bytes (asked per request: the
    settings may arrive after the app, and an upload may be allowed more)."""

    async def shown(request: Request, response: JSONResponse) -> Response:
        if pages is None or request.url.path.startswith(API_PATH):
            return response
        try:
            return await pages(request, response.status_code, json.loads(bytes(response.body)))
        except Exception:  # the page could not be shown: the problem itself still can
            log.exception("the error page for %s failed", request.url.path)
            return response

    async def on_domain(request: Request, error: Exception) -> Response:
        assert isinstance(error, FrontdeskError)
        return await shown(request, domain_problem(error))

    async def on_validation(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return await shown(request, validation_problem(error))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return await shown(request, http_problem(request, error))

    async def on_bug(request: Request, error: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=error)
        return await shown(request, refusal(INTERNAL, "an internal error occurred; it is logged"))

    app.add_exception_handler(FrontdeskError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_bug)
    app.add_middleware(BodyLimit, max_body=max_body)


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_body()`` bytes with 413."""

    def __init__(self, app: ASGIApp, max_body: Callable[[str], int]) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response = refusal("request.too_large", too_large_detail(limit))
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)
