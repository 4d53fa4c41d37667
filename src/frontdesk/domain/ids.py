"""Identifiers. Plain strings at run time, distinct types for the type checker."""

from typing import NewType

TenantId = NewType("TenantId", str)
ContactId = NewType("ContactId", str)
AgentId = NewType("AgentId", str)
QueueId = NewType("QueueId", str)
CustomerId = NewType("CustomerId", str)

DEFAULT_TENANT = TenantId("default")
