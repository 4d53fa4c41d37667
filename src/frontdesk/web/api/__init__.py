"""The REST API: one router module per resource, mounted under ``/api/v1`` in this order."""

from __future__ import annotations

from fastapi import APIRouter

from frontdesk.web.api import (
    agents,
    audit,
    callbacks,
    configuration,
    contact_actions,
    contact_desk,
    contacts,
    customer_files,
    customer_records,
    customers,
    directory,
    inbound,
    prompts,
    reports,
    scenarios,
    session,
    tokens,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    inbound.router,
    contacts.router,
    contact_actions.router,
    contact_desk.router,
    agents.router,
    directory.router,
    prompts.router,  # before the documents: its paths end in /audio
    *configuration.ROUTERS,
    scenarios.router,
    users.router,
    tokens.router,
    customer_files.router,  # before customers: "/customers/export" is not a customer id
    customers.router,
    customer_records.router,
    callbacks.router,
    audit.router,
    reports.router,
)
