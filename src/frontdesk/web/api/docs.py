"""The API reference at /api/docs: a plain page made from the OpenAPI document.

No script and nothing from a CDN: the page lists every operation with its summary and
links the full schema at /api/openapi.json.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")


@router.get("/api/docs", response_class=HTMLResponse)
async def reference(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    rows = [
        f"<tr><td>{escape(method.upper())}</td><td><code>{escape(path)}</code></td>"
        f"<td>{escape(', '.join(operation.get('tags', [])))}</td>"
        f"<td>{escape(operation.get('summary', ''))}</td></tr>"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    title = escape(schema["info"]["title"])
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} API</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:.2em 1em}</style></head>"
        f"<body><h1>{title} API</h1><p>The full schema: "
        f"<a href='{escape(request.app.openapi_url)}'>OpenAPI document</a>.</p>"
        "<table><tr><th>Method</th><th>Path</th><th>Tags</th><th>Summary</th></tr>"
        f"{''.join(rows)}</table></body></html>"
    )
    return HTMLResponse(page)
