"""The built-in CRM: customer records on Frontdesk's own store, with CSV import and export."""

from frontdesk.crm.builtin.adapter import BuiltinCrm, Upserted
from frontdesk.crm.builtin.card import CustomerCard
from frontdesk.crm.builtin.csv_io import ImportReport, RowError, export_customers, import_customers

__all__ = [
    "BuiltinCrm",
    "CustomerCard",
    "ImportReport",
    "RowError",
    "Upserted",
    "export_customers",
    "import_customers",
]
