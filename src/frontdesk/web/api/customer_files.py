"""Customers in and out as CSV files (the columns: ``crm.builtin.csv_format``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from frontdesk.crm.builtin.csv_io import export_customers, import_customers
from frontdesk.services.auth import Principal
from frontdesk.web.api.bodies import media_type, unsupported
from frontdesk.web.auth import FrontdeskDep, require
from frontdesk.web.schemas import ImportReportOut

router = APIRouter(prefix="/customers", tags=["customers"])
Bulk = Annotated[Principal, Depends(require("customers.import"))]
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
CSV_BODY = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.post("/import", openapi_extra=CSV_BODY)
async def import_csv(request: Request, principal: Bulk, frontdesk: FrontdeskDep) -> ImportReportOut:
    """Create or update customers from a CSV file. Rows with a problem are reported with
    their line and not written; the good rows are written."""
    kind = media_type(request)
    if kind not in CSV_TYPES:
        raise unsupported(kind, "text/csv")
    text = await request.body()
    report = await import_customers(frontdesk.crm, principal.tenant, text, principal.actor)
    return ImportReportOut.model_validate(report)


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def export_csv(principal: Bulk, frontdesk: FrontdeskDep) -> Response:
    """Every customer as CSV; the file imports back to the same data."""
    text = await export_customers(frontdesk.crm, principal.tenant)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="customers.csv"'},
    )
