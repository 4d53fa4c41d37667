"""CRM adapters: the built-in CRM on Frontdesk's own tables, and external CRMs.

Every adapter implements the ``Crm`` port of :mod:`frontdesk.domain.ports` and passes
the one contract suite in ``tests/adapters/crm``.
"""
